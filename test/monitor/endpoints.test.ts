/** /healthz, /routez, /gatewayz, /leafz, /accountz, /accstatz and /jsz of a server without clustering. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type RunningServer } from "../../src/index.js";
import { goneClosed, get, getJson, standardActivity, type Activity } from "./support.js";

/** The answer without the fields that change from run to run. */
async function stable(port: number, path: string): Promise<Record<string, unknown>> {
  const { server_id: id, now, ...rest } = await getJson(port, path);
  assert.equal(typeof id, "string", `${path} server_id`);
  assert.equal(typeof now, "string", `${path} now`);
  return rest;
}

describe("monitoring endpoints of a single server", () => {
  let srv: RunningServer;
  let port: number;
  let activity: Activity;

  before(async () => {
    srv = await startServer({ port: -1, httpPort: -1 });
    port = srv.monitorPort!;
    activity = await standardActivity(srv.port, goneClosed(port));
  });
  after(async () => {
    activity.close();
    await srv.close();
  });

  test("/healthz answers compact ok, and decodes its parameters", async () => {
    for (const q of ["", "?js-enabled-only=true", "?js-server-only=1", "?js-enabled-only=1&js-server-only=1", "?js-enabled=1"]) {
      const r = await get(port, `/healthz${q}`);
      assert.deepEqual([r.status, r.text], [200, '{"status":"ok"}'], q);
    }
    const bad = await get(port, "/healthz?js-enabled-only=foo");
    assert.deepEqual([bad.status, bad.text], [400, `Error decoding boolean for 'js-enabled-only': strconv.ParseBool: parsing "foo": invalid syntax`]);
  });

  test("/routez, /gatewayz and /leafz: nothing connected", async () => {
    assert.deepEqual(await stable(port, "/routez?subs=detail"), { num_routes: 0, routes: [] });
    assert.deepEqual(await stable(port, "/gatewayz?accs=1"), { outbound_gateways: {}, inbound_gateways: {} });
    assert.deepEqual(await stable(port, "/leafz?subs=1"), { leafnodes: 0, leafs: null });
    for (const [path, param] of [["/routez", "subs"], ["/gatewayz", "accs"], ["/leafz", "subs"]] as const) {
      const r = await get(port, `${path}?${param}=x`);
      assert.deepEqual([r.status, r.text], [400, `Error decoding boolean for '${param}': strconv.ParseBool: parsing "x": invalid syntax`]);
    }
  });

  test("/accountz lists the global account and details it", async () => {
    assert.deepEqual(await stable(port, "/accountz"), { accounts: ["$G"] });
    const d = (await stable(port, "/accountz?acc=$G")).account_detail as Record<string, unknown>;
    assert.deepEqual(Object.keys(d), [
      "account_name", "update_time", "expired", "complete", "jetstream_enabled", "leafnode_connections",
      "client_connections", "subscriptions", "sublist_stats",
    ]);
    assert.deepEqual([d.account_name, d.expired, d.complete, d.jetstream_enabled, d.client_connections, d.subscriptions], ["$G", false, true, false, 2, 3]);
    assert.equal((d.sublist_stats as Record<string, unknown>).num_subscriptions, 3);
    const r = await get(port, "/accountz?acc=nope");
    assert.deepEqual([r.status, r.text], [400, "Account nope does not exist"]);
  });

  test("/accstatz counts the account's connections and messages", async () => {
    const expected = {
      account_statz: [{ acc: "$G", conns: 2, leafnodes: 0, total_conns: 2, sent: { msgs: 2, bytes: 7 }, received: { msgs: 2, bytes: 7 }, slow_consumers: 0 }],
    };
    assert.deepEqual(await stable(port, "/accstatz"), expected);
    assert.deepEqual(await stable(port, "/accstatz?unused=1"), expected);
  });

  test("/jsz with JetStream off: nats-server's disabled answer; leader-only is filtered out", async () => {
    const j = await getJson(port, "/jsz?accounts=1");
    assert.deepEqual(Object.keys(j).slice(0, 3), ["server_id", "now", "disabled"]);
    const { server_id: _i, now: _n, ...rest } = j;
    assert.deepEqual(rest, {
      disabled: true,
      config: { max_memory: 0, max_storage: 0 },
      memory: 0,
      storage: 0,
      reserved_memory: 0,
      reserved_storage: 0,
      accounts: 0,
      ha_assets: 0,
      api: { total: 0, errors: 0 },
      streams: 0,
      consumers: 0,
      messages: 0,
      bytes: 0,
    });
    const r = await get(port, "/jsz?leader-only=true");
    assert.deepEqual([r.status, r.text], [400, "filtered response: not leader"]);
  });
});

describe("JetStream in the monitor", () => {
  test("configured but not running: /healthz is 503 unavailable whatever the parameters", async (t) => {
    const srv = await startServer({ port: -1, httpPort: -1, jetstream: { enabled: true, storeDir: mkdtempSync(join(tmpdir(), "tsnats-mon-")) } });
    t.after(() => srv.close());
    for (const q of ["", "?js-enabled-only=1", "?js-server-only=1"]) {
      const r = await get(srv.monitorPort!, `/healthz${q}`);
      assert.equal(r.status, 503, q);
      assert.deepEqual(JSON.parse(r.text), { status: "unavailable", error: "JetStream not enabled (10076)" });
    }
  });

  test("running: /varz and /jsz show its configuration, /healthz is ok", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "tsnats-mon-"));
    const srv = await startServer({ port: -1, httpPort: -1, jetstream: { enabled: true, storeDir: dir, maxMemory: 1 << 20, maxStore: -1, domain: "hub" } });
    t.after(() => srv.close());
    // What the JetStream layer does once it serves $JS.API.
    srv.server.jetStreamEnabled = true;
    const port = srv.monitorPort!;
    const js = (await getJson(port, "/varz")).jetstream as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(js), ["config", "stats"]);
    assert.equal(js.config!.max_memory, 1 << 20);
    assert.ok((js.config!.max_storage as number) > 0, "a -1 store limit is resolved from the disk");
    assert.equal(js.config!.store_dir, join(dir, "jetstream"));
    assert.equal(js.config!.domain, "hub");
    assert.deepEqual(Object.keys(js.stats!), ["memory", "storage", "reserved_memory", "reserved_storage", "accounts", "ha_assets", "api"]);
    const j = await getJson(port, "/jsz");
    assert.equal(j.disabled, undefined);
    assert.deepEqual(j.config, js.config);
    assert.equal((await get(port, "/healthz")).text, '{"status":"ok"}');
    assert.equal(((await getJson(port, "/accountz?acc=$G")).account_detail as Record<string, unknown>).jetstream_enabled, true);
  });
});
