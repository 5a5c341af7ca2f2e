/**
 * Route op arguments: the forms nats-server 2.9.10 sends (see test/cluster/route-wire.test.ts for the
 * captured sessions) parse and re-encode to the same bytes, and malformed arguments give nats-server's
 * log texts (it closes the route after them, without -ERR).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  encodeLsMinus,
  encodeLsPlus,
  encodeRoutedMsgLine,
  encodeRsMinus,
  encodeRsPlus,
  parseHmsg,
  parseLmsg,
  parseRemoteSub,
  parseRemoteUnsub,
  parseRmsg,
  routedMsgPrefix,
  routedMsgTail,
  splitRouteArgs,
  type RoutedMsg,
} from "../../src/protocol/route-ops.js";

test("RS+ and RS-: plain and queue forms, and back", () => {
  assert.deepEqual(parseRemoteSub("$G foo", false), { account: "$G", subject: "foo" });
  assert.deepEqual(parseRemoteSub("$G bar.* q1 2", false), { account: "$G", subject: "bar.*", queue: "q1", weight: 2 });
  assert.deepEqual(parseRemoteUnsub("$G foo", false), { account: "$G", subject: "foo" });
  assert.deepEqual(parseRemoteUnsub("$G bar.* q1", false), { account: "$G", subject: "bar.*", queue: "q1" });
  assert.equal(encodeRsPlus("$G", "foo"), "RS+ $G foo\r\n");
  assert.equal(encodeRsPlus("$G", "bar.*", "q1", 2), "RS+ $G bar.* q1 2\r\n");
  assert.equal(encodeRsMinus("$G", "foo"), "RS- $G foo\r\n");
  assert.equal(encodeRsMinus("$G", "bar.*", "q1"), "RS- $G bar.* q1\r\n");
  // Any run of spaces and tabs separates, as nats-server splits.
  assert.deepEqual(parseRemoteSub(" $G \t foo  q  3 ", false), { account: "$G", subject: "foo", queue: "q", weight: 3 });
});

test("LS+ carries the origin cluster; LS- does only with lnocu", () => {
  assert.deepEqual(parseRemoteSub("C1 $G foo", true), { origin: "C1", account: "$G", subject: "foo" });
  assert.deepEqual(parseRemoteSub("C1 $G foo q 4", true), { origin: "C1", account: "$G", subject: "foo", queue: "q", weight: 4 });
  assert.equal(encodeLsPlus("C1", "$G", "foo"), "LS+ C1 $G foo\r\n");
  assert.equal(encodeLsPlus("C1", "$G", "foo", "q", 4), "LS+ C1 $G foo q 4\r\n");
  assert.deepEqual(parseRemoteUnsub("$G foo", false), { account: "$G", subject: "foo" });
  assert.deepEqual(parseRemoteUnsub("C1 $G foo q", true), { origin: "C1", account: "$G", subject: "foo", queue: "q" });
  assert.equal(encodeLsMinus(undefined, "$G", "foo"), "LS- $G foo\r\n");
  assert.equal(encodeLsMinus("C1", "$G", "foo", "q"), "LS- C1 $G foo q\r\n");
});

test("a queue weight that is not a number is kept as -1 (nats-server accepts the RS+)", () => {
  assert.deepEqual(parseRemoteSub("$G foo q x", false), { account: "$G", subject: "foo", queue: "q", weight: -1 });
});

test("malformed RS+/RS-/LS+ get nats-server's log texts", () => {
  assert.equal(parseRemoteSub("$G", false), "processRemoteSub Parse Error: '$G'");
  assert.equal(parseRemoteSub("$G foo q", false), "processRemoteSub Parse Error: '$G foo q'");
  assert.equal(parseRemoteSub("$G foo q 1 x", false), "processRemoteSub Parse Error: '$G foo q 1 x'");
  assert.equal(parseRemoteSub("$G foo", true), "processRemoteSub Parse Error: '$G foo'");
  assert.equal(parseRemoteUnsub("$G", false), "processRemoteUnsub parse error: '$G'");
  assert.equal(parseRemoteUnsub("$G a b c", false), "processRemoteUnsub parse error: '$G a b c'");
});

const MSGS: [string, string, RoutedMsg][] = [
  ["RMSG", "$G foo 5", { account: "$G", subject: "foo", queues: [], headerSize: -1, size: 5 }],
  ["RMSG", "$G foo rep.1 2", { account: "$G", subject: "foo", reply: "rep.1", queues: [], headerSize: -1, size: 2 }],
  ["RMSG", "$G foo | g2 g1 5", { account: "$G", subject: "foo", queues: ["g2", "g1"], headerSize: -1, size: 5 }],
  ["RMSG", "$G foo + rep.1 g2 g1 2", { account: "$G", subject: "foo", reply: "rep.1", queues: ["g2", "g1"], headerSize: -1, size: 2 }],
  ["HMSG", "$G foo 12 14", { account: "$G", subject: "foo", queues: [], headerSize: 12, size: 14 }],
  ["HMSG", "$G foo rr 12 14", { account: "$G", subject: "foo", reply: "rr", queues: [], headerSize: 12, size: 14 }],
  ["HMSG", "$G foo | g2 g1 12 14", { account: "$G", subject: "foo", queues: ["g2", "g1"], headerSize: 12, size: 14 }],
  ["HMSG", "$G foo + rr g2 g1 12 14", { account: "$G", subject: "foo", reply: "rr", queues: ["g2", "g1"], headerSize: 12, size: 14 }],
  ["LMSG", "C1 $G foo 0 2", { origin: "C1", account: "$G", subject: "foo", queues: [], headerSize: 0, size: 2 }],
  ["LMSG", "C1 $G foo r 0 2", { origin: "C1", account: "$G", subject: "foo", reply: "r", queues: [], headerSize: 0, size: 2 }],
  ["LMSG", "C1 $G foo + r q 0 2", { origin: "C1", account: "$G", subject: "foo", reply: "r", queues: ["q"], headerSize: 0, size: 2 }],
  ["LMSG", "C1 $G foo | q 0 2", { origin: "C1", account: "$G", subject: "foo", queues: ["q"], headerSize: 0, size: 2 }],
];

test("RMSG/HMSG/LMSG: every reply and queue form parses, and encodes back to the same line", () => {
  const parse = { RMSG: parseRmsg, HMSG: parseHmsg, LMSG: parseLmsg };
  for (const [op, arg, want] of MSGS) {
    assert.deepEqual(parse[op as keyof typeof parse](arg), want, `${op} ${arg}`);
    assert.equal(encodeRoutedMsgLine(want), `${op} ${arg}\r\n`);
  }
  // The prefix and tail pieces a route connection keeps apart.
  assert.equal(routedMsgPrefix(false, "ACC"), "RMSG ACC ");
  assert.equal(routedMsgPrefix(true, "ACC"), "HMSG ACC ");
  assert.equal(routedMsgPrefix(true, "ACC", "C1"), "LMSG C1 ACC ");
  assert.equal(routedMsgTail(undefined, [], -1, 0), " 0\r\n");
  assert.equal(routedMsgTail("r", ["a", "b"], 3, 9), " + r a b 3 9\r\n");
});

test("malformed RMSG/HMSG/LMSG get nats-server's log texts", () => {
  assert.equal(parseRmsg("$G foo"), "processRoutedMsgArgs Parse Error: '[$G foo]'");
  assert.equal(parseRmsg("$G foo x"), "processRoutedMsgArgs Bad or Missing Size: '[$G foo x]'");
  assert.equal(parseRmsg("$G foo ab r q 1"), "processRoutedMsgArgs Bad or Missing Reply Indicator: 'ab'");
  assert.equal(parseRmsg("$G foo - r q 1"), "processRoutedMsgArgs Bad or Missing Reply Indicator: '-'");
  // 2.9.10 reads at most nine digits of size.
  assert.equal(parseRmsg("$G foo 1234567890"), "processRoutedMsgArgs Bad or Missing Size: '[$G foo 1234567890]'");
  assert.equal(parseHmsg("$G foo 5"), "processRoutedHeaderMsgArgs Parse Error: '[$G foo 5]'");
  assert.equal(parseHmsg("$G foo 10 5"), "processRoutedHeaderMsgArgs Header Size larger then TotalSize: '$G foo 10 5'");
  assert.equal(parseHmsg("$G foo x 5"), "processRoutedHeaderMsgArgs Bad or Missing Header Size: '$G foo x 5'");
  assert.equal(parseHmsg("$G foo 1 x"), "processRoutedHeaderMsgArgs Bad or Missing Size: '[$G foo 1 x]'");
  assert.equal(parseHmsg("$G foo * r q 1 2"), "processRoutedHeaderMsgArgs Bad or Missing Reply Indicator: '*'");
  assert.equal(parseLmsg("C1 $G foo 2"), "processRoutedOriginClusterMsgArgs Parse Error: '[C1 $G foo 2]'");
  assert.equal(parseLmsg("C1 $G foo 3 2"), "processRoutedOriginClusterMsgArgs Header Size larger then TotalSize: 'C1 $G foo 3 2'");
});

test("arguments split on spaces, tabs, CR and LF only", () => {
  assert.deepEqual(splitRouteArgs("a\tb  c\r\nd"), ["a", "b", "c", "d"]);
  assert.deepEqual(splitRouteArgs("   "), []);
});
