/**
 * The nats CLI's units: sizes in 1024-based units ("20GB" is 20 GiB, as nats-server reads config sizes),
 * durations as Go writes and reads them (plus the d/w/M/y units the nats CLI accepts), and its humanized
 * renderings ("20 GiB", "7d0h0m0s", "1,234").
 */

const SIZE_SHIFT: Record<string, number> = {
  B: 0, K: 10, KB: 10, KIB: 10, M: 20, MB: 20, MIB: 20, G: 30, GB: 30, GIB: 30, T: 40, TB: 40, TIB: 40,
};

/** A size flag: empty or negative is -1 (unlimited), a bare number is bytes, units are powers of 1024. */
export function parseBytes(text: string): number {
  const s = text.trim();
  if (s === "" || s.startsWith("-")) return -1;
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(\d+)\s*([a-zA-Z]+)$/.exec(s);
  const shift = m ? SIZE_SHIFT[m[2]!.toUpperCase()] : undefined;
  if (!m || shift === undefined) throw new Error(`invalid bytes specification ${s}: invalid byte string`);
  return Number(m[1]) * 2 ** shift;
}

const NANOS_PER: Record<string, number> = {
  ns: 1, us: 1e3, "µs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9, d: 86400e9, w: 7 * 86400e9,
  M: 30 * 86400e9, y: 365 * 86400e9,
};

/** A duration flag ("2m", "1h30m", "168h", "1d") in nanoseconds; a bare "0" is zero. */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === "0" || s === "") return 0;
  const part = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|M|y)/y;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    part.lastIndex = at;
    const m = part.exec(s);
    if (!m) throw new Error(`invalid duration ${JSON.stringify(text)}`);
    total += Number(m[1]) * NANOS_PER[m[2]!]!;
    at = part.lastIndex;
  }
  return Math.round(total);
}

/** A list of durations, comma separated ("1s,2s,5s"), in nanoseconds. */
export function parseDurationList(text: string): number[] {
  return text.split(",").map((d) => parseDuration(d));
}

/**
 * The nats CLI's humanized duration: "2m0s", "7d0h0m0s", "1.50s", "250ms". Its years-to-seconds
 * breakdown is also monitor/format.ts's uptime(), and stays a copy on purpose: cli/ may import nothing
 * of src/ outside cli/ (.dependency-cruiser.cjs, cli-uses-clients-only), so that the tool stays a client
 * of any NATS server and its bundle carries no server code; and the two follow different references that
 * part below a minute (the nats CLI writes "1.50s" and milliseconds, nats-server's uptime whole seconds).
 */
export function humanDuration(nanos: number): string {
  if (nanos < 1e6) return goDuration(Math.round(nanos / 1e3) * 1e3);
  if (nanos < 1e9) return goDuration(Math.round(nanos / 1e6) * 1e6);
  const secs = Math.floor(nanos / 1e9);
  const mins = Math.floor(secs / 60);
  const hrs = Math.floor(mins / 60);
  const days = Math.floor(hrs / 24);
  const yrs = Math.floor(days / 365);
  if (yrs > 0) return `${yrs}y${days % 365}d${hrs % 24}h${mins % 60}m${secs % 60}s`;
  if (days > 0) return `${days}d${hrs % 24}h${mins % 60}m${secs % 60}s`;
  if (hrs > 0) return `${hrs}h${mins % 60}m${secs % 60}s`;
  if (mins > 0) return `${mins}m${secs % 60}s`;
  return `${(nanos / 1e9).toFixed(2)}s`;
}

/** Go's time.Duration String() for durations below a second: "0s", "250ms", "1.5µs". */
function goDuration(nanos: number): string {
  if (nanos === 0) return "0s";
  if (nanos < 1e3) return `${nanos}ns`;
  if (nanos < 1e6) return `${trimZeros(nanos / 1e3)}µs`;
  return `${trimZeros(nanos / 1e6)}ms`;
}

function trimZeros(n: number): string {
  return String(Number(n.toFixed(3)));
}

/** 1024-based size as go-humanize's IBytes writes it: "0 B", "512 B", "1.0 KiB", "20 GiB". */
export function iBytes(bytes: number): string {
  if (bytes < 10) return `${bytes} B`;
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
  const e = Math.floor(Math.log(bytes) / Math.log(1024));
  const v = Math.floor((bytes / 1024 ** e) * 10 + 0.5) / 10;
  return `${v < 10 ? v.toFixed(1) : v.toFixed(0)} ${units[e]}`;
}

/** Thousands separated, as go-humanize's Comma: "1,234,567". */
export function comma(n: number): string {
  return Math.trunc(n).toLocaleString("en-US");
}

/** The nats CLI's timestamp: local time, "2006-01-02 15:04:05". */
export function localTime(when: string | Date): string {
  const d = typeof when === "string" ? new Date(when) : when;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** "3m2s" since a moment, or "never" for Go's zero time. */
export function since(when: string | undefined, now: Date = new Date()): string {
  if (!when || when.startsWith("0001-01-01")) return "never";
  return humanDuration(Math.max(0, now.getTime() - new Date(when).getTime()) * 1e6);
}

/** RFC 3339 in local time without fractions, as Go's time.RFC3339 ("2006-01-02T15:04:05Z07:00"). */
export function rfc3339Local(when: string | Date): string {
  const d = typeof when === "string" ? new Date(when) : when;
  const p = (n: number) => String(n).padStart(2, "0");
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? "Z" : `${off > 0 ? "+" : "-"}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${zone}`;
}
