/**
 * Interest events: what a route (RS+/RS- with queue weights) and a push consumer hear when an account's
 * subscriptions change — first by driving an Account directly, then through a running server's clients
 * (SUB, UNSUB, UNSUB max, close, a reload that takes a permission away).
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { describe, it } from "node:test";
import { Account } from "../../src/server/account.js";
import { Subscription, type DeliveryTarget } from "../../src/server/subscription.js";
import { startServer } from "../../src/index.js";

type Event = [subject: string, queue: string | undefined, weight: number, remote: boolean];

function recorder(acc: Account): { events: Event[]; stop(): void } {
  const events: Event[] = [];
  const l = (s: string, q: string | undefined, w: number, r: boolean): void => void events.push([s, q, w, r]);
  acc.listenInterest(l);
  return { events, stop: () => acc.unlistenInterest(l) };
}

function target(remote: boolean, cid = 1): DeliveryTarget {
  return { cid, remote, closed: false, pending: 0, deliverMessage: () => true };
}

const local = target(false);
const route = target(true, 2);
const sub = (subject: string, queue?: string, t: DeliveryTarget | null = local, sid = "1") => new Subscription(t, subject, queue, sid);

describe("interest events on an account", () => {
  it("plain pairs: the first subscription appears, the last one leaves", () => {
    const acc = new Account("A");
    const { events } = recorder(acc);
    const a = sub("foo"), b = sub("foo"), c = sub("foo.>");
    assert.ok(acc.addSub(a));
    assert.ok(acc.addSub(b));
    assert.ok(acc.addSub(c));
    acc.removeSub(a);
    acc.removeSub(b);
    acc.removeSub(b); // not in the list any more: no event
    acc.removeSub(c);
    assert.deepEqual(events, [
      ["foo", undefined, 1, false],
      ["foo.>", undefined, 1, false],
      ["foo", undefined, 0, false],
      ["foo.>", undefined, 0, false],
    ]);
  });

  it("queue pairs: every change, weighted by the members", () => {
    const acc = new Account("A");
    const { events } = recorder(acc);
    const q1 = sub("foo", "q"), q2 = sub("foo", "q"), r1 = sub("foo", "r");
    acc.addSub(q1);
    acc.addSub(q2);
    acc.addSub(r1);
    acc.removeSub(q1);
    acc.removeSub(q2);
    assert.deepEqual(events, [
      ["foo", "q", 1, false],
      ["foo", "q", 2, false],
      ["foo", "r", 1, false],
      ["foo", "q", 1, false],
      ["foo", "q", 0, false],
    ]);
  });

  it("counts a route's subscriptions apart, as remote", () => {
    const acc = new Account("A");
    const { events } = recorder(acc);
    const mine = sub("foo"), theirs = sub("foo", undefined, route);
    acc.addSub(mine);
    acc.addSub(theirs);
    acc.removeSub(mine);
    acc.removeSub(theirs);
    assert.deepEqual(events, [
      ["foo", undefined, 1, false],
      ["foo", undefined, 1, true],
      ["foo", undefined, 0, false],
      ["foo", undefined, 0, true],
    ]);
  });

  it("internal subscriptions are local interest", () => {
    const acc = new Account("A");
    const { events } = recorder(acc);
    acc.addSub(new Subscription(null, "$JS.API.>", undefined, "internal-1", () => {}));
    assert.deepEqual(events, [["$JS.API.>", undefined, 1, false]]);
  });

  it("a closing connection's subscriptions leave in one batch, each with its event", () => {
    const acc = new Account("A");
    const subs = [sub("a"), sub("b.*"), sub("c", "q"), sub("c", "q")];
    for (const s of subs) acc.addSub(s);
    const { events } = recorder(acc);
    acc.removeSubs(new Set(subs).values());
    assert.equal(acc.sublist.count, 0);
    assert.deepEqual(events, [
      ["a", undefined, 0, false],
      ["b.*", undefined, 0, false],
      ["c", "q", 1, false],
      ["c", "q", 0, false],
    ]);
  });

  it("a listener that comes later enumerates the interest there is", () => {
    const acc = new Account("A");
    for (const s of [sub("a"), sub("a"), sub("b", "q"), sub("b", "q"), sub("b", "q"), sub("x", undefined, route)]) acc.addSub(s);
    const seen = (remote: boolean) => {
      const out: [string, string | undefined, number][] = [];
      acc.forEachInterest(remote, (s, q, w) => out.push([s, q, w]));
      return out.sort();
    };
    assert.deepEqual(seen(false), [["a", undefined, 1], ["b", "q", 3]]);
    assert.deepEqual(seen(true), [["x", undefined, 1]]);
    // Counting picks up from there once someone listens.
    const { events } = recorder(acc);
    acc.addSub(sub("b", "q"));
    assert.deepEqual(events, [["b", "q", 4, false]]);
    assert.deepEqual(seen(false), [["a", undefined, 1], ["b", "q", 4]]);
  });

  it("nobody hears after unlistening; events caused by a listener follow the current one", () => {
    const acc = new Account("A");
    const first: Event[] = [];
    const second: Event[] = [];
    const inner = sub("inner");
    const a = (s: string, q: string | undefined, w: number, r: boolean): void => {
      first.push([s, q, w, r]);
      if (s === "outer" && w === 1) acc.addSub(inner);
    };
    const b = (s: string, q: string | undefined, w: number, r: boolean): void => void second.push([s, q, w, r]);
    acc.listenInterest(a);
    acc.listenInterest(b);
    acc.addSub(sub("outer"));
    const expected: Event[] = [["outer", undefined, 1, false], ["inner", undefined, 1, false]];
    assert.deepEqual(first, expected);
    assert.deepEqual(second, expected);
    acc.unlistenInterest(a);
    acc.unlistenInterest(b);
    acc.removeSub(inner);
    assert.equal(first.length, 2);
    assert.equal(second.length, 2);
  });

  it("an ill-formed subject is refused without an event", () => {
    const acc = new Account("A");
    const { events } = recorder(acc);
    assert.equal(acc.addSub(sub("foo..bar")), false);
    assert.deepEqual(events, []);
  });
});

/** A raw client that writes protocol and waits for its PONGs. */
async function rawClient(port: number, connect_: string): Promise<{ s: Socket; sync(): Promise<void>; text(): string }> {
  const s = connect({ host: "127.0.0.1", port });
  await once(s, "connect");
  let buf = "";
  s.on("data", (d: Buffer) => (buf += d.toString("latin1")));
  s.write(connect_);
  let pongs = 0;
  return {
    s,
    text: () => buf,
    async sync() {
      s.write("PING\r\n");
      const want = ++pongs;
      const deadline = Date.now() + 5000;
      while ((buf.match(/PONG\r\n/g) ?? []).length < want) {
        assert.ok(Date.now() < deadline, "no PONG");
        await new Promise((r) => setTimeout(r, 2));
      }
    },
  };
}

