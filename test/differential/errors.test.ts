/**
 * Protocol errors (spec §1.5 without auth), verbose and pedantic modes, and which errors close the
 * connection, compared between nats-server 2.9.10 and tsnats.
 */
import { expectClose, send } from "../helpers/raw-session.js";
import { connectOp, differentialSuite, hpub, msg, pub, quietConnect, type DiffCase } from "./harness.js";

const Q = quietConnect();
const QH = quietConnect({ headers: true });
const UNKNOWN = "-ERR 'Unknown Protocol Operation'";
const CONTROL_LINE = "-ERR 'maximum control line exceeded'";
const PAYLOAD = "-ERR 'Maximum Payload Violation'";
const INVALID_SUBJECT = "-ERR 'Invalid Subject'";
const INVALID_PUBLISH = "-ERR 'Invalid Publish Subject'";
const CLOSED = "<closed>";

/** Arguments of exactly `n` bytes for `SUB`/`PUB`: a long subject and a one-digit sid or size. */
const argsOfLength = (n: number) => `${"a".repeat(n - 2)} 1`;

/** A session that sends `text` and waits for the server to close the connection. */
const closes = (text: string) => [send(text), expectClose()];

const cases: DiffCase[] = [
  {
    name: "unknown op: -ERR and close",
    steps: closes("FOO bar\r\n"),
    expect: { c: [UNKNOWN, CLOSED] },
  },
  {
    name: "unknown op after valid ops: earlier ops take effect, later ones do not",
    steps: closes(Q + "SUB foo 1\r\n" + pub("foo", "a") + "NOPE\r\n" + pub("foo", "b")),
    expect: { c: [msg("MSG foo 1 1", "a"), UNKNOWN, CLOSED] },
  },
  {
    name: "an empty line is an unknown op",
    steps: closes(Q + "\r\n"),
    expect: { c: [UNKNOWN, CLOSED] },
  },
  {
    name: "MSG from a client is an unknown op",
    steps: closes(Q + "MSG foo 1 1\r\na\r\n"),
    expect: { c: [UNKNOWN, CLOSED] },
  },
  {
    name: "PUB and SUB with no arguments at all are unknown ops",
    steps: [send(Q + "PUB\r\n", { on: "pub" }), send(Q + "SUB\r\n", { on: "sub" }), expectClose({ on: "pub" }), expectClose({ on: "sub" })],
    expect: { pub: [UNKNOWN, CLOSED], sub: [UNKNOWN, CLOSED] },
  },
  {
    name: "UNSUB with no arguments is an unknown op",
    steps: closes(Q + "UNSUB\r\n"),
    expect: { c: [UNKNOWN, CLOSED] },
  },
  {
    name: "control line arguments of exactly max_control_line (4096) are accepted",
    steps: [send(Q + `SUB ${argsOfLength(4096)}\r\nPUB ${argsOfLength(4096)}\r\nx\r\n`)],
    expect: { c: [msg(`MSG ${"a".repeat(4094)} 1 1`, "x")] },
  },
  {
    name: "SUB arguments one byte over max_control_line: -ERR and close",
    steps: closes(Q + `SUB ${argsOfLength(4097)}\r\n`),
    expect: { c: [CONTROL_LINE, CLOSED] },
  },
  {
    name: "PUB arguments one byte over max_control_line: -ERR and close",
    steps: closes(Q + `PUB ${argsOfLength(4097)}\r\nx\r\n`),
    expect: { c: [CONTROL_LINE, CLOSED] },
  },
  {
    name: "an unterminated control line over max_control_line: -ERR and close",
    steps: closes(Q + "PUB " + "a".repeat(5000)),
    expect: { c: [CONTROL_LINE, CLOSED] },
  },
  {
    name: "CONNECT longer than max_control_line: -ERR and close",
    steps: closes(connectOp({ verbose: false, name: "n".repeat(4200) })),
    expect: { c: [CONTROL_LINE, CLOSED] },
  },
  {
    name: "PUB over max_payload: -ERR and close before the payload",
    steps: closes(Q + "PUB foo 1048577\r\n"),
    expect: { c: [PAYLOAD, CLOSED] },
  },
  {
    name: "HPUB whose total is over max_payload: -ERR and close",
    steps: closes(QH + "HPUB foo 12 1048577\r\n"),
    expect: { c: [PAYLOAD, CLOSED] },
  },
  {
    name: "payload longer than its size: -ERR and close",
    steps: closes(Q + "SUB foo 1\r\nPUB foo 2\r\nhello\r\n"),
    expect: { c: [UNKNOWN, CLOSED] },
  },
  {
    name: "payload shorter than its size: -ERR and close",
    steps: closes(Q + "SUB foo 1\r\nPUB foo 5\r\nhi\r\nPING\r\n"),
    expect: { c: [UNKNOWN, CLOSED] },
  },
  {
    name: "HPUB payload not followed by CRLF: -ERR and close",
    steps: closes(QH + "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi!!\r\n"),
    expect: { c: [UNKNOWN, CLOSED] },
  },
  {
    name: "CONNECT protocol 5: invalid client protocol",
    steps: closes(connectOp({ protocol: 5 })),
    expect: { c: ["-ERR 'invalid client protocol'", CLOSED] },
  },
  {
    name: "CONNECT protocol -1: invalid client protocol",
    steps: closes(connectOp({ protocol: -1 })),
    expect: { c: ["-ERR 'invalid client protocol'", CLOSED] },
  },
  {
    name: "CONNECT protocol 0 and 1 are accepted",
    steps: [send(connectOp({ verbose: true, protocol: 0 }), { on: "p0" }), send(connectOp({ verbose: true, protocol: 1 }), { on: "p1" })],
    expect: { p0: ["+OK"], p1: ["+OK"] },
  },
  {
    name: "no_responders without headers: -ERR and close",
    steps: closes(connectOp({ no_responders: true })),
    expect: { c: ["-ERR 'no responders requires headers support'", CLOSED] },
  },
  {
    name: "CONNECT with invalid JSON closes without -ERR",
    steps: closes("CONNECT {verbose:false\r\n"),
    expect: { c: [CLOSED] },
  },
  {
    name: "CONNECT with no argument closes without -ERR",
    steps: closes("CONNECT\r\n"),
    expect: { c: [CLOSED] },
  },
  {
    name: "CONNECT with a wrongly typed field closes without -ERR",
    steps: closes('CONNECT {"protocol":"1"}\r\n'),
    expect: { c: [CLOSED] },
  },
  {
    name: "CONNECT with unknown fields is accepted",
    steps: [send('CONNECT {"verbose":true,"x-unknown":[1,{"a":null}],"lang":"raw"}\r\n')],
    expect: { c: ["+OK"] },
  },
  {
    name: "HPUB without headers:true in CONNECT closes without -ERR",
    steps: closes(Q + "SUB foo 1\r\n" + hpub("foo", "NATS/1.0\r\n\r\n", "hi")),
    expect: { c: [CLOSED] },
  },
  {
    name: "HPUB header length over total length closes without -ERR",
    steps: closes(QH + "HPUB foo 10 5\r\n"),
    expect: { c: [CLOSED] },
  },
  {
    name: "HPUB with only one size closes without -ERR",
    steps: closes(QH + "HPUB foo 5\r\nhello\r\n"),
    expect: { c: [CLOSED] },
  },
  {
    name: "PUB without a size closes without -ERR",
    steps: closes(Q + "PUB foo\r\n"),
    expect: { c: [CLOSED] },
  },
  {
    name: "PUB with a non-numeric size closes without -ERR",
    steps: closes(Q + "PUB foo x\r\n"),
    expect: { c: [CLOSED] },
  },
  {
    name: "PUB with a negative size closes without -ERR",
    steps: closes(Q + "PUB foo -1\r\n"),
    expect: { c: [CLOSED] },
  },
  {
    name: "PUB with too many arguments closes without -ERR",
    steps: closes(Q + "PUB foo a b 1\r\nx\r\n"),
    expect: { c: [CLOSED] },
  },
  {
    name: "SUB without a sid closes without -ERR",
    steps: closes(Q + "SUB foo\r\n"),
    expect: { c: [CLOSED] },
  },
  {
    name: "SUB with too many arguments closes without -ERR",
    steps: closes(Q + "SUB foo a b 1\r\n"),
    expect: { c: [CLOSED] },
  },
  {
    name: "invalid SUB subjects: -ERR each, connection stays open",
    steps: [send(Q + "SUB foo..bar 1\r\nSUB foo.>.x 2\r\nSUB .foo 3\r\nSUB foo. 4\r\nSUB ok 5\r\n" + pub("ok", "still open"))],
    expect: { c: [INVALID_SUBJECT, INVALID_SUBJECT, INVALID_SUBJECT, INVALID_SUBJECT, msg("MSG ok 5 10", "still open")] },
  },
  {
    name: "invalid SUB subject in verbose mode: -ERR without +OK",
    steps: [send(connectOp({ verbose: true }) + "SUB foo..bar 1\r\nSUB foo 2\r\n")],
    expect: { c: ["+OK", INVALID_SUBJECT, "+OK"] },
  },
  {
    name: "pedantic: PUB to an invalid literal subject gets -ERR, connection stays open",
    steps: [send(quietConnect({ pedantic: true }) + "SUB ok 1\r\n" + pub("foo..bar", "x") + pub("ok", "y"))],
    expect: { c: [INVALID_PUBLISH, msg("MSG ok 1 1", "y")] },
  },
  {
    name: "pedantic: PUB to a wildcard subject gets -ERR",
    steps: [send(quietConnect({ pedantic: true }) + "SUB foo.* 1\r\n" + pub("foo.*", "x") + pub("foo.>", "y") + pub("foo.ok", "z"))],
    // nats-server 2.9.10 reports the error but still delivers the message.
    expect: { c: [INVALID_PUBLISH, msg("MSG foo.* 1 1", "x"), INVALID_PUBLISH, msg("MSG foo.> 1 1", "y"), msg("MSG foo.ok 1 1", "z")] },
  },
  {
    name: "pedantic and verbose: -ERR, then +OK for the PUB",
    steps: [send(connectOp({ verbose: true, pedantic: true }) + pub("foo.*", "x"))],
    expect: { c: ["+OK", INVALID_PUBLISH, "+OK"] },
  },
  {
    name: "CONNECT without a pedantic field keeps the default (pedantic on)",
    steps: [send(connectOp({ verbose: false }) + pub("foo..bar", "x"))],
    expect: { c: [INVALID_PUBLISH] },
  },
  {
    name: "verbose: +OK after CONNECT, SUB, PUB, HPUB and UNSUB, none after PING and PONG",
    steps: [
      send(connectOp({ verbose: true, headers: true }) + "SUB foo 1\r\n" + pub("foo", "a") + hpub("foo", "NATS/1.0\r\n\r\n", "b") + "UNSUB 1\r\nPING\r\nPONG\r\n"),
    ],
    expect: { c: ["+OK", "+OK", "+OK", msg("MSG foo 1 1", "a"), "+OK", 'HMSG foo 1 12 13 | "NATS/1.0\\r\\n\\r\\n" | "b"', "+OK", "PONG"] },
  },
  {
    name: "without CONNECT the client is verbose",
    steps: [send("SUB foo 1\r\n" + pub("foo", "a") + "UNSUB 1\r\nPING\r\n")],
    expect: { c: ["+OK", "+OK", msg("MSG foo 1 1", "a"), "+OK", "PONG"] },
  },
  {
    name: "without CONNECT the client is pedantic",
    steps: [send(pub("foo.*", "a"))],
    expect: { c: [INVALID_PUBLISH, "+OK"] },
  },
  {
    name: "a second CONNECT replaces the options",
    steps: [send(connectOp({ verbose: true }) + connectOp({ verbose: false }) + "SUB foo 1\r\n")],
    expect: { c: ["+OK"] },
  },
  {
    name: "INFO from a client is ignored",
    steps: [send(Q + "INFO {}\r\nSUB foo 1\r\n" + pub("foo", "a"))],
    expect: { c: [msg("MSG foo 1 1", "a")] },
  },
];

differentialSuite("differential: errors, verbose and pedantic", cases);
