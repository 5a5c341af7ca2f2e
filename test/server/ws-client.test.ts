/**
 * The official client over WebSocket (nats-core's wsconnect, with the `ws` package as Node's global
 * WebSocket, as a browser would provide one): pub/sub, request/reply, headers, a large payload and
 * JetStream, with permessage-deflate on and off; /connz shows the connections as "websocket".
 */
import assert from "node:assert/strict";
import { describe, it, type TestContext } from "node:test";
import { WebSocket } from "ws";
import { headers, wsconnect, type NatsConnection } from "@nats-io/nats-core";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startServer, type RunningServer } from "../../src/index.js";
import { WsClient } from "../../src/server/ws-client.js";
import { tempDir } from "../jetstream/support.js";

(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

async function wsServer(t: TestContext, compression: boolean, js = false): Promise<RunningServer> {
  const s = await startServer({
    httpPort: -1,
    websocket: { host: "127.0.0.1", port: -1, noTls: true, compression, sameOrigin: false, allowedOrigins: [], handshakeTimeoutMs: 0 },
    ...(js && { jetstream: { enabled: true, storeDir: tempDir(t) } }),
  });
  t.after(() => s.close());
  return s;
}

async function wsClient(t: TestContext, s: RunningServer): Promise<NatsConnection> {
  const nc = await wsconnect({ servers: `ws://127.0.0.1:${s.server.websocket!.port}`, reconnect: false });
  t.after(() => nc.close().catch(() => undefined));
  return nc;
}

for (const compression of [false, true]) {
  describe(`the official client over WebSocket, compression ${compression ? "on" : "off"}`, () => {
    it("publishes, subscribes and requests; big payloads and headers arrive whole", async (t) => {
      const s = await wsServer(t, compression);
      const a = await wsClient(t, s);
      const b = await wsClient(t, s);
      const got: string[] = [];
      const done = new Promise<void>((res) => {
        b.subscribe("chat.>", {
          callback: (_e, m) => {
            got.push(`${m.subject}:${m.string()}:${m.headers?.get("k") ?? ""}`);
            if (got.length === 3) res();
          },
        });
      });
      b.subscribe("svc", { callback: (_e, m) => void m.respond(`re ${m.string()}`) });
      await b.flush();
      const h = headers();
      h.set("k", "v");
      a.publish("chat.1", "hello");
      a.publish("chat.2", "with header", { headers: h });
      a.publish("chat.3", "x".repeat(10));
      await done;
      assert.deepEqual(got, ["chat.1:hello:", "chat.2:with header:v", `chat.3:${"x".repeat(10)}:`]);
      assert.equal((await a.request("svc", "ping", { timeout: 2000 })).string(), "re ping");
      // 200 KB: several output slabs in one flush, sent as fragments of one WebSocket message.
      const big = Buffer.alloc(200_000, 7);
      b.subscribe("big", { callback: (_e, m) => void m.respond(m.data) });
      await b.flush();
      const echoed = await a.request("big", big, { timeout: 5000 });
      assert.equal(Buffer.compare(Buffer.from(echoed.data), big), 0);
      // A burst: many messages coalesced into few frames.
      let n = 0;
      const all = new Promise<void>((res) => {
        b.subscribe("burst", {
          callback: () => {
            if (++n === 5000) res();
          },
        });
      });
      await b.flush();
      for (let i = 0; i < 5000; i++) a.publish("burst", `m${i}`);
      await all;

      const ws = [...s.server.clients.values()].filter((c) => c instanceof WsClient);
      assert.equal(ws.length, 2);
      for (const c of ws) assert.equal(c.compressed, compression);
      const connz = (await (await fetch(`http://127.0.0.1:${s.monitorPort}/connz`)).json()) as { connections: { type: string }[] };
      assert.deepEqual(connz.connections.map((c) => c.type), ["websocket", "websocket"]);
    });
  });
}

describe("JetStream over WebSocket", () => {
  it("creates a stream, publishes with acks and consumes", async (t) => {
    const s = await wsServer(t, true, true);
    const nc = await wsClient(t, s);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "WS", subjects: ["ws.>"] });
    const js = jetstream(nc);
    for (let i = 0; i < 10; i++) assert.equal((await js.publish(`ws.${i}`, `m${i}`)).seq, i + 1);
    await jsm.consumers.add("WS", { durable_name: "C" });
    const c = await js.consumers.get("WS", "C");
    const seen: string[] = [];
    for await (const m of await c.fetch({ max_messages: 10, expires: 2000 })) {
      seen.push(m.string());
      m.ack();
    }
    assert.deepEqual(seen, Array.from({ length: 10 }, (_, i) => `m${i}`));
  });
});
