/**
 * The parser fed bytes directly, against a handler that records every call: each op, case and
 * separators, CR/LF variants, chunks split at every byte, max_control_line, payloads within and across
 * chunks, HPUB header sizes, and which errors stop the connection.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ERR } from "../../src/protocol/errors.js";
import { CLIENT_OPS, type ClientOpHandler } from "../../src/protocol/client-ops.js";
import { OpTable, parseSize, Parser, type Op, type ParserHandler } from "../../src/protocol/parser.js";

interface Options {
  headers?: boolean;
  maxControlLine?: number;
  connected?: boolean;
  /** allowOpBeforeConnect answers this (and records the refusal). */
  allowBeforeConnect?: boolean;
  /** checkPubSize refuses sizes above this (and closes, as the client does). */
  maxPayload?: number;
  tracing?: boolean;
}

/** Records the parser's calls as readable strings; closes on a protocol error, as a client does. */
class Recorder implements ClientOpHandler {
  readonly calls: string[] = [];
  /** Payload buffers handed over by onPub, to check zero-copy slicing. */
  readonly payloads: Buffer[] = [];
  closed = false;
  readonly headersEnabled: boolean;
  readonly maxControlLine: number;
  connected: boolean;
  readonly tracing: boolean;
  constructor(private readonly o: Options = {}) {
    this.headersEnabled = o.headers ?? true;
    this.maxControlLine = o.maxControlLine ?? 4096;
    this.connected = o.connected ?? true;
    this.tracing = o.tracing ?? false;
  }
  allowOpBeforeConnect(): boolean {
    const ok = this.o.allowBeforeConnect ?? true;
    if (!ok) {
      this.calls.push("refused before CONNECT");
      this.closed = true;
    }
    return ok;
  }
  onConnect(json: string): void {
    this.connected = true;
    this.calls.push(`CONNECT ${json}`);
  }
  onPub(subject: string, reply: string | undefined, payload: Buffer, hdrLen: number): void {
    this.payloads.push(payload);
    this.calls.push(`PUB ${subject} ${reply ?? "-"} ${hdrLen} [${payload.toString("latin1")}]`);
  }
  onSub(subject: string, queue: string | undefined, sid: string): void {
    this.calls.push(`SUB ${subject} ${queue ?? "-"} ${sid}`);
  }
  onUnsub(sid: string, max: number): void {
    this.calls.push(`UNSUB ${sid} ${max}`);
  }
  onPing(): void {
    this.calls.push("PING");
  }
  onPong(): void {
    this.calls.push("PONG");
  }
  onProtocolError(err: string | undefined, _detail: string): void {
    this.calls.push(`ERROR ${err ?? "(silent)"}`);
    this.closed = true;
  }
  checkPubSize(size: number): boolean {
    if (size <= (this.o.maxPayload ?? Infinity)) return true;
    this.calls.push(`ERROR ${ERR.maxPayload}`);
    this.closed = true;
    return false;
  }
  traceIn(op: string, arg: string): void {
    this.calls.push(`trace <<- ${op} ${JSON.stringify(arg)}`);
  }
  tracePayload(payload: Buffer): void {
    this.calls.push(`trace payload [${payload.toString("latin1")}]`);
  }
}

function run(chunks: (string | Buffer)[], o?: Options): Recorder {
  const r = new Recorder(o);
  const p = new Parser<ClientOpHandler>(r, CLIENT_OPS);
  for (const c of chunks) p.parse(typeof c === "string" ? Buffer.from(c, "latin1") : c);
  return r;
}

const calls = (text: string, o?: Options) => run([text], o).calls;

/** A chunk with an ArrayBuffer of its own (small Buffer.from results share a pool). */
function unpooled(text: string): Buffer {
  const b = Buffer.alloc(text.length);
  b.write(text, "latin1");
  return b;
}

/** A session with every client op, headers, a queue, tabs and binary payload bytes. */
const SESSION =
  'CONNECT {"verbose":false,"headers":true}\r\n' +
  "PING\r\nPONG\r\n+OK\r\n" +
  "SUB foo 1\r\nSUB\tbar.*\tq\t2\r\n" +
  "PUB foo 5\r\nhello\r\n" +
  "PUB foo r.1 3\r\n\x00\r\n\r\n" +
  "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n" +
  "HPUB foo reply 12 12\r\nNATS/1.0\r\n\r\n\r\n" +
  "PUB empty 0\r\n\r\n" +
  "UNSUB 1\r\nUNSUB 2 10\r\n" +
  'INFO {"x":1}\r\n' +
  "PING\r\n";

