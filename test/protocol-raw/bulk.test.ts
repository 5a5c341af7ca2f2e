/**
 * Large payloads that cross many TCP chunks in both directions, and a thousand ops pipelined in one
 * write: what arrives must be byte-exact and in order.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { afterInfo, runSession, send, sync } from "../helpers/raw-session.js";
import { implUnderTest, startServerProcess, type ServerProcess } from "../helpers/server-process.js";

const CONNECT = 'CONNECT {"verbose":false,"pedantic":false,"headers":true}\r\n';
const MAX_PAYLOAD = 1048576;

/** Deterministic bytes covering every value (CR and LF included), so misframing shows. */
function pseudoRandomBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 0x2545f491;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** Offsets that cut `length` bytes into writes of `size` (an odd size, so cuts land anywhere). */
function cutsEvery(size: number, length: number): number[] {
  return Array.from({ length: Math.floor(length / size) }, (_, i) => (i + 1) * size);
}

const latin1 = (s: string) => Buffer.from(s, "latin1");

/** Asserts byte equality, reporting where the first difference is rather than dumping megabytes. */
function assertSameBytes(got: Buffer, want: Buffer, what: string): void {
  if (got.equals(want)) return;
  let at = 0;
  while (at < got.length && at < want.length && got[at] === want[at]) at++;
  const around = (b: Buffer) => JSON.stringify(b.subarray(Math.max(0, at - 40), at + 40).toString("latin1"));
  assert.fail(`${what}: ${got.length} bytes, want ${want.length}; first difference at ${at}: got ${around(got)}, want ${around(want)}`);
}

describe("protocol-raw: large payloads and pipelining", () => {
  let srv: ServerProcess;
  before(async () => {
    srv = await startServerProcess({ impl: implUnderTest() });
  });
  after(() => srv.stop());

  it("a max_payload PUB written in many pieces reaches another connection byte-exact", async () => {
    const payload = pseudoRandomBytes(MAX_PAYLOAD);
    const op = Buffer.concat([latin1(`PUB big ${MAX_PAYLOAD}\r\n`), payload, latin1("\r\n")]);
    const t = await runSession(
      srv.port,
      [
        send(CONNECT + "SUB big 1\r\n", { on: "sub" }),
        sync("sub"),
        send(CONNECT, { on: "pub" }),
        send(op, { on: "pub", split: cutsEvery(16381, op.length) }),
        sync("pub"),
        sync("sub"),
      ],
      { settle: false },
    );
    const expected = Buffer.concat([latin1(`PONG\r\nMSG big 1 ${MAX_PAYLOAD}\r\n`), payload, latin1("\r\nPONG\r\n")]);
    assertSameBytes(latin1(afterInfo(t.conns.sub!)), expected, "subscriber");
    assert.equal(afterInfo(t.conns.pub!), "PONG\r\n");
  });

  it("a large HPUB with a reply is delivered as HMSG byte-exact, and stripped to MSG for a subscriber without headers", async () => {
    const headers = latin1("NATS/1.0\r\nBig: yes\r\n\r\n");
    const payload = pseudoRandomBytes(300_000);
    const total = headers.length + payload.length;
    const op = Buffer.concat([latin1(`HPUB big _INBOX.r ${headers.length} ${total}\r\n`), headers, payload, latin1("\r\n")]);
    const t = await runSession(
      srv.port,
      [
        send(CONNECT + "SUB big h\r\n", { on: "withHeaders" }),
        send('CONNECT {"verbose":false,"pedantic":false}\r\nSUB big p\r\n', { on: "plain" }),
        sync("withHeaders"),
        sync("plain"),
        send(CONNECT, { on: "pub" }),
        send(op, { on: "pub", split: cutsEvery(7919, op.length) }),
        sync("pub"),
        sync("withHeaders"),
        sync("plain"),
      ],
      { settle: false },
    );
    const hmsg = Buffer.concat([latin1(`PONG\r\nHMSG big h _INBOX.r ${headers.length} ${total}\r\n`), headers, payload, latin1("\r\nPONG\r\n")]);
    const msg = Buffer.concat([latin1(`PONG\r\nMSG big p _INBOX.r ${payload.length}\r\n`), payload, latin1("\r\nPONG\r\n")]);
    assertSameBytes(latin1(afterInfo(t.conns.withHeaders!)), hmsg, "subscriber with headers");
    assertSameBytes(latin1(afterInfo(t.conns.plain!)), msg, "subscriber without headers");
  });

  it("1000 PUBs pipelined in one write come back as 1000 MSGs in order", async () => {
    const n = 1000;
    const pubs = Array.from({ length: n }, (_, i) => `PUB seq.${i % 7} ${String(i).length}\r\n${i}\r\n`).join("");
    const t = await runSession(srv.port, [send(CONNECT + "SUB seq.* 1\r\n" + pubs), sync()], { settle: false });
    const expected = Array.from({ length: n }, (_, i) => `MSG seq.${i % 7} 1 ${String(i).length}\r\n${i}\r\n`).join("") + "PONG\r\n";
    assert.equal(afterInfo(t.conns.c!), expected);
  });

  it("1000 PUBs pipelined in one write reach a subscriber on another connection in order", async () => {
    const n = 1000;
    const pubs = Array.from({ length: n }, (_, i) => `PUB bulk ${String(i).length}\r\n${i}\r\n`).join("");
    const t = await runSession(
      srv.port,
      [send(CONNECT + "SUB bulk 1\r\n", { on: "sub" }), sync("sub"), send(CONNECT + pubs, { on: "pub" }), sync("pub"), sync("sub")],
      { settle: false },
    );
    const expected = "PONG\r\n" + Array.from({ length: n }, (_, i) => `MSG bulk 1 ${String(i).length}\r\n${i}\r\n`).join("") + "PONG\r\n";
    assert.equal(afterInfo(t.conns.sub!), expected);
  });

  it("1000 PINGs pipelined in one write get 1000 PONGs", async () => {
    const t = await runSession(srv.port, [send(CONNECT + "PING\r\n".repeat(1000)), sync()], { settle: false });
    assert.equal(afterInfo(t.conns.c!), "PONG\r\n".repeat(1001));
  });
});
