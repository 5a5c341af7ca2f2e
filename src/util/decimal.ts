/**
 * Decimal digits written straight into bytes, for the hot paths that build protocol text per message
 * (ack reply subjects, PubAcks): no number-to-string conversion, no intermediate string.
 */

/** "00" to "99" as ASCII digit pairs: two digits per division. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 48 + Math.floor(i / 10);
  PAIRS[2 * i + 1] = 48 + (i % 10);
}

/** Largest value digitCount and putDigits take. */
export const MAX_DIGITS_VALUE = 2 ** 31 - 1;

/** Number of decimal digits of an integer in [0, 2^31). */
export function digitCount(v: number): number {
  if (v < 1e5) return v < 10 ? 1 : v < 100 ? 2 : v < 1e3 ? 3 : v < 1e4 ? 4 : 5;
  return v < 1e6 ? 6 : v < 1e7 ? 7 : v < 1e8 ? 8 : v < 1e9 ? 9 : 10;
}

/** Writes an integer in [0, 2^31) as exactly `len` digits (zero-padded) ending at pos + len; returns pos + len. */
export function putDigits(b: Uint8Array, pos: number, v: number, len: number): number {
  let p = pos + len;
  while (v >= 100) {
    const q = (v / 100) | 0;
    const r = (v - q * 100) << 1;
    b[--p] = PAIRS[r + 1]!;
    b[--p] = PAIRS[r]!;
    v = q;
  }
  if (v >= 10) {
    b[--p] = PAIRS[(v << 1) + 1]!;
    b[--p] = PAIRS[v << 1]!;
  } else {
    b[--p] = 48 + v;
  }
  while (p > pos) b[--p] = 48;
  return pos + len;
}