describe("interest events from a server's clients", () => {
  it("SUB, UNSUB, UNSUB max, and close", async () => {
    const srv = await startServer();
    try {
      const acc = srv.server.globalAccount;
      const { events } = recorder(acc);
      const c = await rawClient(srv.port, 'CONNECT {"verbose":false}\r\n');
      c.s.write("SUB foo 1\r\nSUB foo 2\r\nSUB bar q 3\r\nSUB bar q 4\r\nSUB baz 5\r\nUNSUB 5 1\r\nUNSUB 3\r\nUNSUB 1\r\n");
      await c.sync();
      assert.deepEqual(events.splice(0), [
        ["foo", undefined, 1, false],
        ["bar", "q", 1, false],
        ["bar", "q", 2, false],
        ["baz", undefined, 1, false],
        ["bar", "q", 1, false],
      ]);
      c.s.write("PUB baz 1\r\nx\r\n");
      await c.sync();
      assert.deepEqual(events.splice(0), [["baz", undefined, 0, false]]);
      c.s.destroy();
      const deadline = Date.now() + 5000;
      while (events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
      assert.deepEqual(events.sort(), [["bar", "q", 0, false], ["foo", undefined, 0, false]]);
    } finally {
      await srv.close();
    }
  });

  it("a reload that denies a subscription takes its interest away", async () => {
    const user = (deny: string[]) => ({ user: "u", password: "p", permissions: { subscribe: { deny } } });
    const srv = await startServer({ users: [user([])] });
    try {
      const c = await rawClient(srv.port, 'CONNECT {"verbose":false,"user":"u","pass":"p"}\r\n');
      c.s.write("SUB keep 1\r\nSUB secret.x 2\r\n");
      await c.sync();
      const { events } = recorder(srv.server.globalAccount);
      srv.server.reload({ ...srv.server.opts, users: [user(["secret.>"])] });
      await c.sync();
      assert.deepEqual(events, [["secret.x", undefined, 0, false]]);
      assert.match(c.text(), /-ERR 'Permissions Violation for Subscription to "secret.x"'/);
      c.s.destroy();
    } finally {
      await srv.close();
    }
  });
});