const SESSION_CALLS = [
  'CONNECT {"verbose":false,"headers":true}',
  "PING",
  "PONG",
  "SUB foo - 1",
  "SUB bar.* q 2",
  "PUB foo - -1 [hello]",
  "PUB foo r.1 -1 [\x00\r\n]",
  "PUB foo - 12 [NATS/1.0\r\n\r\nhi]",
  "PUB foo reply 12 [NATS/1.0\r\n\r\n]",
  "PUB empty - -1 []",
  "UNSUB 1 0",
  "UNSUB 2 10",
  "PING",
];

describe("parser: ops", () => {
  it("parses every client op", () => {
    assert.deepEqual(calls(SESSION), SESSION_CALLS);
  });

  it("gives the same calls for the session split at every byte boundary", () => {
    const b = Buffer.from(SESSION, "latin1");
    for (let i = 1; i < b.length; i++) {
      assert.deepEqual(run([b.subarray(0, i), b.subarray(i)]).calls, SESSION_CALLS, `split at ${i}`);
    }
  });

  it("gives the same calls for the session split into three at every pair of boundaries", () => {
    const b = Buffer.from(SESSION, "latin1");
    for (let i = 1; i < b.length; i += 3) {
      for (let j = i + 1; j < b.length; j += 2) {
        assert.deepEqual(run([b.subarray(0, i), b.subarray(i, j), b.subarray(j)]).calls, SESSION_CALLS, `split at ${i}, ${j}`);
      }
    }
  });

  it("gives the same calls fed one byte at a time", () => {
    const b = Buffer.from(SESSION, "latin1");
    const chunks: Buffer[] = [];
    for (let i = 0; i < b.length; i++) chunks.push(b.subarray(i, i + 1));
    assert.deepEqual(run(chunks).calls, SESSION_CALLS);
  });

  it("accepts a bare LF as the end of a control line", () => {
    assert.deepEqual(calls("PING\nSUB foo 1\nPUB foo 2\nhi\r\nUNSUB 1\n"), ["PING", "SUB foo - 1", "PUB foo - -1 [hi]", "UNSUB 1 0"]);
  });

  it("matches op names in any case", () => {
    assert.deepEqual(calls('connect {}\r\nPiNg\r\npong\r\nsub a 1\r\npub a 1\r\nx\r\nHpUb a 12 12\r\nNATS/1.0\r\n\r\n\r\nuNsUb 1\r\n+ok\r\n'), [
      "CONNECT {}",
      "PING",
      "PONG",
      "SUB a - 1",
      "PUB a - -1 [x]",
      "PUB a - 12 [NATS/1.0\r\n\r\n]",
      "UNSUB 1 0",
    ]);
  });

  it("takes runs of spaces and tabs between arguments", () => {
    assert.deepEqual(calls("SUB  \t foo \t q  7 \r\nPUB\t foo  \t 1 \r\nx\r\nUNSUB   7   \t2\r\n"), ["SUB foo q 7", "PUB foo - -1 [x]", "UNSUB 7 2"]);
  });

  it("ignores what follows PING, PONG and +OK on their line", () => {
    assert.deepEqual(calls("PINGxyz\r\nPONG pong\r\n+OKAY\r\n"), ["PING", "PONG"]);
  });

  it("takes whatever follows CONNECT as its argument", () => {
    assert.deepEqual(calls('CONNECT\t {"a":1}\r\n'), ['CONNECT {"a":1}']);
    assert.deepEqual(calls("CONNECT\r\n"), ["CONNECT "]);
  });

  it("hands a payload inside the chunk over as a slice of it, and copies one that spans chunks", () => {
    const chunk = unpooled("PUB a 5\r\nhello\r\n");
    const whole = run([chunk]);
    assert.equal(whole.payloads[0]!.buffer, chunk.buffer);
    assert.equal(whole.payloads[0]!.byteOffset, chunk.byteOffset + 9);
    const a = unpooled("PUB a 5\r\nhel");
    const b = unpooled("lo\r\nPING\r\n");
    const split = run([a, b]);
    assert.deepEqual(split.calls, ["PUB a - -1 [hello]", "PING"]);
    assert.notEqual(split.payloads[0]!.buffer, a.buffer);
    assert.notEqual(split.payloads[0]!.buffer, b.buffer);
  });

  it("takes a payload of a megabyte across many chunks", () => {
    const body = Buffer.alloc(1 << 20, 0x61);
    const all = Buffer.concat([Buffer.from(`PUB big ${body.length}\r\n`), body, Buffer.from("\r\nPING\r\n")]);
    const chunks: Buffer[] = [];
    for (let i = 0; i < all.length; i += 65536) chunks.push(all.subarray(i, i + 65536));
    const r = run(chunks);
    assert.equal(r.payloads.length, 1);
    assert.ok(r.payloads[0]!.equals(body));
    assert.equal(r.calls.at(-1), "PING");
  });

  it("reports ops, arguments and payloads when tracing", () => {
    assert.deepEqual(calls("PING\r\nPUB  a r 1\r\nx\r\nSUB a 1\r\n", { tracing: true }), [
      'trace <<- PING ""',
      "PING",
      'trace <<- PUB "a r 1"',
      "trace payload [x]",
      "PUB a r -1 [x]",
      'trace <<- SUB "a 1"',
      "SUB a - 1",
    ]);
  });
});

