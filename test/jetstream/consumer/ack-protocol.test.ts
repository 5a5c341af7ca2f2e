/** The ack protocol's text: reply subjects as the consumer writes them, and how it reads them back. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ackPrefix, AckSubjects, classifyAck, nanosText, parseAckAfter } from "../../../src/jetstream/consumer/ack-protocol.js";

const PRE = ackPrefix("ORDERS", "worker");

/** The reference text: template literals over String(), the timestamp as nanosText prints it. */
const expected = (dc: number, sseq: number, cseq: number, ts: number, pending: number): string => `${PRE}${dc}.${sseq}.${cseq}.${nanosText(ts)}.${pending}`;

test("nanosText prints whole ns timestamps digit for digit", () => {
  assert.equal(nanosText(0), "0");
  assert.equal(nanosText(1_000_000_007), "1000000007");
  assert.equal(nanosText(1763712000000000000), "1763712000000000000");
  assert.equal(nanosText(1763712000000000256), String(BigInt(1763712000000000256)));
  assert.equal(nanosText(1763712000000001024), String(BigInt(1763712000000001024)));
  // below a second boundary, the nine low digits keep their leading zeros
  assert.equal(nanosText(1763712001000000000 + 512), String(BigInt(1763712001000000000 + 512)));
});

test("reply subjects carry every number in decimal, as String() and nanosText print them", () => {
  const a = new AckSubjects(PRE);
  const now = Math.round(Date.now() * 1e6 + 123456);
  const cases: [number, number, number, number, number][] = [
    [1, 1, 1, now, 0],
    [1, 9, 10, 0, 9],
    [2, 10, 99, 999_999_999, 100],
    [12, 2 ** 31 - 1, 2 ** 31, now + 1e9, 2 ** 31 + 5],
    [1, Number.MAX_SAFE_INTEGER, 4_294_967_296, 1e15, 123_456_789_012],
    [3, 1_000_000_000, 7, 1763712000000000000, 1],
    [1, 5, 5, 1.5, 0], // a fraction is printed as String() prints it, not truncated
  ];
  for (const c of cases) assert.equal(a.subject(...c), expected(...c), c.join(","));
  // one builder serves every message: an earlier, longer subject leaves nothing behind
  assert.equal(a.subject(1, 2, 3, 4, 5), `${PRE}1.2.3.4.5`);
});

test("reply subjects of non-ASCII names keep their bytes (latin1 text of UTF-8)", () => {
  const pre = ackPrefix(Buffer.from("Überstream", "utf8").toString("latin1"), "c");
  const a = new AckSubjects(pre);
  assert.equal(a.subject(1, 2, 3, 4, 5), `${pre}1.2.3.4.5`);
});

test("ack subjects read back dc, stream and consumer sequence", () => {
  const a = new AckSubjects(PRE);
  const ts = Math.round(Date.now() * 1e6);
  assert.deepEqual(parseAckAfter(a.subject(3, 42, 77, ts, 9), PRE.length), { dc: 3, sseq: 42, cseq: 77 });
  assert.deepEqual(parseAckAfter(`${PRE}1.9007199254740991.0.1.0`, PRE.length), { dc: 1, sseq: 9007199254740991, cseq: 0 });
  assert.deepEqual(parseAckAfter(`${PRE}0.1.1.x`, PRE.length), { dc: 0, sseq: 1, cseq: 1 });
});

test("malformed ack subjects are not read", () => {
  for (const tail of ["1.0.5.1.0", "x.1.1.1.0", "1.1", "1.1.1", "1..1.1.0", "1.12345678901234567.1.1.0", "1.2.3x.4.0", "", "1.2.3"]) {
    assert.equal(parseAckAfter(`${PRE}${tail}`, PRE.length), undefined, tail);
  }
});

test("ack bodies", () => {
  const k = (s: string): string => classifyAck(Buffer.from(s)).kind;
  assert.equal(k(""), "ack");
  assert.equal(k("+ACK"), "ack");
  assert.equal(k("+OK"), "ack");
  assert.equal(k("-NAK"), "nak");
  assert.equal(k("+WPI"), "progress");
  assert.equal(k("+NXT {\"batch\":2}"), "next");
  assert.equal(k("+TERM why"), "term");
  assert.equal(k("+ACKX"), "unknown");
  assert.equal(classifyAck(Buffer.from("+TERM why")).arg.toString(), " why");
});
