/**
 * Go's duration syntax (`time.ParseDuration` / `Duration.String`), which nats-server uses in its config file
 * and prints in /varz. Durations are carried in milliseconds (fractions allowed for sub-ms units).
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3, // micro sign
  "\u03bcs": 1e-3, // greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export class DurationError extends Error {}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= "0" && c <= "9";
}

/** Parses "1h30m", "500ms", "-1.5s", "0"; throws DurationError with Go's wording. */
export function parseGoDuration(text: string): number {
  const quoted = JSON.stringify(text);
  let s = text;
  let negative = false;
  if (s[0] === "-" || s[0] === "+") {
    negative = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "0") return 0;
  if (s === "") throw new DurationError(`time: invalid duration ${quoted}`);
  let total = 0;
  while (s !== "") {
    let i = 0;
    while (isDigit(s[i])) i++;
    const whole = s.slice(0, i);
    let fraction = "";
    if (s[i] === ".") {
      const start = ++i;
      while (isDigit(s[i])) i++;
      fraction = s.slice(start, i);
    }
    if (whole === "" && fraction === "") throw new DurationError(`time: invalid duration ${quoted}`);
    const unitStart = i;
    while (i < s.length && s[i] !== "." && !isDigit(s[i])) i++;
    const unit = s.slice(unitStart, i);
    if (unit === "") throw new DurationError(`time: missing unit in duration ${quoted}`);
    const perUnit = UNIT_MS[unit];
    if (perUnit === undefined) throw new DurationError(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    total += Number(`${whole || "0"}.${fraction || "0"}`) * perUnit;
    s = s.slice(i);
  }
  return negative ? -total : total;
}

/** `(n / 10^digits)` with trailing zeros (and a bare '.') dropped, as Go prints fractions. */
function fraction(n: bigint, digits: number): string {
  const scale = 10n ** BigInt(digits);
  const frac = (n % scale).toString().padStart(digits, "0").replace(/0+$/, "");
  return `${n / scale}${frac ? "." + frac : ""}`;
}

/** Formats milliseconds as Go's `Duration.String()`: "2m0s", "10s", "1.5ms", "0s". */
export function formatGoDuration(ms: number): string {
  const ns = BigInt(Math.round(ms * 1e6));
  const sign = ns < 0n ? "-" : "";
  const u = ns < 0n ? -ns : ns;
  if (u === 0n) return "0s";
  if (u < 1_000n) return `${sign}${u}ns`;
  if (u < 1_000_000n) return `${sign}${fraction(u, 3)}\u00b5s`;
  if (u < 1_000_000_000n) return `${sign}${fraction(u, 6)}ms`;
  const seconds = fraction(u % 60_000_000_000n, 9);
  const minutes = u / 60_000_000_000n;
  if (minutes === 0n) return `${sign}${seconds}s`;
  const hours = minutes / 60n;
  if (hours === 0n) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${hours}h${minutes % 60n}m${seconds}s`;
}
