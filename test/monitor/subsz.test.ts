/** /subsz and /subscriptionsz of an embedded server after a known client activity. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type RunningServer } from "../../src/index.js";
import { goneClosed, get, getJson, standardActivity, type Activity } from "./support.js";

const STATS_KEYS = ["num_subscriptions", "num_cache", "num_inserts", "num_removes", "num_matches", "cache_hit_rate", "max_fanout", "avg_fanout"];

type Stats = Record<string, number>;
type Detail = Record<string, unknown>;

describe("/subsz", () => {
  let srv: RunningServer;
  let port: number;
  let activity: Activity;
  /** Before any client: the server's own subscriptions (system services), which nats-server counts too. */
  let own: Stats;
  let ownGlobal: Stats;

  before(async () => {
    srv = await startServer({ port: -1, httpPort: -1 });
    port = srv.monitorPort!;
    own = (await getJson(port, "/subsz")) as Stats;
    ownGlobal = (await getJson(port, "/subsz?acc=$G")) as Stats;
    activity = await standardActivity(srv.port, goneClosed(port));
  });
  after(async () => {
    activity.close();
    await srv.close();
  });

  test("a fresh server already counts its own subscriptions, and lists every one of them", async (t) => {
    const fresh = await startServer({ port: -1, httpPort: -1 });
    t.after(() => fresh.close());
    const s = await getJson(fresh.monitorPort!, "/subsz?subs=1");
    assert.ok((s.num_subscriptions as number) > 0, "the system account's services subscribe");
    assert.equal(s.num_inserts, s.num_subscriptions);
    assert.equal(s.total, s.num_subscriptions, "every subscription is listed");
    const list = s.subscriptions_list as Detail[];
    assert.ok(list.every((d) => d.cid === 0), "no client yet: all the server's own, with cid 0");
    assert.deepEqual([...new Set(list.map((d) => d.account))].sort(), ["$G", "$SYS"]);
    assert.ok(list.some((d) => d.account === "$SYS" && d.subject === "$SYS.REQ.SERVER.PING"));
  });

  test("without subs: the Sublist statistics alone, the clients' on top of the server's own", async () => {
    const s = await getJson(port, "/subsz");
    assert.deepEqual(Object.keys(s), STATS_KEYS);
    // alpha's three remain; gone's one was inserted and removed.
    assert.equal(s.num_subscriptions, own.num_subscriptions! + 3);
    assert.equal(s.num_inserts, own.num_inserts! + 4);
    assert.equal(s.num_removes, own.num_removes! + 1);
    // Two publishes matched in the global account (system events match in $SYS).
    const g = await getJson(port, "/subsz?acc=$G");
    assert.equal(g.num_matches, ownGlobal.num_matches! + 2);
    assert.deepEqual(await getJson(port, "/subscriptionsz"), s);
  });

  test("subs=1 lists every subscription with its account", async () => {
    const s = await getJson(port, "/subsz?subs=1");
    assert.deepEqual(Object.keys(s), ["server_id", "now", ...STATS_KEYS, "total", "offset", "limit", "subscriptions_list"]);
    assert.deepEqual([s.total, s.offset, s.limit], [s.num_subscriptions, 0, 1024]);
    const clients = (s.subscriptions_list as Detail[]).filter((d) => d.cid !== 0);
    const bySid = new Map(clients.map((d) => [d.sid, d]));
    assert.equal(clients.length, 3);
    assert.deepEqual(bySid.get("2"), { account: "$G", subject: "bar", qgroup: "q1", sid: "2", msgs: 1, cid: 1 });
    assert.deepEqual(bySid.get("1"), { account: "$G", subject: "foo", sid: "1", msgs: 1, cid: 1 });
    assert.deepEqual(bySid.get("3"), { account: "$G", subject: "foo.\u003e", sid: "3", msgs: 0, cid: 1 });
  });

  test("test= keeps the subscriptions a publish would reach; offset/limit page them, total is the page size", async () => {
    const subjects = async (q: string) => ((await getJson(port, `/subsz?subs=1&${q}`)).subscriptions_list as { subject: string }[]).map((d) => d.subject).sort();
    assert.deepEqual(await subjects("test=foo"), ["foo"]);
    assert.deepEqual(await subjects("test=foo.bar"), ["foo.>"]);
    const paged = await getJson(port, "/subsz?subs=1&offset=1&limit=1");
    assert.deepEqual([paged.total, paged.offset, paged.limit, (paged.subscriptions_list as unknown[]).length], [1, 1, 1, 1]);
    // Nothing to list: the statistics alone, as without subs.
    assert.deepEqual(Object.keys(await getJson(port, "/subsz?subs=1&test=nobody")), STATS_KEYS);
    assert.deepEqual(Object.keys(await getJson(port, "/subsz?subs=1&offset=100000")), STATS_KEYS);
  });

  test("acc= narrows to one account; an unknown one has nothing", async () => {
    assert.equal((await getJson(port, "/subsz?acc=$G")).num_subscriptions, ownGlobal.num_subscriptions! + 3);
    const sys = await getJson(port, "/subsz?acc=$SYS&subs=1");
    assert.ok((sys.subscriptions_list as Detail[]).every((d) => d.account === "$SYS" && d.cid === 0));
    assert.equal(sys.num_subscriptions, own.num_subscriptions! - ownGlobal.num_subscriptions!);
    const none = await getJson(port, "/subsz?subs=1&acc=nope");
    assert.deepEqual(Object.keys(none), STATS_KEYS);
    assert.equal(none.num_subscriptions, 0);
  });

  test("a wildcard or malformed test subject is refused", async () => {
    for (const t of ["foo.*", "foo..bar", "foo.>"]) {
      const r = await get(port, `/subsz?subs=1&test=${encodeURIComponent(t)}`);
      assert.equal(r.status, 400, t);
      assert.equal(r.text, `invalid test subject, must be valid publish subject: ${t}`);
    }
    const bad = await get(port, "/subsz?subs=maybe");
    assert.equal(bad.text, `Error decoding boolean for 'subs': strconv.ParseBool: parsing "maybe": invalid syntax`);
  });
});
