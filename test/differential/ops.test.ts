/**
 * Every client op and every delivery layout, compared byte for byte (after INFO normalisation) between
 * nats-server 2.9.10 and tsnats.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { expectClose, send, sync, type Transcript } from "../helpers/raw-session.js";
import {
  connectOp,
  deliveryCounts,
  differentialSuite,
  hmsg,
  hpub,
  msg,
  nonDeliveries,
  pub,
  quietConnect,
  type DiffCase,
} from "./harness.js";

const Q = quietConnect();
const QH = quietConnect({ headers: true });
const sub = { on: "sub" };
const p = { on: "pub" };

/** Every byte value, CR and LF included: payloads are opaque. */
const ALL_BYTES = Buffer.from([...Array(256).keys()]).toString("latin1");

/** How `normalise` shows a 500000-byte payload of "z": too large to print, so by length and digest. */
const LARGE_Z = `<500000 bytes sha1:${createHash("sha1").update("z".repeat(500_000)).digest("hex")}>`;

const deliveredTotal = (t: Transcript) => Object.values(deliveryCounts(t).c!).reduce((a, b) => a + b, 0);

const cases: DiffCase[] = [
  {
    name: "PUB is delivered as MSG to a subscriber on another connection",
    steps: [send(Q + "SUB foo 1\r\n", sub), sync("sub"), send(Q + pub("foo", "hello"), p)],
    expect: { sub: [msg("MSG foo 1 5", "hello")], pub: [] },
  },
  {
    name: "PUB with a reply subject carries it in MSG",
    steps: [send(Q + "SUB foo 7\r\n", sub), sync("sub"), send(Q + pub("foo", "q", "_INBOX.abc.1"), p)],
    expect: { sub: [msg("MSG foo 7 _INBOX.abc.1 1", "q")] },
  },
  {
    name: "empty payload",
    steps: [send(Q + "SUB foo 1\r\n" + pub("foo", "") + pub("foo", "", "r"))],
    expect: { c: [msg("MSG foo 1 0", ""), msg("MSG foo 1 r 0", "")] },
  },
  {
    name: "payload bytes are opaque (CRLF, NUL, 0x80-0xff, op names)",
    steps: [send(Q + "SUB bin 1\r\n" + pub("bin", ALL_BYTES) + pub("bin", "PING\r\nPUB x 1\r\n"))],
    expect: { c: [msg("MSG bin 1 256", ALL_BYTES), msg("MSG bin 1 15", "PING\r\nPUB x 1\r\n")] },
  },
  {
    name: "a sid may be any token",
    steps: [send(Q + "SUB foo abc\r\nSUB bar s-1.x\r\n" + pub("foo", "1") + pub("bar", "2"))],
    expect: { c: [msg("MSG foo abc 1", "1"), msg("MSG bar s-1.x 1", "2")] },
  },
  {
    name: "HPUB is delivered as HMSG to a subscriber with headers",
    steps: [
      send(QH + "SUB foo 1\r\n", sub),
      sync("sub"),
      send(QH + hpub("foo", "NATS/1.0\r\nA: b\r\nA: c\r\nKey-Case: VaLuE\r\n\r\n", "body"), p),
    ],
    expect: { sub: [hmsg("HMSG foo 1 41 45", "NATS/1.0\r\nA: b\r\nA: c\r\nKey-Case: VaLuE\r\n\r\n", "body")] },
  },
  {
    name: "HPUB with a reply subject",
    steps: [send(QH + "SUB foo 1\r\n" + hpub("foo", "NATS/1.0\r\nX: 1\r\n\r\n", "", "rep.ly"))],
    expect: { c: [hmsg("HMSG foo 1 rep.ly 18 18", "NATS/1.0\r\nX: 1\r\n\r\n", "")] },
  },
  {
    name: "HPUB with header length 0 is delivered as MSG",
    steps: [send(QH + "SUB foo 1\r\nHPUB foo 0 2\r\nhi\r\nHPUB foo r 0 0\r\n\r\n")],
    expect: { c: [msg("MSG foo 1 2", "hi"), msg("MSG foo 1 r 0", "")] },
  },
  {
    name: "HPUB with a status line in the header block",
    steps: [send(QH + "SUB foo 1\r\n" + hpub("foo", "NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\n\r\n", "x"))],
    expect: { c: [hmsg("HMSG foo 1 58 59", "NATS/1.0 408 Request Timeout\r\nNats-Pending-Messages: 1\r\n\r\n", "x")] },
  },
  {
    name: "headers are stripped for a subscriber that did not ask for them",
    steps: [
      send(Q + "SUB foo 1\r\n", sub),
      sync("sub"),
      send(QH + hpub("foo", "NATS/1.0\r\nA: b\r\n\r\n", "payload") + hpub("foo", "NATS/1.0\r\nA: b\r\n\r\n", "", "r"), p),
    ],
    expect: { sub: [msg("MSG foo 1 7", "payload"), msg("MSG foo 1 r 0", "")] },
  },
  {
    name: "subscriber with headers gets plain PUB as MSG",
    steps: [send(QH + "SUB foo 1\r\n" + pub("foo", "plain"))],
    expect: { c: [msg("MSG foo 1 5", "plain")] },
  },
  {
    name: "no responders: a request with no subscriber gets NATS/1.0 503",
    steps: [send(quietConnect({ headers: true, no_responders: true }) + "SUB _INBOX.x.* 1\r\n" + pub("svc", "req", "_INBOX.x.1"))],
    expect: { c: [hmsg("HMSG _INBOX.x.1 1 16 16", "NATS/1.0 503\r\n\r\n", "")] },
  },
  {
    name: "no responders: HPUB request gets 503 too",
    steps: [
      send(quietConnect({ headers: true, no_responders: true }) + "SUB r 1\r\n" + hpub("svc", "NATS/1.0\r\nA: b\r\n\r\n", "x", "r")),
    ],
    expect: { c: [hmsg("HMSG r 1 16 16", "NATS/1.0 503\r\n\r\n", "")] },
  },
  {
    name: "no responders: nothing without no_responders in CONNECT",
    steps: [send(QH + "SUB r 1\r\n" + pub("svc", "req", "r")), sync()],
    expect: { c: [] },
  },
  {
    name: "no responders: nothing for a publish without reply",
    steps: [send(quietConnect({ headers: true, no_responders: true }) + "SUB r 1\r\n" + pub("svc", "x")), sync()],
    expect: { c: [] },
  },
  {
    name: "no responders: nothing when a responder exists",
    steps: [
      send(Q + "SUB svc 1\r\n", sub),
      sync("sub"),
      send(quietConnect({ headers: true, no_responders: true }) + "SUB r 1\r\n" + pub("svc", "req", "r"), p),
    ],
    expect: { sub: [msg("MSG svc 1 r 3", "req")], pub: [] },
  },
  {
    name: "no responders: a queue subscriber is a responder",
    steps: [send(quietConnect({ headers: true, no_responders: true }) + "SUB svc q 1\r\nSUB r 2\r\n" + pub("svc", "x", "r"))],
    expect: { c: [msg("MSG svc 1 r 1", "x")] },
  },
  {
    name: "no responders: with echo false the requester's own subscription does not count",
    steps: [send(quietConnect({ headers: true, no_responders: true, echo: false }) + "SUB svc 1\r\nSUB r 2\r\n" + pub("svc", "x", "r"))],
    expect: { c: [hmsg("HMSG r 2 16 16", "NATS/1.0 503\r\n\r\n", "")] },
  },
  {
    name: "no responders: delivered through a wildcard inbox subscription, +OK first in verbose mode",
    steps: [send(connectOp({ verbose: true, headers: true, no_responders: true }) + "SUB _INBOX.a.* 2\r\n" + pub("svc", "x", "_INBOX.a.b"))],
    expect: { c: ["+OK", "+OK", "+OK", hmsg("HMSG _INBOX.a.b 2 16 16", "NATS/1.0 503\r\n\r\n", "")] },
  },
  {
    name: "a header-only HPUB reaches a subscriber without headers as an empty MSG",
    steps: [
      send(Q + "SUB foo 1\r\n", sub),
      sync("sub"),
      send(QH + hpub("foo", "NATS/1.0 503\r\n\r\n", ""), p),
    ],
    expect: { sub: [msg("MSG foo 1 0", "")], pub: [] },
  },
  {
    name: "SUB with wildcards: * matches one token, > one or more",
    steps: [
      send(
        Q +
          "SUB foo.* 1\r\nSUB bar.> 2\r\n" +
          pub("foo.x", "1") +
          pub("foo.x.y", "2") +
          pub("foo", "3") +
          pub("bar.x.y", "4") +
          pub("bar", "5") +
          pub("bar.x", "6"),
      ),
    ],
    expect: { c: [msg("MSG foo.x 1 1", "1"), msg("MSG bar.x.y 2 1", "4"), msg("MSG bar.x 2 1", "6")] },
  },
  {
    name: "wildcard characters inside a token are literal",
    steps: [send(Q + "SUB a*b.c> 1\r\nSUB *.x 2\r\n" + pub("a*b.c>", "1") + pub("aXb.c>", "2") + pub("a*b.x", "3"))],
    expect: { c: [msg("MSG a*b.c> 1 1", "1"), msg("MSG a*b.x 2 1", "3")] },
  },
  {
    name: "outside pedantic mode PUB foo.* is a literal subject",
    steps: [
      send(Q + "SUB foo.* 1\r\n", { on: "star" }),
      send(Q + "SUB foo.> 1\r\n", { on: "gt" }),
      send(Q + "SUB foo.bar 1\r\n", { on: "bar" }),
      sync("star"),
      sync("gt"),
      sync("bar"),
      send(Q + pub("foo.*", "s") + pub("foo.>", "g"), p),
    ],
    expect: { star: [msg("MSG foo.* 1 1", "s"), msg("MSG foo.> 1 1", "g")], gt: [msg("MSG foo.* 1 1", "s"), msg("MSG foo.> 1 1", "g")], bar: [] },
  },
  {
    name: "queue group: each message goes to one member, plain subscribers get all",
    steps: [
      send(Q + "SUB work q 1\r\nSUB work 2\r\n", { on: "a" }),
      send(Q + "SUB work q 1\r\n", { on: "b" }),
      send(Q + "SUB work other 1\r\n", { on: "c" }),
      sync("a"),
      sync("b"),
      sync("c"),
      send(Q + Array.from({ length: 20 }, (_, i) => pub("work", String(i))).join(""), p),
    ],
    expectIncludes: { a: [msg("MSG work 2 1", "0"), msg("MSG work 2 2", "19")], c: [msg("MSG work 1 1", "0"), msg("MSG work 1 2", "19")] },
    view: (t: Transcript) => {
      const n = deliveryCounts(t);
      return {
        groupQ: (n.a!["1"] ?? 0) + (n.b!["1"] ?? 0),
        plain: n.a!["2"],
        groupOther: n.c!["1"],
        rest: nonDeliveries(t),
      };
    },
  },
  {
    name: "queue group members on one connection share the messages",
    steps: [send(Q + "SUB work q 1\r\nSUB work q 2\r\nSUB work q 3\r\n" + Array.from({ length: 10 }, () => pub("work", "m")).join(""))],
    inspect: (t: Transcript) => assert.equal(deliveredTotal(t), 10),
    view: (t: Transcript) => ({ total: deliveredTotal(t), rest: nonDeliveries(t) }),
  },
  {
    name: "UNSUB stops deliveries",
    steps: [send(Q + "SUB foo 1\r\n" + pub("foo", "a") + "UNSUB 1\r\n" + pub("foo", "b"))],
    expect: { c: [msg("MSG foo 1 1", "a")] },
  },
  {
    name: "UNSUB with max: auto-unsubscribe after N deliveries",
    steps: [send(Q + "SUB foo 1\r\nUNSUB 1 2\r\n" + pub("foo", "a") + pub("foo", "b") + pub("foo", "c"))],
    expect: { c: [msg("MSG foo 1 1", "a"), msg("MSG foo 1 1", "b")] },
  },
  {
    name: "UNSUB with max already reached removes the subscription at once",
    steps: [send(Q + "SUB foo 1\r\n" + pub("foo", "a") + pub("foo", "b") + "UNSUB 1 1\r\n" + pub("foo", "c"))],
    expect: { c: [msg("MSG foo 1 1", "a"), msg("MSG foo 1 1", "b")] },
  },
  {
    name: "UNSUB with max counts deliveries before and after it",
    steps: [send(Q + "SUB foo 1\r\n" + pub("foo", "a") + "UNSUB 1 3\r\n" + pub("foo", "b") + pub("foo", "c") + pub("foo", "d"))],
    expect: { c: [msg("MSG foo 1 1", "a"), msg("MSG foo 1 1", "b"), msg("MSG foo 1 1", "c")] },
  },
  {
    name: "UNSUB with max on a queue subscription",
    steps: [send(Q + "SUB foo q 1\r\nUNSUB 1 1\r\n" + pub("foo", "a") + pub("foo", "b"))],
    expect: { c: [msg("MSG foo 1 1", "a")] },
  },
  {
    name: "UNSUB with max 0 unsubscribes at once",
    steps: [send(Q + "SUB foo 1\r\nUNSUB 1 0\r\n" + pub("foo", "a"))],
    expect: { c: [] },
  },
  {
    name: "UNSUB max lowered to the deliveries already made removes the subscription",
    steps: [send(Q + "SUB foo 1\r\nUNSUB 1 3\r\n" + pub("foo", "a") + "UNSUB 1 1\r\n" + pub("foo", "b"))],
    expect: { c: [msg("MSG foo 1 1", "a")] },
  },
  {
    name: "UNSUB max can be raised",
    steps: [send(Q + "SUB foo 1\r\nUNSUB 1 1\r\nUNSUB 1 3\r\n" + ["a", "b", "c", "d"].map((x) => pub("foo", x)).join(""))],
    expect: { c: [msg("MSG foo 1 1", "a"), msg("MSG foo 1 1", "b"), msg("MSG foo 1 1", "c")] },
  },
  {
    name: "UNSUB of an unknown sid is accepted silently",
    steps: [send(connectOp({ verbose: true }) + "UNSUB 99\r\nUNSUB 98 5\r\n")],
    expect: { c: ["+OK", "+OK", "+OK"] },
  },
  {
    name: "a sid can be reused after UNSUB",
    steps: [send(Q + "SUB foo 1\r\nUNSUB 1\r\nSUB bar 1\r\n" + pub("foo", "a") + pub("bar", "b"))],
    expect: { c: [msg("MSG bar 1 1", "b")] },
  },
  {
    name: "PING gets PONG; a client PONG gets nothing",
    steps: [send("PING\r\nPONG\r\nPING\r\n")],
    expect: { c: ["PONG", "PONG"] },
  },
  {
    name: "echo false: a connection does not get its own messages, others do",
    steps: [
      send(Q + "SUB foo 1\r\n", sub),
      sync("sub"),
      send(quietConnect({ echo: false }) + "SUB foo 1\r\n" + pub("foo", "x"), p),
    ],
    expect: { sub: [msg("MSG foo 1 1", "x")], pub: [] },
  },
  {
    name: "echo defaults to true",
    steps: [send(Q + "SUB foo 1\r\n" + pub("foo", "x"))],
    expect: { c: [msg("MSG foo 1 1", "x")] },
  },
  {
    name: "deliveries keep the order of pipelined ops",
    steps: [
      send(
        Q +
          pub("foo", "before-sub") +
          "SUB foo 1\r\n" +
          pub("foo", "a") +
          pub("foo", "b") +
          "UNSUB 1\r\n" +
          pub("foo", "after-unsub") +
          "SUB foo 2\r\n" +
          pub("foo", "c") +
          "PING\r\n" +
          pub("foo", "d"),
      ),
    ],
    expect: { c: [msg("MSG foo 1 1", "a"), msg("MSG foo 1 1", "b"), msg("MSG foo 2 1", "c"), "PONG", msg("MSG foo 2 1", "d")] },
  },
  {
    name: "deliveries from another connection keep publish order",
    steps: [
      send(Q + "SUB seq.* 1\r\n", sub),
      sync("sub"),
      send(Q + Array.from({ length: 50 }, (_, i) => pub(`seq.${i}`, String(i))).join(""), p),
    ],
    expect: { sub: Array.from({ length: 50 }, (_, i) => msg(`MSG seq.${i} 1 ${String(i).length}`, String(i))), pub: [] },
  },
  {
    name: "1000 deliveries queued before an unknown op are all sent before -ERR and close",
    steps: [send(Q + "SUB foo 1\r\n" + Array.from({ length: 1000 }, (_, i) => pub("foo", String(i))).join("") + "NOPE\r\n"), expectClose()],
    expect: { c: [...Array.from({ length: 1000 }, (_, i) => msg(`MSG foo 1 ${String(i).length}`, String(i))), "-ERR 'Unknown Protocol Operation'", "<closed>"] },
  },
  {
    name: "a large delivery queued before an unknown op is sent whole before -ERR and close",
    steps: [send(Q + "SUB foo 1\r\n" + pub("foo", "z".repeat(500_000)) + "NOPE\r\n"), expectClose()],
    expect: { c: [`MSG foo 1 500000 | ${LARGE_Z}`, "-ERR 'Unknown Protocol Operation'", "<closed>"] },
  },
  {
    name: "long subjects with many tokens",
    steps: [send(Q + `SUB ${"t.".repeat(100)}> 1\r\n` + pub(`${"t.".repeat(100)}end`, "x"))],
    expect: { c: [msg(`MSG ${"t.".repeat(100)}end 1 1`, "x")] },
  },
];

differentialSuite("differential: ops and deliveries", cases);
