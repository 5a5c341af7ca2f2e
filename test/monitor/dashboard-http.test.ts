/**
 * /dashboard as HTTP sees it (Chromium drives the page in dashboard.test.ts): the page, its script and
 * stylesheet with their content types, self-contained (nothing from another origin), the script valid
 * JavaScript, the index page linking it, and the whole served over the HTTPS monitor (-ms) too.
 */
import assert from "node:assert/strict";
import { Script } from "node:vm";
import { describe, it } from "node:test";
import { startServer } from "../../src/index.js";
import { freePort } from "../helpers/server-process.js";
import { pki } from "../tls/pki.js";
import { httpsGet, tlsServer } from "../tls/support.js";
import { get } from "./support.js";

describe("/dashboard over HTTP", () => {
  it("serves the page, its script and stylesheet, linked from the index page", async (t) => {
    const srv = await startServer({ port: -1, httpPort: -1 });
    t.after(() => srv.close());
    const port = srv.monitorPort!;
    const page = await get(port, "/dashboard");
    assert.equal(page.status, 200);
    assert.equal(page.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(page.text, /<script src="dashboard\/app\.js"><\/script>/);
    assert.match(page.text, /<link rel="stylesheet" href="dashboard\/app\.css">/);
    assert.doesNotMatch(page.text, /(src|href)="(https?:)?\/\//, "no asset from another origin");
    const js = await get(port, "/dashboard/app.js");
    assert.equal(js.status, 200);
    assert.equal(js.headers.get("content-type"), "text/javascript; charset=utf-8");
    assert.doesNotThrow(() => new Script(js.text), "the script parses");
    assert.doesNotMatch(js.text, /\bimport\b|\brequire\(/, "the script stands alone");
    assert.doesNotMatch(js.text, /method:\s*"(POST|PUT|DELETE)"/, "read-only");
    const css = await get(port, "/dashboard/app.css");
    assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
    assert.match((await get(port, "/")).text, /<a href="\.\/dashboard">Dashboard<\/a>/);
    assert.equal((await get(port, "/dashboard/")).status, 404, "exact paths, as every endpoint");
  });

  it("is served by the HTTPS monitor (-ms) under its TLS", async (t) => {
    const p = pki();
    const ms = await freePort();
    await tlsServer(t, "", "tsnats", ["-ms", String(ms), "--tlscert", p.server.cert, "--tlskey", p.server.key]);
    let page = { status: 0, body: "" };
    for (let i = 0; i < 100 && page.status === 0; i++) {
      page = await httpsGet(ms, "/dashboard").catch(() => ({ status: 0, body: "" }));
      if (page.status === 0) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(page.status, 200);
    assert.match(page.body, /tsnats dashboard/);
    // The process runs the esbuild bundle: its copy of the browser functions must still form a script.
    const js = await httpsGet(ms, "/dashboard/app.js");
    assert.equal(js.status, 200);
    assert.doesNotThrow(() => new Script(js.body));
    assert.match(js.body, /function dashboardMain\d*\(\)/);
    await assert.rejects(get(ms, "/dashboard"), "no plain HTTP on the HTTPS port");
  });
});
