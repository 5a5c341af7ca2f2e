/** /connz of an embedded server: two open connections and one closed, then auth filters on another. */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { startServer, type RunningServer } from "../../src/index.js";
import { rfc3339ToNanos } from "../../src/util/nanos.js";
import { ACCOUNTS_CONFIG, goneClosed, get, getJson, rawClient, standardActivity, startConfigured, type Activity } from "./support.js";

type Conn = Record<string, unknown>;

const conns = async (port: number, query: string): Promise<{ body: Record<string, unknown>; list: Conn[] }> => {
  const body = await getJson(port, `/connz${query}`);
  return { body, list: body.connections as Conn[] };
};

describe("/connz", () => {
  let srv: RunningServer;
  let port: number;
  let activity: Activity;
  // cids in connection order: alpha, beta, gone
  const [ALPHA, BETA, GONE] = [1, 2, 3];

  before(async () => {
    srv = await startServer({ port: -1, httpPort: -1 });
    port = srv.monitorPort!;
    activity = await standardActivity(srv.port, goneClosed(port));
  });
  after(async () => {
    activity.close();
    await srv.close();
  });

  test("open connections by cid, in nats-server's field order", async () => {
    const { body, list } = await conns(port, "");
    assert.deepEqual(Object.keys(body), ["server_id", "now", "num_connections", "total", "offset", "limit", "connections"]);
    assert.equal(body.server_id, srv.server.id);
    assert.deepEqual([body.num_connections, body.total, body.offset, body.limit], [2, 2, 0, 1024]);
    assert.deepEqual(list.map((c) => c.cid), [ALPHA, BETA]);
    const alpha = list[0]!;
    assert.deepEqual(Object.keys(alpha), [
      "cid", "kind", "type", "ip", "port", "start", "last_activity", "rtt", "uptime", "idle", "pending_bytes",
      "in_msgs", "out_msgs", "in_bytes", "out_bytes", "subscriptions", "name", "lang", "version",
    ]);
    assert.deepEqual([alpha.kind, alpha.type, alpha.ip], ["Client", "nats", "127.0.0.1"]);
    assert.equal(alpha.port, activity.alpha.socket.localPort);
    assert.deepEqual([alpha.name, alpha.lang, alpha.version], ["alpha", "node", "1.2.3"]);
    assert.deepEqual([alpha.in_msgs, alpha.out_msgs, alpha.in_bytes, alpha.out_bytes, alpha.subscriptions], [0, 2, 0, 7, 3]);
    assert.match(String(alpha.rtt), /^(0s|\d+(\.\d+)?(ns|µs|ms|s))$/);
    assert.match(String(alpha.uptime), /^\d+s$/);
    const beta = list[1]!;
    assert.deepEqual([beta.in_msgs, beta.in_bytes, beta.subscriptions], [2, 7, 0]);
    assert.equal(beta.name, undefined, "empty CONNECT strings are left out");
  });

  test("subs=1 lists subjects; subs=detail lists SubDetail without the account", async () => {
    const plain = await get(port, "/connz?subs=1");
    assert.ok(plain.text.includes('"foo.\\u003e"'), "'>' is escaped as Go does");
    const alpha = (JSON.parse(plain.text).connections as Conn[])[0]!;
    assert.deepEqual([...(alpha.subscriptions_list as string[])].sort(), ["bar", "foo", "foo.>"]);
    const beta = (JSON.parse(plain.text).connections as Conn[])[1]!;
    assert.equal(beta.subscriptions_list, undefined, "no list for a connection without subscriptions");

    const detail = (await conns(port, "?subs=detail")).list[0]!.subscriptions_list_detail as Conn[];
    const bySid = new Map(detail.map((d) => [d.sid, d]));
    assert.deepEqual(bySid.get("1"), { subject: "foo", sid: "1", msgs: 1, cid: ALPHA });
    assert.deepEqual(bySid.get("2"), { subject: "bar", qgroup: "q1", sid: "2", msgs: 1, cid: ALPHA });
    assert.deepEqual(bySid.get("3"), { subject: "foo.>", sid: "3", msgs: 0, cid: ALPHA });
  });

  test("cid picks one connection (limit 1, total of the state); unknown cids give none", async () => {
    const one = await conns(port, `?cid=${BETA}&subs=1`);
    assert.deepEqual([one.body.num_connections, one.body.total, one.body.limit], [1, 2, 1]);
    assert.equal(one.list[0]!.cid, BETA);
    const none = await conns(port, "?cid=99");
    assert.deepEqual([none.body.num_connections, none.body.total, none.list.length], [0, 2, 0]);
    const closed = await conns(port, `?cid=${GONE}&state=closed`);
    assert.equal(closed.list[0]!.cid, GONE);
  });

  test("closed connections carry stop and reason, and their subscriptions with the account", async () => {
    const { body, list } = await conns(port, "?state=closed&subs=detail");
    assert.deepEqual([body.num_connections, body.total], [1, 1]);
    const gone = list[0]!;
    assert.deepEqual(Object.keys(gone).slice(0, 10), ["cid", "kind", "type", "ip", "port", "start", "last_activity", "stop", "reason", "rtt"]);
    assert.equal(gone.reason, "Client Closed");
    assert.equal(gone.name, "gone");
    // Fractions have varying length in Go's RFC 3339 form: compare as times, never as strings.
    assert.ok(rfc3339ToNanos(String(gone.stop)) >= rfc3339ToNanos(String(gone.start)));
    assert.deepEqual(gone.subscriptions_list_detail, [{ account: "$G", subject: "x", sid: "9", msgs: 0, cid: GONE }]);
    const plain = (await conns(port, "?state=closed")).list[0]!;
    assert.equal(plain.subscriptions_list_detail, undefined, "details only when asked");
    const any = await conns(port, "?state=any");
    assert.deepEqual(any.list.map((c) => c.cid), [ALPHA, BETA, GONE]);
    assert.equal(any.body.total, 3);
  });

  test("sorting", async () => {
    const cids = async (q: string) => (await conns(port, q)).list.map((c) => c.cid);
    assert.deepEqual(await cids("?sort=msgs_from"), [BETA, ALPHA]);
    assert.deepEqual(await cids("?sort=bytes_from"), [BETA, ALPHA]);
    assert.deepEqual(await cids("?sort=msgs_to"), [ALPHA, BETA]);
    assert.deepEqual(await cids("?sort=bytes_to"), [ALPHA, BETA]);
    assert.deepEqual(await cids("?sort=subs"), [ALPHA, BETA]);
    assert.deepEqual(await cids("?sort=start"), [ALPHA, BETA]);
    assert.deepEqual(await cids("?sort=stop&state=closed"), [GONE]);
    assert.deepEqual(await cids("?sort=reason&state=closed"), [GONE]);
    for (const key of ["cid", "pending", "uptime", "rtt"]) {
      assert.deepEqual([...(await cids(`?sort=${key}`))].sort(), [ALPHA, BETA], key);
    }
  });

  test("sort=last puts the latest activity first, sort=idle the longest idle", async () => {
    const cids = async (q: string) => (await conns(port, q)).list.map((c) => c.cid);
    // Timestamps have millisecond resolution: keep the two activities apart.
    await new Promise((r) => setTimeout(r, 5));
    await activity.beta.sync();
    assert.deepEqual(await cids("?sort=last"), [BETA, ALPHA]);
    assert.deepEqual(await cids("?sort=idle"), [ALPHA, BETA]);
    await new Promise((r) => setTimeout(r, 5));
    await activity.alpha.sync();
    assert.deepEqual(await cids("?sort=last"), [ALPHA, BETA]);
    assert.deepEqual(await cids("?sort=idle"), [BETA, ALPHA]);
  });

  test("misused and unknown sorts are refused with nats-server's texts", async () => {
    const cases: [string, string][] = [
      ["?sort=stop", "sort by stop only valid on closed connections"],
      ["?sort=reason&state=any", "sort by reason only valid on closed connections"],
      ["?sort=bogus", "invalid sorting option: bogus"],
      ["?subs=foo", `Error decoding boolean for 'subs': strconv.ParseBool: parsing "foo": invalid syntax`],
      ["?auth=2", `Error decoding boolean for 'auth': strconv.ParseBool: parsing "2": invalid syntax`],
      ["?limit=x", `Error decoding int for 'limit': strconv.Atoi: parsing "x": invalid syntax`],
      ["?cid=-1", `Error decoding uint64 for 'cid': strconv.ParseUint: parsing "-1": invalid syntax`],
      ["?state=bogus", "Error decoding state for bogus"],
    ];
    for (const [q, text] of cases) {
      const r = await get(port, `/connz${q}`);
      assert.equal(r.status, 400, q);
      assert.equal(r.text, text, q);
      assert.equal(r.headers.get("content-type"), "text/plain; charset=utf-8");
    }
  });

  test("offset and limit page the sorted list; total stays the whole count", async () => {
    const second = await conns(port, "?offset=1&limit=1");
    assert.deepEqual([second.body.num_connections, second.body.total, second.body.offset, second.body.limit], [1, 2, 1, 1]);
    assert.equal(second.list[0]!.cid, BETA);
    const past = await conns(port, "?offset=5");
    assert.deepEqual([past.body.num_connections, past.body.total, past.list.length], [0, 2, 0]);
    const clamped = await conns(port, "?offset=-4&limit=0");
    assert.deepEqual([clamped.body.offset, clamped.body.limit, clamped.body.num_connections], [0, 1024, 2]);
  });

  test("acc filters by account; an unknown one gets nats-server's bare answer", async () => {
    assert.equal((await conns(port, "?acc=$G")).list.length, 2);
    assert.deepEqual((await conns(port, "?acc=$SYS")).list, []);
    const { now: _now, ...none } = await getJson(port, "/connz?acc=nope&limit=5");
    assert.deepEqual(none, { server_id: "", num_connections: 0, total: 0, offset: 0, limit: 5, connections: null });
  });
});