describe("parser: errors", () => {
  it("refuses an unknown op", () => {
    assert.deepEqual(calls("FOO bar\r\nPING\r\n"), [`ERROR ${ERR.unknownOp}`]);
    assert.deepEqual(calls("PUBX a 1\r\n"), [`ERROR ${ERR.unknownOp}`]);
    assert.deepEqual(calls("\r\n"), [`ERROR ${ERR.unknownOp}`]);
  });

  it("needs a separator after PUB, HPUB, SUB, UNSUB and -ERR", () => {
    for (const line of ["PUB\r\n", "HPUB\r\n", "SUB\r\n", "UNSUB\r\n", "-ERR\r\n"]) assert.deepEqual(calls(line), [`ERROR ${ERR.unknownOp}`], line);
  });

  it("closes silently on bad PUB, SUB and UNSUB arguments", () => {
    for (const line of ["PUB a\r\n", "PUB a b c 1\r\n", "PUB a x\r\n", "PUB a -1\r\n", "SUB a\r\n", "SUB a b c d\r\n", "UNSUB\t\r\n", "UNSUB 1 2 3\r\n"]) {
      assert.deepEqual(calls(line), ["ERROR (silent)"], line);
    }
  });

  it("checks HPUB's header size against the total", () => {
    assert.deepEqual(calls("HPUB a 13 12\r\n"), ["ERROR (silent)"]);
    assert.deepEqual(calls("HPUB a 12\r\n"), ["ERROR (silent)"]);
    assert.deepEqual(calls("HPUB a x 12\r\n"), ["ERROR (silent)"]);
    assert.deepEqual(calls("HPUB a 0 0\r\n\r\n"), ["PUB a - 0 []"]);
  });

  it("refuses HPUB from a connection without headers", () => {
    assert.deepEqual(calls("HPUB a 12 12\r\nNATS/1.0\r\n\r\n\r\n", { headers: false }), ["ERROR (silent)"]);
  });

  it("refuses a payload not followed by CRLF, in one chunk or across chunks", () => {
    assert.deepEqual(calls("PUB a 2\r\nhix\r\n"), [`ERROR ${ERR.unknownOp}`]);
    assert.deepEqual(run(["PUB a 2\r\nh", "ix\r\n"]).calls, [`ERROR ${ERR.unknownOp}`]);
  });

  it("asks the connection about a payload's size before reading it", () => {
    assert.deepEqual(calls("PUB a 10\r\n0123456789\r\nPING\r\n", { maxPayload: 9 }), [`ERROR ${ERR.maxPayload}`]);
  });

  it("enforces max_control_line on PUB, SUB and UNSUB arguments", () => {
    const o = { maxControlLine: 16 };
    assert.deepEqual(calls(`SUB ${"a".repeat(14)} 1\r\n`, o), ["SUB aaaaaaaaaaaaaa - 1"]);
    assert.deepEqual(calls(`SUB ${"a".repeat(15)} 1\r\n`, o), [`ERROR ${ERR.maxControlLine}`]);
    assert.deepEqual(calls(`PUB ${"a".repeat(20)} 1\r\nx\r\n`, o), [`ERROR ${ERR.maxControlLine}`]);
    assert.deepEqual(calls(`UNSUB ${"1".repeat(17)}\r\n`, o), [`ERROR ${ERR.maxControlLine}`]);
  });

  it("enforces max_control_line on a line that has not ended yet", () => {
    const o = { maxControlLine: 16 };
    // Within the limit and its 8 bytes of slack for the op name: waits for more.
    assert.deepEqual(run([`SUB ${"a".repeat(20)}`], o).calls, []);
    assert.deepEqual(run([`SUB ${"a".repeat(10)}`, "a".repeat(20)], o).calls, [`ERROR ${ERR.maxControlLine}`]);
  });

  it("lets CONNECT's argument be as long as max_control_line", () => {
    const o = { maxControlLine: 16, connected: false };
    assert.deepEqual(calls(`CONNECT {"a":"${"x".repeat(8)}"}\r\n`, o), [`CONNECT {"a":"xxxxxxxx"}`]);
    assert.deepEqual(calls(`CONNECT {"a":"${"x".repeat(9)}"}\r\n`, o), [`ERROR ${ERR.maxControlLine}`]);
  });

  it("closes silently on -ERR and on an INFO that is not JSON", () => {
    assert.deepEqual(calls("-ERR 'x'\r\nPING\r\n"), ["ERROR (silent)"]);
    assert.deepEqual(calls("INFO {\r\nPING\r\n"), ["ERROR (silent)"]);
    assert.deepEqual(calls("INFO {}\r\nPING\r\n"), ["PING"]);
  });

  it("stops at once when an op is refused before CONNECT", () => {
    assert.deepEqual(calls("PING\r\nPING\r\n", { connected: false, allowBeforeConnect: false }), ["refused before CONNECT"]);
    assert.deepEqual(calls('CONNECT {}\r\nPING\r\n', { connected: false, allowBeforeConnect: false }), ["CONNECT {}", "PING"]);
  });

  it("parses nothing after the connection closed, in the same chunk or later ones", () => {
    const r = run(["FOO\r\nPING\r\n", "PING\r\n"]);
    assert.deepEqual(r.calls, [`ERROR ${ERR.unknownOp}`]);
  });
});

