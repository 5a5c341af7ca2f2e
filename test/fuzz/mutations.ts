/**
 * Ways to break a session: byte-level damage (flip, insert control characters, delete, truncate,
 * duplicate), op-level splicing, and targeted attacks on sizes and lines (huge and negative numbers,
 * declared sizes that lie, endless control lines, pure noise).
 */
import type { Rng } from "./prng.js";

const CONTROL = [0x00, 0x01, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b, 0x20, 0x7f, 0x80, 0xff];
const HUGE = ["99999999999999999999", "2147483648", "4294967296", "9007199254740993", "1e9", "0x10", "1048577", "67108864"];
const NEGATIVE = ["-1", "-0", "-100", "-2147483649", "+5"];

type ByteMutator = (b: Buffer, rng: Rng) => Buffer;

const at = (b: Buffer, rng: Rng) => rng.int(Math.max(1, b.length));

const flipByte: ByteMutator = (b, rng) => {
  if (b.length === 0) return b;
  const c = Buffer.from(b);
  c[at(b, rng)] = rng.int(256);
  return c;
};

const insertControl: ByteMutator = (b, rng) => {
  const i = at(b, rng);
  const ins = Buffer.from(Array.from({ length: rng.between(1, 4) }, () => rng.pick(CONTROL)));
  return Buffer.concat([b.subarray(0, i), ins, b.subarray(i)]);
};

const deleteRange: ByteMutator = (b, rng) => {
  const i = at(b, rng);
  return Buffer.concat([b.subarray(0, i), b.subarray(i + rng.between(1, 16))]);
};

const truncate: ByteMutator = (b, rng) => b.subarray(0, at(b, rng));

const duplicateRange: ByteMutator = (b, rng) => {
  const i = at(b, rng);
  const piece = b.subarray(i, i + rng.between(1, 64));
  const j = at(b, rng);
  return Buffer.concat([b.subarray(0, j), piece, b.subarray(j)]);
};

/** Replaces one run of digits (a size, a sid, a max) with something hostile. */
const replaceNumber: ByteMutator = (b, rng) => {
  const text = b.toString("latin1");
  const runs = [...text.matchAll(/\d+/g)];
  if (runs.length === 0) return b;
  const run = rng.pick(runs);
  const by = rng.chance(0.5) ? rng.pick(HUGE) : rng.chance(0.5) ? rng.pick(NEGATIVE) : String(Number(run[0]) + rng.between(-3, 3));
  return Buffer.from(text.slice(0, run.index) + by + text.slice(run.index! + run[0].length), "latin1");
};

const changeCase: ByteMutator = (b, rng) => {
  const text = b.toString("latin1");
  return Buffer.from(rng.chance(0.5) ? text.toLowerCase() : text.replace(/[a-z]/g, (c) => (rng.chance(0.5) ? c.toUpperCase() : c)), "latin1");
};

const whitespace: ByteMutator = (b, rng) => {
  const text = b.toString("latin1");
  const spaces = [...text.matchAll(/ /g)];
  if (spaces.length === 0) return b;
  const s = rng.pick(spaces).index!;
  return Buffer.from(text.slice(0, s) + rng.pick(["\t", "  ", " \t ", "", "\r", "\n"]) + text.slice(s + 1), "latin1");
};

/** A control line that never ends: the server must cut it off at max_control_line, not buffer it all. */
const endlessLine: ByteMutator = (b, rng) => {
  const filler = Buffer.alloc(rng.between(4096, 1_000_000), rng.pick([0x41, 0x20, 0x2e]));
  const head = Buffer.from(rng.pick(["PUB ", "SUB ", "CONNECT ", "", "HPUB foo "]));
  return Buffer.concat([b, head, filler]);
};

export const BYTE_MUTATORS: readonly ByteMutator[] = [
  flipByte,
  insertControl,
  deleteRange,
  truncate,
  duplicateRange,
  replaceNumber,
  replaceNumber,
  changeCase,
  whitespace,
];

/** Op-level damage: drop, duplicate, swap, or splice in ops from another session. */
export function spliceOps(ops: Buffer[], other: Buffer[], rng: Rng): Buffer[] {
  const out = [...ops];
  for (let n = rng.between(1, 3); n > 0; n--) {
    const i = rng.int(Math.max(1, out.length));
    switch (rng.int(4)) {
      case 0:
        out.splice(i, 1);
        break;
      case 1:
        if (out[i]) out.splice(i, 0, out[i]!);
        break;
      case 2: {
        const j = rng.int(Math.max(1, out.length));
        if (out[i] && out[j]) [out[i], out[j]] = [out[j]!, out[i]!];
        break;
      }
      default:
        if (other.length > 0) out.splice(i, 0, ...other.slice(rng.int(other.length)));
    }
  }
  return out;
}

/** Damages a session: op-level splices, then byte mutations on single ops or on the whole stream. */
export function mutate(ops: Buffer[], other: Buffer[], rng: Rng): Buffer {
  let list = rng.chance(0.3) ? spliceOps(ops, other, rng) : ops;
  list = list.map((o) => (rng.chance(0.15) ? rng.pick(BYTE_MUTATORS)(o, rng) : o));
  let stream: Buffer = Buffer.concat(list);
  for (let n = rng.int(3); n > 0; n--) stream = rng.pick(BYTE_MUTATORS)(stream, rng);
  if (rng.chance(0.05)) stream = endlessLine(stream, rng);
  return stream;
}

/** Bytes with no protocol in them at all. */
export function noise(rng: Rng): Buffer {
  return rng.chance(0.5) ? rng.bytes(rng.int(2048)) : Buffer.from(Array.from({ length: rng.int(512) }, () => rng.pick(CONTROL)));
}
