/**
 * Number formatting for the dashboard page. These functions run in the browser: dashboard-assets.ts
 * sends their source text, so each must stand alone (no imports, no module-level values).
 */

/** 1234 -> "1,234"; from a million on "1.23M" and so on. */
export function fmtCount(n: number): string {
  if (!Number.isFinite(n)) return "–";
  const a = Math.abs(n);
  if (a >= 1e12) return `${(n / 1e12).toFixed(2)}T`;
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  return Math.round(n).toLocaleString("en-US");
}

/** Bytes in binary units: "512 B", "1.5 KiB", "3.20 GiB". */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(v)} B` : `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i]}`;
}

/** A per-second rate with one decimal below 100. */
export function fmtRate(n: number): string {
  if (!Number.isFinite(n)) return "–";
  return n >= 100 ? `${fmtCount(n)}/s` : `${n.toFixed(1)}/s`;
}

/** Seconds as "42s", "5m 3s", "2h 1m", "3d 4h". */
export function fmtAge(s: number): string {
  if (!Number.isFinite(s) || s < 0) return "–";
  if (s < 60) return `${Math.floor(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${Math.floor(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

/** Text made safe for innerHTML. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
