/**
 * Monitoring over the system account through nats.js: `$SYS.REQ.SERVER.PING.<X>`, `$SYS.REQ.SERVER.<id>.<X>`
 * and `$SYS.REQ.ACCOUNT.<acc>.<X>` answer with the same data as the HTTP endpoints, the request body
 * holding nats-server's JSON options, the reply wrapped as {"server":…,"data":…}.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { RunningServer } from "../../src/index.js";
import { ACCOUNTS_CONFIG, getJson, startConfigured } from "./support.js";

type Json = Record<string, any>;

async function ask(nc: NatsConnection, subject: string, options?: Json): Promise<Json> {
  const m = await nc.request(subject, options === undefined ? "" : JSON.stringify(options), { timeout: 3000 });
  return m.json<Json>();
}

/** The data of a successful reply; fails with the reply otherwise. */
async function data(nc: NatsConnection, subject: string, options?: Json): Promise<Json> {
  const r = await ask(nc, subject, options);
  assert.ok("data" in r && !("error" in r), `${subject}: ${JSON.stringify(r)}`);
  return r.data;
}

describe("monitoring requests over $SYS", () => {
  let srv: RunningServer;
  let sys: NatsConnection;
  let a: NatsConnection;
  let b: NatsConnection;

  before(async () => {
    srv = await startConfigured(ACCOUNTS_CONFIG);
    sys = await connect({ servers: srv.url, user: "sys", pass: "sys", name: "sys" });
    a = await connect({ servers: srv.url, user: "a", pass: "a", name: "a" });
    b = await connect({ servers: srv.url, user: "b", pass: "b", name: "b" });
    a.subscribe("ev.a");
    b.subscribe("fromA.ev.>");
    await Promise.all([a.flush(), b.flush()]);
  });
  after(async () => {
    await Promise.all([sys, a, b].map((c) => c.close()));
    await srv.close();
  });

  test("PING.VARZ and <id>.VARZ: /varz with the server envelope, not counted as HTTP requests", async () => {
    const port = srv.monitorPort!;
    const before = (await getJson(port, "/varz")).http_req_stats as Json;
    const r = await ask(sys, "$SYS.REQ.SERVER.PING.VARZ");
    assert.deepEqual(Object.keys(r), ["server", "data"]);
    assert.equal(r.server.id, srv.server.id);
    assert.equal(r.data.server_id, srv.server.id);
    assert.equal(r.data.system_account, "SYS");
    assert.deepEqual(r.data.http_req_stats, before, "what the HTTP listener counted, and nothing more");
    assert.equal(r.data.connections, 3);
    assert.equal(r.data.subscriptions, (await getJson(port, "/subsz")).num_subscriptions);
    const byId = await data(sys, `$SYS.REQ.SERVER.${srv.server.id}.VARZ`);
    assert.equal(byId.server_id, srv.server.id);
  });

  test("CONNZ takes ConnzOptions: auth, subscriptions, acc, state (as a number)", async () => {
    const all = await data(sys, "$SYS.REQ.SERVER.PING.CONNZ", { auth: true, subscriptions: true, sort: "cid" });
    assert.deepEqual(all.connections.map((c: Json) => [c.name, c.authorized_user, c.account]), [["sys", "sys", "SYS"], ["a", "a", "A"], ["b", "b", "B"]]);
    assert.deepEqual(all.connections[1].subscriptions_list, ["ev.a"]);
    const onlyA = await data(sys, "$SYS.REQ.SERVER.PING.CONNZ", { acc: "A" });
    assert.deepEqual(onlyA.connections.map((c: Json) => c.name), ["a"]);
    const detail = await data(sys, "$SYS.REQ.SERVER.PING.CONNZ", { acc: "B", subscriptions_detail: true });
    assert.deepEqual(detail.connections[0].subscriptions_list_detail.map((d: Json) => d.subject), ["fromA.ev.>"]);
    const closed = await data(sys, "$SYS.REQ.SERVER.PING.CONNZ", { state: 1 });
    assert.deepEqual([closed.total, closed.connections], [0, []]);
  });

  test("a request nats-server refuses gets an error reply, without data", async () => {
    for (const body of [{ sort: "bogus" }, { limit: "x" }, { state: "closed" }]) {
      const r = await ask(sys, "$SYS.REQ.SERVER.PING.CONNZ", body);
      assert.equal(r.data ?? null, null, JSON.stringify(body));
      assert.equal(typeof r.error.code, "number", JSON.stringify(body));
    }
    const unknown = await ask(sys, "$SYS.REQ.SERVER.PING.ACCOUNTZ", { account: "NOPE" });
    assert.ok(unknown.error !== undefined);
  });

  test("SUBSZ answers the whole Subsz, with the list when asked", async () => {
    const s = await data(sys, "$SYS.REQ.SERVER.PING.SUBSZ");
    assert.deepEqual(Object.keys(s), [
      "server_id", "now", "num_subscriptions", "num_cache", "num_inserts", "num_removes", "num_matches", "cache_hit_rate",
      "max_fanout", "avg_fanout", "total", "offset", "limit",
    ]);
    assert.equal(s.num_subscriptions, (await getJson(srv.monitorPort!, "/subsz")).num_subscriptions);
    const ev = await data(sys, "$SYS.REQ.SERVER.PING.SUBSZ", { subscriptions: true, test: "ev.a" });
    assert.deepEqual(ev.subscriptions_list.map((d: Json) => [d.account, d.subject]).sort(), [["A", "ev.>"], ["A", "ev.a"]], "a's own and B's stream import");
    const paged = await data(sys, "$SYS.REQ.SERVER.PING.SUBSZ", { subscriptions: true, account: "B", limit: 1 });
    assert.deepEqual([paged.total, paged.limit, paged.subscriptions_list.length], [1, 1, 1]);
  });

  test("ACCOUNTZ, JSZ, HEALTHZ, ROUTEZ, GATEWAYZ, LEAFZ", async () => {
    const list = await data(sys, "$SYS.REQ.SERVER.PING.ACCOUNTZ");
    assert.deepEqual([...list.accounts].sort(), ["$G", "A", "B", "SYS"]);
    const bz = await data(sys, "$SYS.REQ.SERVER.PING.ACCOUNTZ", { account: "B" });
    assert.deepEqual(bz.account_detail.imports[0], { subject: "ev.>", account: "A", local_subject: "fromA.ev.>", type: "stream", invalid: false, share: false, tracking: false });
    assert.equal((await data(sys, "$SYS.REQ.SERVER.PING.JSZ")).disabled, true);
    assert.deepEqual(await data(sys, "$SYS.REQ.SERVER.PING.HEALTHZ"), { status: "ok" });
    assert.deepEqual((await data(sys, "$SYS.REQ.SERVER.PING.ROUTEZ")).routes, []);
    assert.deepEqual((await data(sys, "$SYS.REQ.SERVER.PING.GATEWAYZ")).outbound_gateways, {});
    assert.equal((await data(sys, "$SYS.REQ.SERVER.PING.LEAFZ")).leafs, null);
  });

  test("$SYS.REQ.ACCOUNT.<acc>.<X> is about that account", async () => {
    const connz = await data(sys, "$SYS.REQ.ACCOUNT.A.CONNZ");
    assert.deepEqual(connz.connections.map((c: Json) => c.name), ["a"]);
    // Account SUBSZ always lists (nats-server forces `subscriptions`), only the account's own.
    const subsz = await data(sys, "$SYS.REQ.ACCOUNT.B.SUBSZ");
    assert.ok(subsz.subscriptions_list.every((d: Json) => d.account === "B"));
    assert.equal(subsz.total, subsz.num_subscriptions);
    assert.ok(subsz.subscriptions_list.some((d: Json) => d.subject === "fromA.ev.>" && d.cid > 0));
    const info = await data(sys, "$SYS.REQ.ACCOUNT.A.INFO");
    assert.equal(info.account_name, "A");
    assert.equal(info.client_connections, 1);
    assert.deepEqual(info.exports.map((x: Json) => x.subject), ["svc.>", "ev.>"]);
    assert.equal((await data(sys, "$SYS.REQ.ACCOUNT.A.LEAFZ")).leafnodes, 0);
    const noJs = await ask(sys, "$SYS.REQ.ACCOUNT.A.JSZ");
    assert.ok(noJs.error !== undefined, "no JetStream: an error reply");
  });

  test("any account asks about itself with $SYS.REQ.ACCOUNT.PING.CONNZ", async () => {
    const own = await data(b, "$SYS.REQ.ACCOUNT.PING.CONNZ");
    assert.deepEqual(own.connections.map((c: Json) => c.name), ["b"]);
  });
});

