/** /healthz, /routez, /gatewayz, /leafz, /accountz, /accstatz and /jsz of a server without clustering. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type RunningServer } from "../../src/index.js";
import { freePort, natsServerAvailable, startServerProcess, tempFile } from "../helpers/server-process.js";
import { ACCOUNTS_CONFIG, goneClosed, get, getJson, standardActivity, startConfigured, until, type Activity } from "./support.js";

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
  /** The global account's subscriptions before any client (the system services it imports). */
  let ownGlobalSubs: number;

  before(async () => {
    srv = await startServer({ port: -1, httpPort: -1 });
    port = srv.monitorPort!;
    ownGlobalSubs = ((await getJson(port, "/accountz?acc=$G")).account_detail as { subscriptions: number }).subscriptions;
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

  test("/accountz lists every account, the system account named", async () => {
    assert.deepEqual(await stable(port, "/accountz"), { system_account: "$SYS", accounts: ["$G", "$SYS"] });
    const r = await get(port, "/accountz?acc=nope");
    assert.deepEqual([r.status, r.text], [400, "Account nope does not exist"]);
  });

  test("/accountz?acc=$G: counts, Sublist statistics and the system services it imports", async () => {
    const body = await stable(port, "/accountz?acc=$G");
    assert.deepEqual(Object.keys(body), ["system_account", "account_detail"]);
    const d = body.account_detail as Record<string, unknown>;
    assert.deepEqual(Object.keys(d), [
      "account_name", "update_time", "expired", "complete", "jetstream_enabled", "leafnode_connections",
      "client_connections", "subscriptions", "imports", "sublist_stats",
    ]);
    assert.deepEqual([d.account_name, d.expired, d.complete, d.jetstream_enabled, d.client_connections], ["$G", false, true, false, 2]);
    // alpha's three on top of what the account had before any client.
    assert.equal(d.subscriptions, ownGlobalSubs + 3);
    assert.equal((d.sublist_stats as Record<string, unknown>).num_subscriptions, d.subscriptions);
    assert.deepEqual(d.imports, ["CONNZ", "STATZ"].map((x) => ({
      subject: `$SYS.REQ.ACCOUNT.PING.${x}`, account: "$SYS", to: `$SYS.REQ.ACCOUNT.$G.${x}`, type: "service", invalid: false, share: false, tracking: false,
    })));
  });

  test("/accountz?acc=$SYS: the system account and what it exports", async () => {
    const d = (await stable(port, "/accountz?acc=$SYS")).account_detail as Record<string, unknown>;
    assert.deepEqual(Object.keys(d).slice(0, 4), ["account_name", "update_time", "is_system", "expired"]);
    assert.deepEqual([d.account_name, d.is_system, d.client_connections, d.imports], ["$SYS", true, 0, undefined]);
    assert.deepEqual(d.exports, [
      { subject: "$SYS.REQ.ACCOUNT.*.CONNZ", type: "service", response_type: "Streamed" },
      { subject: "$SYS.REQ.ACCOUNT.*.STATZ", type: "service", response_type: "Streamed" },
    ]);
    assert.equal(d.subscriptions, (await getJson(port, "/subsz?acc=$SYS")).num_subscriptions);
  });

  test("/accstatz counts the accounts' connections and messages; unused adds the idle ones", async () => {
    const global = { acc: "$G", conns: 2, leafnodes: 0, total_conns: 2, sent: { msgs: 2, bytes: 7 }, received: { msgs: 2, bytes: 7 }, slow_consumers: 0 };
    const sys = { acc: "$SYS", conns: 0, leafnodes: 0, total_conns: 0, sent: { msgs: 0, bytes: 0 }, received: { msgs: 0, bytes: 0 }, slow_consumers: 0 };
    assert.deepEqual(await stable(port, "/accstatz"), { account_statz: [global] });
    assert.deepEqual(await stable(port, "/accstatz?unused=1"), { account_statz: [global, sys] });
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
  test("running: /varz and /jsz show its configuration, /healthz is ok, accounts have it", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "tsnats-mon-"));
    const srv = await startServer({ port: -1, httpPort: -1, jetstream: { enabled: true, storeDir: dir, maxMemory: 1 << 20, maxStore: -1, domain: "hub" } });
    t.after(() => srv.close());
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
    for (const q of ["", "?js-enabled-only=1", "?js-server-only=1"]) assert.equal((await get(port, `/healthz${q}`)).text, '{"status":"ok"}', q);
    const detail = async (acc: string) => ((await getJson(port, `/accountz?acc=${acc}`)).account_detail as Record<string, unknown>).jetstream_enabled;
    assert.equal(await detail("$G"), true);
    assert.equal(await detail("$SYS"), false, "the system account never has JetStream");
  });
});

