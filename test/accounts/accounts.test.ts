/**
 * Accounts through nats.js: complete isolation (a subscriber on `>`, `_INBOX.>`, `$JS.>`, `$SYS.>` in
 * one account never sees another account's traffic), stream and service exports/imports in both
 * directions with remapping, private exports, response types, and per-account limits.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { errors, type NatsConnection } from "@nats-io/transport-node";
import { IMPL, serverFor, settle, within } from "../e2e/support.js";
import { connectOk, serverErrors } from "../auth/support.js";
import { RawClient } from "../e2e/raw-client.js";

const CONFIG = `
accounts {
  A: {
    users: [ {user: a, password: a}, {user: a2, password: a} ]
    exports: [
      {stream: "news.>"}
      {stream: "private.>", accounts: [B]}
      {service: "help.>"}
      {service: "feed", response_type: stream}
    ]
    imports: [ {service: {account: B, subject: "b.time"}, to: "time"} ]
  }
  B: {
    users: [ {user: b, password: b} ]
    exports: [ {service: "b.time"} ]
    imports: [
      {stream: {account: A, subject: "news.>"}, prefix: "from_a"}
      {stream: {account: A, subject: "private.>"}, to: "priv.>"}
      {service: {account: A, subject: "help.>"}, to: "ask.>"}
      {service: {account: A, subject: "feed"}}
    ]
  }
  C: { users: [ {user: c, password: c} ] }
  LIMITED: {
    users: [ {user: l, password: l} ]
    limits: { max_connections: 1, max_subscriptions: 2, max_payload: 16 }
  }
}
`;

function collect(nc: NatsConnection, subject: string): string[] {
  const got: string[] = [];
  nc.subscribe(subject, { callback: (_e, m) => void got.push(`${m.subject}:${m.string()}`) });
  return got;
}

describe(`accounts through nats.js [${IMPL}]`, () => {
  test("accounts never see each other's messages, whatever they subscribe to", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const a = await connectOk(t, srv, { user: "a", pass: "a" });
    const c = await connectOk(t, srv, { user: "c", pass: "c" });
    const spies = [">", "_INBOX.>", "$JS.>", "$SYS.>", "*", "news.>", "$JS.API.>"].map((s) => collect(c, s));
    const own = collect(a, ">");
    await c.flush();
    await a.flush();
    for (const s of ["news.1", "private.1", "_INBOX.x", "$JS.API.INFO", "$SYS.REQ.SERVER.PING", "plain", "help.q"]) a.publish(s, "secret");
    await a.request("help.q", "x", { timeout: 500 }).catch(() => undefined);
    await settle(a, c);
    for (const s of spies) assert.deepEqual(s, [], "account C saw account A's traffic");
    assert.ok(own.includes("plain:secret"), "A's own subscriber does receive");
  });

  test("a user in the same account sees it; a user in another account does not", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const a = await connectOk(t, srv, { user: "a", pass: "a" });
    const a2 = await connectOk(t, srv, { user: "a2", pass: "a" });
    const b = await connectOk(t, srv, { user: "b", pass: "b" });
    const inA = collect(a2, "x");
    const inB = collect(b, "x");
    await settle(a2, b);
    a.publish("x", "1");
    await settle(a, a2, b);
    assert.deepEqual(inA, ["x:1"]);
    assert.deepEqual(inB, []);
  });

  test("stream exports: prefix and remapping, private export only for the named account", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const a = await connectOk(t, srv, { user: "a", pass: "a" });
    const b = await connectOk(t, srv, { user: "b", pass: "b" });
    const c = await connectOk(t, srv, { user: "c", pass: "c" });
    const inB = collect(b, ">");
    const inC = collect(c, ">");
    await settle(b, c);
    a.publish("news.today", "n");
    a.publish("private.x", "p");
    a.publish("unexported", "u");
    await settle(a, b, c);
    assert.deepEqual(inB.sort(), ["from_a.news.today:n", "priv.x:p"]);
    assert.deepEqual(inC, []);
    // The importer's own publishes on the mapped subjects stay in its account.
    b.publish("news.today", "from b");
    await settle(b, a);
  });

  test("service imports both ways, with the local subject remapped and the reply mapped back", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const a = await connectOk(t, srv, { user: "a", pass: "a" });
    const b = await connectOk(t, srv, { user: "b", pass: "b" });
    let seenReply = "";
    a.subscribe("help.>", {
      callback: (_e, m) => {
        seenReply = m.reply ?? "";
        m.respond(`A answers ${m.subject} with ${m.string()}`);
      },
    });
    b.subscribe("b.time", { callback: (_e, m) => void m.respond("noon") });
    await settle(a, b);
    const r = await b.request("ask.fish", "why", { timeout: 2000 });
    assert.equal(r.string(), "A answers help.fish with why");
    assert.match(seenReply, /^_R_\.[A-Za-z0-9]+\.[A-Za-z0-9]+$/, "the exporter sees a mapped reply, not B's inbox");
    assert.equal((await a.request("time", "", { timeout: 2000 })).string(), "noon");
  });

  test("a stream-type service may answer several times; a singleton only once", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const a = await connectOk(t, srv, { user: "a", pass: "a" });
    const b = await connectOk(t, srv, { user: "b", pass: "b" });
    a.subscribe("feed", { callback: (_e, m) => ["1", "2", "3"].forEach((x) => m.respond(x)) });
    a.subscribe("help.once", { callback: (_e, m) => ["1", "2", "3"].forEach((x) => m.respond(x)) });
    await a.flush();
    const feed = collect(b, "_INBOX.feed");
    const once = collect(b, "_INBOX.once");
    await b.flush();
    b.publish("feed", "", { reply: "_INBOX.feed" });
    b.publish("ask.once", "", { reply: "_INBOX.once" });
    await settle(b, a);
    await settle(a, b);
    assert.deepEqual(feed, ["_INBOX.feed:1", "_INBOX.feed:2", "_INBOX.feed:3"]);
    assert.deepEqual(once, ["_INBOX.once:1"]);
  });

  test("a service import with nobody behind it: the request times out (nats-server 2.9 sends no 503 across accounts)", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const b = await connectOk(t, srv, { user: "b", pass: "b" });
    await assert.rejects(b.request("ask.nobody", "", { timeout: 500 }), (e: unknown) => e instanceof errors.TimeoutError);
  });

  test("account limits: connections, subscriptions, payload", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const l = await connectOk(t, srv, { user: "l", pass: "l" });
    await assert.rejects(connectOk(t, srv, { user: "l", pass: "l" }));
    const over = await RawClient.open(srv.port, 'CONNECT {"verbose":false,"user":"l","pass":"l"}\r\n');
    await over.waitClosed();
    assert.ok(over.text().endsWith("-ERR 'maximum account active connections exceeded'\r\n"), over.text());
    const errs = serverErrors(l);
    l.subscribe("s1");
    l.subscribe("s2");
    l.subscribe("s3");
    await l.flush();
    await within(
      (async () => {
        while (errs.length === 0) await new Promise((r) => setTimeout(r, 10));
      })(),
      3000,
      "the subscription limit error",
    );
    assert.match(errs[0]!.message, /maximum subscriptions exceeded/);
    assert.equal(l.isClosed(), false);
    // The account's max_payload reaches the client in an INFO after CONNECT; nats.js then refuses locally.
    assert.throws(() => l.publish("x", "0123456789abcdefXX"), (e: unknown) => e instanceof errors.InvalidArgumentError);
    l.publish("x", "0123456789abcdef");
    await l.flush();
  });
});
