/**
 * Permission decisions, unit by unit: every allow/deny combination for publish and subscribe, wildcards
 * on both sides, queue-group entries, the delivery deny filter and allow_responses. The expected values
 * are nats-server 2.9.10's (observed; see test/auth/differential.test.ts for the wire).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { compilePermissions, Permissions } from "../../src/auth/permissions.js";
import { ResponseTracker } from "../../src/auth/responses.js";

const p = (spec: ConstructorParameters<typeof Permissions>[0]) => new Permissions(spec);

test("no permissions block: nothing to check (null keeps the hot path free)", () => {
  assert.equal(compilePermissions(undefined), null);
  assert.equal(compilePermissions({}), null);
  assert.ok(compilePermissions({ publish: { allow: ["a"] } }));
});

test("publish: allow only, deny only, both (deny wins), empty allow", () => {
  const allow = p({ publish: { allow: ["events.*", "log.>"] } });
  assert.equal(allow.canPublish("events.x"), true);
  assert.equal(allow.canPublish("events.x.y"), false);
  assert.equal(allow.canPublish("log.a.b"), true);
  assert.equal(allow.canPublish("other"), false);
  const deny = p({ publish: { deny: ["secret.>"] } });
  assert.equal(deny.canPublish("secret.x"), false);
  assert.equal(deny.canPublish("public"), true);
  const both = p({ publish: { allow: ["foo.>"], deny: ["foo.bar"] } });
  assert.equal(both.canPublish("foo.bar"), false);
  assert.equal(both.canPublish("foo.baz"), true);
  assert.equal(both.canPublish("bar"), false);
  const none = p({ publish: { allow: [] } });
  assert.equal(none.canPublish("anything"), false);
  assert.equal(p({ subscribe: { allow: ["x"] } }).restrictsPublish, false);
});

test("publish decisions are cached and stay right", () => {
  const perm = p({ publish: { allow: ["a.*"] } });
  for (let i = 0; i < 3; i++) {
    assert.equal(perm.canPublish("a.b"), true);
    assert.equal(perm.canPublish("b.a"), false);
  }
  for (let i = 0; i < 5000; i++) assert.equal(perm.canPublish(`a.${i}`), true);
  assert.equal(perm.canPublish("b.a"), false);
});

test("publishing a wildcard subject: its tokens are literal, matched only by wildcard entries", () => {
  const perm = p({ publish: { allow: ["foo.*"] } });
  assert.equal(perm.canPublish("foo.*"), true);
  assert.equal(perm.canPublish("foo.>"), true);
  assert.equal(p({ publish: { allow: ["foo.bar"] } }).canPublish("foo.*"), false);
});

test("subscribe: allow, deny, both; a wildcard SUB needs a wildcard allow entry", () => {
  const allow = p({ subscribe: { allow: ["events.*"] } });
  assert.equal(allow.canSubscribe("events.x", undefined), true);
  assert.equal(allow.canSubscribe("events.*", undefined), true);
  // nats-server quirk: `*` in the allow entry matches the `>` token of the SUB.
  assert.equal(allow.canSubscribe("events.>", undefined), true);
  assert.equal(allow.canSubscribe("other", undefined), false);
  assert.equal(p({ subscribe: { allow: ["events.x"] } }).canSubscribe("events.*", undefined), false);
  const deny = p({ subscribe: { deny: ["private.>"] } });
  assert.equal(deny.canSubscribe("private.a", undefined), false);
  assert.equal(deny.canSubscribe("private.>", undefined), false);
  assert.equal(deny.canSubscribe(">", undefined), true, "a wider wildcard is allowed; delivery filters instead");
  const both = p({ subscribe: { allow: ["foo.>"], deny: ["foo.baz"] } });
  assert.equal(both.canSubscribe("foo.bar", undefined), true);
  assert.equal(both.canSubscribe("foo.baz", undefined), false);
  assert.equal(both.canSubscribe("foo.*", undefined), true);
});

test("subscribe: queue-group entries decide queue subscriptions", () => {
  const perm = p({ subscribe: { allow: ["foo.>", "bar q1", "baz.* workers.*"] } });
  assert.equal(perm.canSubscribe("bar", undefined), false, "a queue entry does not allow plain subscriptions");
  assert.equal(perm.canSubscribe("bar", "q1"), true);
  assert.equal(perm.canSubscribe("bar", "q2"), false);
  assert.equal(perm.canSubscribe("foo.x", "any"), true, "a plain entry allows any queue");
  assert.equal(perm.canSubscribe("baz.a", "workers.east"), true, "queue names may be wildcards");
  assert.equal(perm.canSubscribe("baz.a", "others"), false);
  const deny = p({ subscribe: { deny: ["foo q1"] } });
  assert.equal(deny.canSubscribe("foo", "q1"), false);
  assert.equal(deny.canSubscribe("foo", "q2"), true);
  assert.equal(deny.canSubscribe("foo", undefined), true);
  const mixed = p({ subscribe: { allow: ["foo", "foo other"] } });
  assert.equal(mixed.canSubscribe("foo", "q"), false, "matching queue entries that name other queues refuse");
  assert.equal(mixed.canSubscribe("foo", "other"), true);
});

test("delivery deny filter: a wildcard subscription does not get denied subjects", () => {
  const perm = p({ subscribe: { allow: ["foo.>"], deny: ["foo.baz", "foo q1"] } });
  assert.equal(perm.filtersDelivery, true);
  assert.equal(perm.deniesDelivery("foo.baz"), true);
  assert.equal(perm.deniesDelivery("foo.bar"), false);
  assert.equal(perm.deniesDelivery("foo"), false, "queue deny entries do not filter deliveries");
  assert.equal(p({ subscribe: { allow: ["x"] } }).filtersDelivery, false);
});

test("allow_responses without a publish allow list turns the blanket allow off", () => {
  const perm = p({ responses: { maxMsgs: 1, expiresMs: 60_000 } });
  assert.equal(perm.restrictsPublish, true);
  assert.equal(perm.canPublish("anything"), false);
  const withAllow = p({ publish: { allow: ["x"] }, responses: { maxMsgs: 1, expiresMs: 60_000 } });
  assert.equal(withAllow.canPublish("x"), true);
});

test("response tracker: max responses per request and expiry", () => {
  const one = new ResponseTracker({ maxMsgs: 1, expiresMs: 1000 });
  one.received("_INBOX.a", 0);
  assert.equal(one.mayRespond("_INBOX.a", 10), true);
  assert.equal(one.mayRespond("_INBOX.a", 20), false, "only one response");
  assert.equal(one.mayRespond("_INBOX.unknown", 20), false);
  const three = new ResponseTracker({ maxMsgs: 3, expiresMs: 1000 });
  three.received("r", 0);
  assert.deepEqual([1, 2, 3, 4].map(() => three.mayRespond("r", 5)), [true, true, true, false]);
  const late = new ResponseTracker({ maxMsgs: 5, expiresMs: 1000 });
  late.received("r", 0);
  assert.equal(late.mayRespond("r", 500), true);
  assert.equal(late.mayRespond("r", 1500), false, "expired");
  const unlimited = new ResponseTracker({ maxMsgs: 0, expiresMs: 0 });
  unlimited.received("r", 0);
  for (let i = 0; i < 10; i++) assert.equal(unlimited.mayRespond("r", 1e9), true);
});
