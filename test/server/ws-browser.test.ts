/**
 * A page in headless Chromium talks to tsnats over WebSocket with the official client's browser bundle
 * (nats-core bundled by esbuild, served by the test beside the page): it connects from an allowed
 * origin with compression on, receives what a Node client publishes and answers. Skips visibly without
 * chromium.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { describe, it } from "node:test";
import { build } from "esbuild";
import { connect } from "@nats-io/transport-node";
import { startServer } from "../../src/index.js";
import { CHROMIUM_SKIP, launchChromium } from "../helpers/chromium.js";

/** nats-core as one ES module for the browser. */
async function clientBundle(): Promise<string> {
  const out = await build({
    stdin: { contents: `export { wsconnect } from "@nats-io/nats-core";`, resolveDir: import.meta.dirname },
    bundle: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

describe("a browser page over WebSocket", { skip: CHROMIUM_SKIP }, () => {
  it("connects with the official client, receives and publishes", async (t) => {
    const bundle = await clientBundle();
    const web = createServer((req, res) => {
      if (req.url === "/nats.js") res.writeHead(200, { "Content-Type": "text/javascript" }).end(bundle);
      else res.writeHead(200, { "Content-Type": "text/html" }).end("<!doctype html><title>ws</title><p>tsnats over WebSocket</p>");
    });
    await new Promise<void>((r) => web.listen(0, "127.0.0.1", r));
    t.after(() => web.close());
    const origin = `http://127.0.0.1:${(web.address() as { port: number }).port}`;

    const s = await startServer({
      websocket: { host: "127.0.0.1", port: -1, noTls: true, compression: true, sameOrigin: false, allowedOrigins: [origin], handshakeTimeoutMs: 0 },
    });
    t.after(() => s.close());
    const nc = await connect({ servers: s.url, reconnect: false });
    t.after(() => nc.close());
    nc.subscribe("page.ready", { callback: () => nc.publish("to.page", "hello from node") });
    const answer = new Promise<string>((res) => nc.subscribe("from.page", { max: 1, callback: (_e, m) => res(m.string()) }));
    await nc.flush();

    const browser = await launchChromium(t);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${origin}/`);
    const wsUrl = `ws://127.0.0.1:${s.server.websocket!.port}`;
    const result = await page.evaluate(async (url) => {
      const where = "/nats.js";
      const { wsconnect } = await import(where);
      const pc = await wsconnect({ servers: url });
      const sub = pc.subscribe("to.page", { max: 1 });
      await pc.flush();
      pc.publish("page.ready", "");
      let got = "";
      for await (const m of sub) got = m.string();
      pc.publish("from.page", `page got: ${got}`);
      await pc.flush();
      await pc.close();
      return got;
    }, wsUrl);
    assert.equal(result, "hello from node");
    assert.equal(await answer, "page got: hello from node");
    assert.deepEqual(errors, []);
    const connz = s.server.closed.map((c) => c.connectionType);
    assert.deepEqual(connz, ["WEBSOCKET"]);
  });
});