/**
 * JetStream configured but not running: a reload that enables it with a store directory that is a file.
 * JetStream cannot start at boot with such a directory (both servers refuse to start), so a reload is
 * the way into that state; nats-server tries to start JetStream and fails, tsnats does not start it on
 * reload. Either way /healthz must say so.
 */
for (const impl of ["tsnats", "nats-server"] as const) {
  describe(`/healthz with JetStream configured but not running [${impl}]`, { skip: impl === "nats-server" && !natsServerAvailable() ? "nats-server is not installed" : false }, () => {
    test("503 unavailable, as plain text, whatever the parameters; /jsz is disabled", async (t) => {
      const storeDir = tempFile("not-a-dir", "");
      const mport = await freePort();
      const conf = (enabled: boolean) => `jetstream { enabled: ${enabled}, store_dir: "${storeDir}" }\n`;
      const file = tempFile("server.conf", conf(false));
      const srv = await startServerProcess({ impl, args: ["-c", file, "-m", String(mport)] });
      t.after(() => srv.stop("SIGKILL"));
      assert.equal((await get(mport, "/healthz")).text, '{"status":"ok"}');
      writeFileSync(file, conf(true));
      process.kill(srv.pid, "SIGHUP");
      await until(async () => (await get(mport, "/healthz")).status === 503, 5000, "/healthz to turn 503 after the reload");
      for (const q of ["", "?js-enabled-only=1", "?js-server-only=1"]) {
        const r = await get(mport, `/healthz${q}`);
        assert.equal(r.status, 503, q);
        assert.equal(r.text, '{"status":"unavailable","error":"JetStream not enabled (10076)"}', q);
        assert.equal(r.headers.get("content-type"), "text/plain; charset=utf-8", q);
        assert.equal(r.headers.get("access-control-allow-origin"), null, q);
      }
      assert.equal((await getJson(mport, "/jsz")).disabled, true);
    });
  });
}

describe("/accountz with configured accounts", () => {
  test("every account is listed; exports and imports in nats-server's form", async (t) => {
    const srv = await startConfigured(ACCOUNTS_CONFIG);
    t.after(() => srv.close());
    const port = srv.monitorPort!;
    const list = await stable(port, "/accountz");
    assert.equal(list.system_account, "SYS");
    assert.deepEqual([...(list.accounts as string[])].sort(), ["$G", "A", "B", "SYS"]);
    const detail = async (acc: string) => (await stable(port, `/accountz?acc=${acc}`)).account_detail as Record<string, unknown>;
    const sysImports = (acc: string) =>
      ["CONNZ", "STATZ"].map((x) => ({ subject: `$SYS.REQ.ACCOUNT.PING.${x}`, account: "SYS", to: `$SYS.REQ.ACCOUNT.${acc}.${x}`, type: "service", invalid: false, share: false, tracking: false }));
    const a = await detail("A");
    assert.deepEqual(a.exports, [
      { subject: "svc.>", type: "service", response_type: "Streamed", approved_accounts: ["B"] },
      { subject: "ev.>", type: "stream" },
    ]);
    assert.deepEqual(a.imports, sysImports("A"));
    const b = await detail("B");
    assert.equal(b.exports, undefined);
    assert.deepEqual(b.imports, [
      { subject: "ev.>", account: "A", local_subject: "fromA.ev.>", type: "stream", invalid: false, share: false, tracking: false },
      { subject: "asvc", account: "A", to: "svc.x", type: "service", invalid: false, share: false, tracking: false },
      ...sysImports("B"),
    ]);
    const sys = await detail("SYS");
    assert.equal(sys.is_system, true);
    assert.equal((await detail("$G")).is_system, undefined);
  });
});
