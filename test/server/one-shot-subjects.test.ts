import { test } from "node:test";
import assert from "node:assert/strict";
import { isOneShotSubject } from "../../src/server/one-shot-subjects.js";
import { Account } from "../../src/server/account.js";

test("ack and inbox reply subjects are one-shot; others, and look-alikes, are not", () => {
  for (const s of ["$JS.ACK.S.C.1.2.3.1700000000000000000.0", "_INBOX.abc.1", "_INBOX.abc"]) assert.equal(isOneShotSubject(s), true, s);
  for (const s of ["$JS.API.INFO", "$JS.ACKS.x", "_INBOXES.a", "foo._INBOX.a", "orders.new", "$JS.ACK"]) assert.equal(isOneShotSubject(s), false, s);
});

test("an account's Sublist never caches its one-shot subjects, and caches others on their second miss", () => {
  const acc = new Account("A");
  const sub = (subject: string) => ({ subject, queue: undefined }) as unknown as Parameters<typeof acc.sublist.insert>[0];
  acc.sublist.insert(sub("_INBOX.x.*"));
  acc.sublist.insert(sub("orders"));
  for (let i = 0; i < 3; i++) acc.sublist.match("_INBOX.x.1");
  assert.equal(acc.sublist.stats().num_cache, 0);
  acc.sublist.match("orders");
  acc.sublist.match("orders");
  assert.equal(acc.sublist.stats().num_cache, 1);
});
