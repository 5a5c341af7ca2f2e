/** /varz of an embedded server after a known client activity. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { NATS_VERSION, startServer, type RunningServer } from "../../src/index.js";
import { goneClosed, get, getJson, standardActivity, type Activity } from "./support.js";

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

describe("/varz", () => {
  let srv: RunningServer;
  let port: number;
  let activity: Activity;
  /** /varz subscriptions before any client: the server's own (system services), as nats-server counts. */
  let ownSubs: number;

  before(async () => {
    srv = await startServer({ port: -1, httpPort: -1, serverTags: ["region:x"], maxSubscriptions: 100 });
    port = srv.monitorPort!;
    ownSubs = (await getJson(port, "/varz")).subscriptions as number;
    activity = await standardActivity(srv.port, goneClosed(port));
  });
  after(async () => {
    activity.close();
    await srv.close();
  });

  test("fields come in nats-server's order, without the blocks that do not apply", async () => {
    const v = await getJson(port, "/varz");
    assert.deepEqual(Object.keys(v), [
      "server_id", "server_name", "version", "proto", "go", "host", "port", "max_connections", "max_subscriptions",
      "ping_interval", "ping_max", "http_host", "http_port", "http_base_path", "https_port", "auth_timeout",
      "max_control_line", "max_payload", "max_pending", "cluster", "gateway", "leaf", "mqtt", "websocket", "jetstream",
      "tls_timeout", "write_deadline", "start", "now", "uptime", "mem", "cores", "gomaxprocs", "cpu", "connections",
      "total_connections", "routes", "remotes", "leafnodes", "in_msgs", "out_msgs", "in_bytes", "out_bytes",
      "slow_consumers", "subscriptions", "http_req_stats", "config_load_time", "tags", "system_account",
    ]);
    for (const block of ["cluster", "gateway", "leaf", "mqtt", "websocket", "jetstream"]) assert.deepEqual(v[block], {}, block);
  });

  test("identity, options and formats", async () => {
    const v = await getJson(port, "/varz");
    assert.equal(v.server_id, srv.server.id);
    assert.equal(v.server_name, srv.server.id);
    assert.equal(v.version, NATS_VERSION);
    assert.equal(v.proto, 1);
    assert.match(String(v.go), /^tsnats\/\S+ node\/v\d+\./);
    assert.equal(v.host, "127.0.0.1");
    assert.equal(v.port, srv.port);
    assert.equal(v.max_subscriptions, 100);
    assert.equal(v.ping_interval, 120_000_000_000);
    assert.equal(v.write_deadline, 10_000_000_000);
    assert.equal(v.auth_timeout, 2);
    assert.equal(v.http_port, -1);
    assert.equal(v.max_payload, 1024 * 1024);
    assert.deepEqual(v.tags, ["region:x"]);
    for (const k of ["start", "now", "config_load_time"]) assert.match(String(v[k]), RFC3339, k);
    assert.match(String(v.uptime), /^(\d+[ydhm])*\d+s$/);
    assert.ok(typeof v.mem === "number" && v.mem > 1_000_000, `mem ${v.mem}`);
    assert.ok(typeof v.cores === "number" && v.cores >= 1);
    assert.equal(typeof v.cpu, "number");
    assert.equal(v.system_account, "$SYS");
  });

  test("counters reflect the connections and messages", async () => {
    const v = await getJson(port, "/varz");
    assert.equal(v.connections, 2);
    assert.equal(v.total_connections, 3);
    assert.equal(v.in_msgs, 2);
    assert.equal(v.out_msgs, 2);
    assert.equal(v.in_bytes, 7);
    assert.equal(v.out_bytes, 7);
    // alpha's three on top of the server's own; gone's one was removed with it.
    assert.equal(v.subscriptions, ownSubs + 3);
    assert.equal(v.slow_consumers, 0);
  });

  test("the server's own subscriptions count: the same figure as /subsz and the accounts' sum", async () => {
    assert.ok(ownSubs > 0, "the system account's services subscribe");
    const v = await getJson(port, "/varz");
    assert.equal(v.subscriptions, (await getJson(port, "/subsz")).num_subscriptions);
    let sum = 0;
    for (const acc of (await getJson(port, "/accountz")).accounts as string[]) {
      sum += ((await getJson(port, `/accountz?acc=${encodeURIComponent(acc)}`)).account_detail as { subscriptions: number }).subscriptions;
    }
    assert.equal(v.subscriptions, sum);
  });

  test("http_req_stats counts requests per endpoint, sorted, /subscriptionsz as /subsz", async () => {
    const before = (await getJson(port, "/varz")).http_req_stats as Record<string, number>;
    await get(port, "/connz");
    await get(port, "/connz?sort=bogus"); // counted: the parameters decoded, the sort is refused after
    await get(port, "/connz?limit=x"); // not counted: a parameter failed to decode
    await get(port, "/subscriptionsz");
    await get(port, "/");
    await get(port, "/nothing");
    const stats = (await getJson(port, "/varz")).http_req_stats as Record<string, number>;
    assert.equal(stats["/connz"], (before["/connz"] ?? 0) + 2);
    assert.equal(stats["/subsz"], (before["/subsz"] ?? 0) + 1);
    assert.equal(stats["/"], (before["/"] ?? 0) + 1);
    assert.equal(stats["/varz"], before["/varz"]! + 1);
    assert.equal(stats["/nothing"], undefined);
    assert.deepEqual(Object.keys(stats), Object.keys(stats).sort());
  });
});

describe("/varz without a system account", () => {
  test("no_system_account: system_account is left out, as nats-server does", async (t) => {
    const srv = await startServer({ port: -1, httpPort: -1, noSystemAccount: true });
    t.after(() => srv.close());
    const v = await getJson(srv.monitorPort!, "/varz");
    assert.equal(v.system_account, undefined);
    assert.equal(Object.keys(v).at(-1), "config_load_time");
  });
});