describe("parser: another kind's op table", () => {
  /** A route-like kind: RMSG <account> <subject> [reply] <size> with a payload, and RS+ <account> <subject>. */
  interface RouteLike extends ParserHandler {
    readonly got: string[];
  }
  const RMSG: Op<RouteLike> = {
    name: "RMSG",
    follows: "args",
    bounded: true,
    beforeConnect: false,
    run(p, h, buf, s, e) {
      if (p.argTooLong(s, e)) return;
      const n = p.split(buf, s, e, 4);
      if (n !== 3 && n !== 4) return h.onProtocolError(undefined, "RMSG args");
      const m = p.msg;
      m.account = p.token(buf, 0);
      m.subject = p.subjectAt(buf, p.tok[2]!, p.tok[3]!);
      m.reply = n === 4 ? p.token(buf, 2) : undefined;
      p.expectPayload(parseSize(buf, p.tok[2 * (n - 1)]!, p.tok[2 * (n - 1) + 1]!), (h2, payload, m2) =>
        h2.got.push(`RMSG ${m2.account} ${m2.subject} ${m2.reply ?? "-"} [${payload.toString("latin1")}]`),
      );
    },
  };
  const RS_PLUS: Op<RouteLike> = {
    name: "RS+",
    follows: "args",
    bounded: true,
    beforeConnect: false,
    run: (p, h, buf, s, e) => void h.got.push(`RS+ ${p.split(buf, s, e, 3) === 2 ? `${p.token(buf, 0)} ${p.token(buf, 1)}` : "?"}`),
  };
  const TABLE = new OpTable<RouteLike>([RMSG, RS_PLUS]);

  function routeRun(chunks: string[]): string[] {
    const h: RouteLike = {
      got: [],
      closed: false,
      connected: true,
      allowOpBeforeConnect: () => true,
      maxControlLine: 4096,
      onProtocolError(err) {
        h.got.push(`ERROR ${err ?? "(silent)"}`);
        (h as { closed: boolean }).closed = true;
      },
      tracing: false,
      traceIn: () => {},
      tracePayload: () => {},
    };
    const p = new Parser(h, TABLE);
    for (const c of chunks) p.parse(Buffer.from(c, "latin1"));
    return h.got;
  }

  it("runs the kind's own ops, payload included, split anywhere", () => {
    const text = "RS+ $G foo\r\nrmsg $G foo r 3\r\nabc\r\nRMSG $G foo 0\r\n\r\n";
    const want = ["RS+ $G foo", "RMSG $G foo r [abc]", "RMSG $G foo - []"];
    assert.deepEqual(routeRun([text]), want);
    for (let i = 1; i < text.length; i++) assert.deepEqual(routeRun([text.slice(0, i), text.slice(i)]), want, `split at ${i}`);
  });

  it("knows no op of another kind's table", () => {
    assert.deepEqual(routeRun(["PUB foo 1\r\nx\r\n"]), [`ERROR ${ERR.unknownOp}`]);
    assert.deepEqual(calls("RS+ $G foo\r\n"), [`ERROR ${ERR.unknownOp}`]);
  });

  it("matches symbols in op names exactly, letters in any case", () => {
    assert.deepEqual(routeRun(["rs+ $G a\r\n"]), ["RS+ $G a"]);
    assert.deepEqual(routeRun(["RS\x0b $G a\r\n"]), [`ERROR ${ERR.unknownOp}`]);
    assert.deepEqual(calls("\x0bOK\r\n"), [`ERROR ${ERR.unknownOp}`]);
  });
});