describe("/connz with users", () => {
  test("auth=1 shows the authorized user; user= filters by it; the global account is not named", async (t) => {
    const srv = await startServer({ port: -1, httpPort: -1, users: [{ user: "ann", password: "a" }, { user: "bob", password: "b" }] });
    t.after(() => srv.close());
    const port = srv.monitorPort!;
    const ann = await rawClient(srv.port, { user: "ann", pass: "a" });
    const bob = await rawClient(srv.port, { user: "bob", pass: "b" });
    t.after(() => {
      ann.destroy();
      bob.destroy();
    });
    const withAuth = (await getJson(port, "/connz?auth=1")).connections as Conn[];
    assert.deepEqual(withAuth.map((c) => c.authorized_user), ["ann", "bob"]);
    assert.ok(withAuth.every((c) => !("account" in c)));
    const without = (await getJson(port, "/connz")).connections as Conn[];
    assert.ok(without.every((c) => !("authorized_user" in c)));
    const onlyBob = await getJson(port, "/connz?user=bob&auth=1");
    assert.deepEqual([onlyBob.num_connections, onlyBob.total], [1, 2]);
    assert.equal((onlyBob.connections as Conn[])[0]!.authorized_user, "bob");
  });
});

describe("/connz with accounts", () => {
  test("acc= keeps one account's connections; auth=1 names the account (but not $G)", async (t) => {
    const srv = await startConfigured(ACCOUNTS_CONFIG);
    t.after(() => srv.close());
    const port = srv.monitorPort!;
    const clients = await Promise.all([
      rawClient(srv.port, { user: "a", pass: "a", name: "a1" }),
      rawClient(srv.port, { user: "b", pass: "b", name: "b1" }),
      rawClient(srv.port, { user: "a", pass: "a", name: "a2" }),
      rawClient(srv.port, { user: "sys", pass: "sys", name: "s1" }),
    ]);
    t.after(() => clients.forEach((c) => c.destroy()));
    const names = async (q: string) => ((await getJson(port, `/connz${q}`)).connections as Conn[]).map((c) => c.name).sort();
    assert.deepEqual(await names("?acc=A"), ["a1", "a2"]);
    assert.deepEqual(await names("?acc=SYS"), ["s1"]);
    assert.deepEqual(await names("?acc=$G"), []);
    const withAuth = (await getJson(port, "/connz?auth=1")).connections as Conn[];
    assert.deepEqual(withAuth.map((c) => [c.name, c.authorized_user, c.account]).sort(), [["a1", "a", "A"], ["a2", "a", "A"], ["b1", "b", "B"], ["s1", "sys", "SYS"]]);
    const body = await getJson(port, "/connz?acc=A&auth=1&user=a&limit=1");
    assert.deepEqual([body.total, body.num_connections], [2, 1]);
  });
});
