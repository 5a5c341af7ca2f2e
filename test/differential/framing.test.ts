/**
 * Framing: op-name case, argument separators, line endings, and sessions cut into writes at every byte
 * boundary, compared between nats-server 2.9.10 and tsnats.
 */
import { expectClose, send } from "../helpers/raw-session.js";
import { connectOp, differentialSuite, hmsg, hpub, msg, pub, quietConnect, type DiffCase } from "./harness.js";

const Q = quietConnect();
const QH = quietConnect({ headers: true });

const cases: DiffCase[] = [
  {
    name: "op names are case-insensitive",
    steps: [
      send(
        'connect {"verbose":false,"pedantic":false,"headers":true}\r\n' +
          "sub foo 1\r\nSuB bar 2\r\n" +
          "pub foo 1\r\na\r\nPuB bar 1\r\nb\r\n" +
          "hpub foo 12 13\r\nNATS/1.0\r\n\r\nc\r\n" +
          "unsub 1\r\nUnSuB 2 1\r\nping\r\nPiNg\r\npong\r\n" +
          pub("foo", "gone"),
      ),
    ],
    expect: { c: [msg("MSG foo 1 1", "a"), msg("MSG bar 2 1", "b"), hmsg("HMSG foo 1 12 13", "NATS/1.0\r\n\r\n", "c"), "PONG", "PONG"] },
  },
  {
    name: "arguments may be separated by several spaces and tabs",
    steps: [
      send(
        'CONNECT \t {"verbose":false,"pedantic":false,"headers":true}\r\n' +
          "SUB  \t foo\t\tq   1\r\n" +
          "SUB\tbar\t2\r\n" +
          "PUB \tfoo  \t reply\t\t3\r\nabc\r\n" +
          "HPUB\tbar   r\t12 \t14\r\nNATS/1.0\r\n\r\nhi\r\n" +
          "UNSUB \t 2 \t 5\r\n" +
          pub("bar", "x"),
      ),
    ],
    expect: { c: [msg("MSG foo 1 reply 3", "abc"), hmsg("HMSG bar 2 r 12 14", "NATS/1.0\r\n\r\n", "hi"), msg("MSG bar 2 1", "x")] },
  },
  {
    name: "trailing spaces and tabs on control lines are ignored",
    steps: [send(Q + "SUB foo 1 \t\r\nPUB foo 1  \r\na\r\nPING \r\nUNSUB 1\t\r\n" + pub("foo", "b"))],
    expect: { c: [msg("MSG foo 1 1", "a"), "PONG"] },
  },
  {
    name: "control lines may end in LF alone",
    steps: [send(Q + "SUB foo 1\nPUB foo 1\na\r\nPING\n")],
    expect: { c: [msg("MSG foo 1 1", "a"), "PONG"] },
  },
  {
    name: "each op in its own write",
    steps: [send(Q), send("SUB foo 1\r\n"), send("PUB foo 3\r\n"), send("abc"), send("\r\n"), send("PING\r\n")],
    expect: { c: [msg("MSG foo 1 3", "abc"), "PONG"] },
  },
  {
    name: "a session with SUB, PUB, reply and PING, cut at every offset",
    steps: [send(Q + "SUB foo.* 1\r\n" + pub("foo.a", "hello") + pub("foo.b", "x\r\ny", "r.1") + "PING\r\n" + pub("foo.c", ""))],
    expect: { c: [msg("MSG foo.a 1 5", "hello"), msg("MSG foo.b 1 r.1 4", "x\r\ny"), "PONG", msg("MSG foo.c 1 0", "")] },
    resplit: "every-offset",
  },
  {
    name: "a session with HPUB and HPUB header length 0, cut at every offset",
    steps: [send(QH + "SUB h 9\r\n" + hpub("h", "NATS/1.0\r\nK: v\r\n\r\n", "pay", "rr") + "HPUB h 0 2\r\nok\r\n")],
    expect: { c: [hmsg("HMSG h 9 rr 18 21", "NATS/1.0\r\nK: v\r\n\r\n", "pay"), msg("MSG h 9 2", "ok")] },
    resplit: "every-offset",
  },
  {
    name: "a verbose session without CONNECT, cut at every offset",
    steps: [send("sub foo 1\r\nPUB foo 2\r\nab\r\nunsub 1\r\nping\r\n")],
    expect: { c: ["+OK", "+OK", msg("MSG foo 1 2", "ab"), "+OK", "PONG"] },
    resplit: "every-offset",
  },
  {
    name: "an unknown op after valid ones, cut at every offset",
    steps: [send(Q + "SUB foo 1\r\n" + pub("foo", "a") + "BOGUS op\r\n"), expectClose()],
    expect: { c: [msg("MSG foo 1 1", "a"), "-ERR 'Unknown Protocol Operation'", "<closed>"] },
    resplit: "every-offset",
  },
  {
    name: "a session sent one byte at a time",
    steps: [send(QH + "SUB a 1\r\nSUB b q 2\r\n" + pub("a", "one") + hpub("b", "NATS/1.0\r\nX: y\r\n\r\n", "two") + "PING\r\n")],
    expect: { c: [msg("MSG a 1 3", "one"), hmsg("HMSG b 2 18 21", "NATS/1.0\r\nX: y\r\n\r\n", "two"), "PONG"] },
    resplit: "bytes",
  },
  {
    name: "a payload-size error sent one byte at a time",
    steps: [send(Q + "PUB foo 3\r\nabcd\r\n"), expectClose()],
    expect: { c: ["-ERR 'Unknown Protocol Operation'", "<closed>"] },
    resplit: "bytes",
  },
  {
    // Not pedantic: nats-server 2.9.10 repeats "Invalid Publish Subject" when a PUB line arrives in pieces.
    name: "a verbose CONNECT sent one byte at a time",
    steps: [send(connectOp({ verbose: true, pedantic: false, name: "split" }) + "SUB x.* 1\r\n" + pub("x.y", "p"))],
    expect: { c: ["+OK", "+OK", "+OK", msg("MSG x.y 1 1", "p")] },
    resplit: "bytes",
  },
];

differentialSuite("differential: framing and chunking", cases);
