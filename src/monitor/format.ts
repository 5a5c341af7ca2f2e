/**
 * How nats-server's monitoring writes values: sorted map keys (JSON itself is util/go-json.ts),
 * RFC 3339 times with nanoseconds, Go durations, its own coarse "uptime" format, and text that came off
 * the wire as bytes.
 */
import { formatGoDuration } from "../util/duration.js";

/** A copy of `m` with its keys in byte order, as Go marshals a map. */
export function sortedRecord<V>(m: ReadonlyMap<string, V>): Record<string, V> {
  const out: Record<string, V> = {};
  for (const k of [...m.keys()].sort()) out[k] = m.get(k)!;
  return out;
}

/**
 * An instant given in epoch milliseconds (fractions carry sub-millisecond digits) as Go marshals a
 * time.Time in UTC: RFC 3339 with the fraction's trailing zeros trimmed. Microseconds at most: no clock
 * here is finer, and a float of epoch nanoseconds would invent digits.
 */
function rfc3339(ms: number): string {
  const whole = Math.floor(ms);
  const micros = Math.min(999, Math.floor((ms - whole) * 1000));
  const iso = new Date(whole).toISOString(); // yyyy-mm-ddThh:mm:ss.sssZ
  const frac = `${iso.slice(20, 23)}${String(micros).padStart(3, "0")}`.replace(/0+$/, "");
  return `${iso.slice(0, 19)}${frac ? "." + frac : ""}Z`;
}

export function goTime(d: Date): string {
  return rfc3339(d.getTime());
}

/** The current time as goTime prints it, to the microsecond. */
export function goNow(): string {
  return rfc3339(performance.timeOrigin + performance.now());
}

/** Go's Duration in nanoseconds (ping_interval, write_deadline are marshalled as integers). */
export function goNanos(ms: number): number {
  return Math.round(ms * 1e6);
}

/**
 * nats-server's uptime/idle format: whole seconds, "3s", "2m5s", "1h0m3s", "2d1h0m0s", "1y3d0h0m0s".
 * The CLI's humanDuration (cli/format/units.ts) breaks durations down the same way from its own copy:
 * cli/ may not import server code.
 */
export function uptime(ms: number): string {
  const secs = Math.max(0, Math.floor(ms / 1000));
  const mins = Math.floor(secs / 60);
  const hrs = Math.floor(mins / 60);
  const days = Math.floor(hrs / 24);
  const yrs = Math.floor(days / 365);
  if (yrs > 0) return `${yrs}y${days % 365}d${hrs % 24}h${mins % 60}m${secs % 60}s`;
  if (days > 0) return `${days}d${hrs % 24}h${mins % 60}m${secs % 60}s`;
  if (hrs > 0) return `${hrs}h${mins % 60}m${secs % 60}s`;
  if (mins > 0) return `${mins}m${secs % 60}s`;
  return `${secs}s`;
}

/** A round-trip time as nats-server prints it: Go's Duration, truncated to microseconds below 1 ms. */
export function rtt(ms: number): string {
  if (ms > 0.001 && ms < 1) return formatGoDuration(Math.floor(ms * 1000) / 1000);
  return formatGoDuration(ms);
}

const UTF8 = new TextDecoder("utf-8");
const UTF8_STRICT = new TextDecoder("utf-8", { fatal: true });

/**
 * Subjects, queue names and sids are kept as latin1 strings (one char per wire byte); Go marshals the
 * bytes as UTF-8, replacing invalid sequences with U+FFFD.
 */
export function wireText(latin1: string): string {
  return /^[\x00-\x7f]*$/.test(latin1) ? latin1 : UTF8.decode(Buffer.from(latin1, "latin1"));
}

/**
 * CONNECT strings (name, lang, version) were parsed from latin1-decoded JSON: raw UTF-8 in them shows
 * up as byte-chars, while \u escapes are already real characters. Re-decode only in the first case.
 */
export function connectText(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s) || /[^\x00-\xff]/.test(s)) return s;
  try {
    return UTF8_STRICT.decode(Buffer.from(s, "latin1"));
  } catch {
    return s;
  }
}

/** An IPv4 peer seen through a dual-stack socket ("::ffff:1.2.3.4") as nats-server shows it. */
export function peerIp(host: string): string {
  return host.startsWith("::ffff:") && host.includes(".") ? host.slice(7) : host;
}
