/** The RAFT byte formats: every message type round-trips; damaged or cut bytes are refused. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { BinaryError } from "../../src/util/binary.js";
import { decodeEntry, decodeMessage, decodeSnapshot, encodeEntry, encodeMessage, encodeSnapshot } from "../../src/raft/codec.js";
import type { Message } from "../../src/raft/messages.js";
import type { Entry } from "../../src/raft/types.js";

const env = { from: "abcdEFGH", to: "12345678", term: 7 };
const entries: Entry[] = [
  { index: 11, term: 6, kind: "noop", data: Buffer.alloc(0) },
  { index: 12, term: 7, kind: "normal", data: Buffer.from("payload") },
  { index: 13, term: 7, kind: "config", data: Buffer.alloc(0), voters: ["a", "b", "ü"] },
];
const MESSAGES: Message[] = [
  { type: "preVote", ...env, lastIndex: 10, lastTerm: 6 },
  { type: "preVoteResponse", ...env, granted: true },
  { type: "vote", ...env, lastIndex: 2 ** 40, lastTerm: 6, transfer: true },
  { type: "voteResponse", ...env, granted: false },
  { type: "append", ...env, prevIndex: 10, prevTerm: 6, commit: 9, entries },
  { type: "append", ...env, prevIndex: 0, prevTerm: 0, commit: 0, entries: [] },
  { type: "appendResponse", ...env, success: false, matched: 4, durable: 3 },
  { type: "snapshot", ...env, snapshot: { index: 40, term: 5, voters: ["x", "y"], data: Buffer.from("state") } },
  { type: "timeoutNow", ...env },
];

test("every message type round-trips", () => {
  for (const m of MESSAGES) assert.deepEqual(decodeMessage(encodeMessage(m)), m);
});

test("a flipped bit anywhere, or a cut, is refused", () => {
  const bytes = encodeMessage(MESSAGES[4]!);
  for (let i = 0; i < bytes.length; i++) {
    const b = Buffer.from(bytes);
    b[i]! ^= 0x04;
    assert.throws(() => decodeMessage(b), BinaryError, `bit flipped at byte ${i}`);
  }
  for (let n = 0; n < bytes.length; n++) assert.throws(() => decodeMessage(bytes.subarray(0, n)), BinaryError, `cut at ${n}`);
});

test("entries and snapshots round-trip as log payloads", () => {
  for (const e of entries) assert.deepEqual(decodeEntry(e.index, encodeEntry(e)), e);
  const s = { index: 40, term: 5, voters: ["x"], data: Buffer.from([1, 2, 3]) };
  assert.deepEqual(decodeSnapshot(40, encodeSnapshot(s)), s);
});