describe("JetStream over $SYS", () => {
  test("$SYS.REQ.ACCOUNT.<acc>.JSZ details the account; PING.JSZ takes JSzOptions", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "tsnats-mon-"));
    const config = ACCOUNTS_CONFIG.replace("A: { users", "A: { jetstream: enabled, users") + `jetstream { store_dir: "${dir}" }\n`;
    const srv = await startConfigured(config);
    t.after(() => srv.close());
    const sys = await connect({ servers: srv.url, user: "sys", pass: "sys" });
    t.after(() => sys.close());
    const acc = await data(sys, "$SYS.REQ.ACCOUNT.A.JSZ");
    assert.deepEqual([acc.name, acc.id], ["A", "A"]);
    assert.ok((await ask(sys, "$SYS.REQ.ACCOUNT.B.JSZ")).error !== undefined, "B has no JetStream");
    const jsz = await data(sys, "$SYS.REQ.SERVER.PING.JSZ", { accounts: true });
    assert.equal(jsz.config.store_dir, join(dir, "jetstream"));
    assert.ok(jsz.account_details.some((d: Json) => d.name === "A"));
    assert.equal((await data(sys, "$SYS.REQ.SERVER.PING.JSZ")).account_details, undefined);
    assert.deepEqual(await data(sys, "$SYS.REQ.SERVER.PING.HEALTHZ"), { status: "ok" });
  });
});
