/**
 * Wall-clock time in nanoseconds since the Unix epoch, as JetStream reports it (message `time`,
 * `Nats-Time-Stamp`, the timestamp token of ack subjects).
 *
 * Representation: a plain `number`. Present-day values (~1.8e18) are above 2^53, so a number holds them
 * to a granularity of 256 ns. That is finer than any clock we read (performance.now() resolves to about
 * a microsecond) and it keeps the hot path free of BigInt allocations; every consumer of a time
 * (JSON, ack subjects, max_age arithmetic) wants a number anyway. Values are always integers.
 */

/** 0 is "no time" (Go's zero time, printed as 0001-01-01T00:00:00Z). */
export const NO_TIME = 0;

/** performance.timeOrigin is fixed for the process; its getter is not free, and this runs per message. */
const ORIGIN_MS = performance.timeOrigin;

/** Now, in ns since the epoch, with sub-millisecond resolution. */
export function nowNanos(): number {
  return Math.round((ORIGIN_MS + performance.now()) * 1e6);
}

/** RFC 3339 with nanoseconds, trailing zeros trimmed like Go's time.RFC3339Nano, in UTC. */
export function nanosToRfc3339(ns: number): string {
  if (ns === NO_TIME) return "0001-01-01T00:00:00Z";
  const big = BigInt(ns);
  const ms = big / 1000000n;
  const frac = Number(big % 1000000000n);
  const iso = new Date(Number(ms)).toISOString(); // yyyy-mm-ddThh:mm:ss.sssZ
  const base = iso.slice(0, 19);
  if (frac === 0) return `${base}Z`;
  return `${base}.${String(frac).padStart(9, "0").replace(/0+$/, "")}Z`;
}

/** Parses an RFC 3339 time (any fraction length, `Z` or an offset) to ns since the epoch. */
export function rfc3339ToNanos(text: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  if (!m) throw new Error(`invalid RFC 3339 time: ${text}`);
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) throw new Error(`invalid RFC 3339 time: ${text}`);
  const frac = m[2] ? Number(m[2].padEnd(9, "0")) : 0;
  return Number(BigInt(ms) * 1000000n + BigInt(frac));
}
