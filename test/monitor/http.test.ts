/** The HTTP side of the monitor: index page, 404s, headers, JSONP, methods and http_base_path. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type RunningServer } from "../../src/index.js";
import { get, getJson } from "./support.js";

describe("monitor HTTP behaviour", () => {
  let srv: RunningServer;
  let port: number;

  before(async () => {
    srv = await startServer({ port: -1, httpPort: -1 });
    port = srv.monitorPort!;
  });
  after(() => srv.close());

  test("/ is an HTML page linking every endpoint", async () => {
    const r = await get(port, "/");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "text/html; charset=utf-8");
    for (const p of ["varz", "jsz", "connz", "accountz", "accstatz", "subsz", "routez", "leafz", "gatewayz", "healthz"]) {
      assert.ok(r.text.includes(`href="./${p}"`), p);
    }
  });

  test("unknown paths, trailing slashes and other cases are Go's plain 404", async () => {
    for (const p of ["/nothing", "/varz/", "/VARZ", "/connz/x", "/stacksz"]) {
      const r = await get(port, p);
      assert.equal(r.status, 404, p);
      assert.equal(r.text, "404 page not found\n");
      assert.equal(r.headers.get("content-type"), "text/plain; charset=utf-8");
      assert.equal(r.headers.get("x-content-type-options"), "nosniff");
    }
  });

  test("JSON answers: content type, CORS, content length", async () => {
    const r = await get(port, "/varz");
    assert.equal(r.headers.get("content-type"), "application/json");
    assert.equal(r.headers.get("access-control-allow-origin"), "*");
    assert.equal(r.headers.get("content-length"), String(Buffer.byteLength(r.text)));
    assert.ok(r.text.startsWith('{\n  "server_id": '), "MarshalIndent layout");
  });

  test("?callback= wraps the JSON for JSONP; a callback that is not a name is refused", async () => {
    const r = await get(port, "/healthz?callback=cb");
    assert.equal(r.headers.get("content-type"), "application/javascript");
    assert.equal(r.text, 'cb({"status":"ok"})');
    const ns = await get(port, "/varz?callback=my.ns.cb");
    assert.match(ns.text, /^my\.ns\.cb\(\{\n {2}"server_id"[\s\S]*\}\)$/);
    const bad = await get(port, "/varz?callback=alert(1)//");
    assert.equal(bad.status, 400);
  });

  test("every method is answered like GET", async () => {
    const post = await get(port, "/healthz", "POST");
    assert.deepEqual([post.status, post.text], [200, '{"status":"ok"}']);
    const head = await get(port, "/varz", "HEAD");
    assert.deepEqual([head.status, head.text], [200, ""]);
  });
});

describe("http_base_path", () => {
  test("endpoints live under the base path, the index page at the base path itself", async (t) => {
    const srv = await startServer({ port: -1, httpPort: -1, httpBasePath: "mon/" });
    t.after(() => srv.close());
    const port = srv.monitorPort!;
    const v = await getJson(port, "/mon/varz");
    assert.equal(v.http_base_path, "mon/");
    assert.equal((await get(port, "/mon/subscriptionsz")).status, 200);
    const index = await get(port, "/mon");
    assert.equal(index.status, 200);
    assert.ok(index.text.includes('href="./mon/connz"'));
    for (const p of ["/varz", "/", "/mon/", "/monvarz"]) assert.equal((await get(port, p)).status, 404, p);
  });
});
