/**
 * The outcome of a `server check`, for monitoring systems: OK, WARNING, CRITICAL or UNKNOWN with the
 * Nagios plugin exit codes the nats CLI uses (0, 1, 2, 3), rendered as a Nagios line with performance
 * data, or as JSON. The worst finding decides the status.
 */

export const CHECK_EXIT = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
export type CheckStatus = keyof typeof CHECK_EXIT;

/** One performance figure: `name=value[unit];warn;crit` in Nagios notation. */
export interface PerfData {
  name: string;
  value: number;
  unit: string;
  warn?: number;
  crit?: number;
}

export class CheckResult {
  readonly oks: string[] = [];
  readonly warnings: string[] = [];
  readonly criticals: string[] = [];
  readonly unknowns: string[] = [];
  readonly perf: PerfData[] = [];

  constructor(readonly name: string) {}

  ok(text: string): void {
    this.oks.push(text);
  }

  warn(text: string): void {
    this.warnings.push(text);
  }

  critical(text: string): void {
    this.criticals.push(text);
  }

  unknown(text: string): void {
    this.unknowns.push(text);
  }

  /** Files `text` under critical, warning or ok by comparing `value` to thresholds (higher is worse; a negative threshold is off). */
  grade(value: number, warn: number, crit: number, text: string): void {
    if (crit >= 0 && value >= crit) this.critical(text);
    else if (warn >= 0 && value >= warn) this.warn(text);
    else this.ok(text);
  }

  get status(): CheckStatus {
    if (this.criticals.length > 0) return "CRITICAL";
    if (this.warnings.length > 0) return "WARNING";
    if (this.unknowns.length > 0) return "UNKNOWN";
    return "OK";
  }

  get exitCode(): number {
    return CHECK_EXIT[this.status];
  }

  nagios(): string {
    const parts = [
      ...this.criticals.map((t) => `Crit:${t}`), ...this.warnings.map((t) => `Warn:${t}`),
      ...this.unknowns.map((t) => `Unknown:${t}`), ...this.oks.map((t) => `OK:${t}`),
    ];
    const perf = this.perf.map((p) => {
      const f = (n: number | undefined) => (n === undefined ? "" : p.unit === "s" ? n.toFixed(4) : String(n));
      const limits = p.warn === undefined && p.crit === undefined ? "" : `;${f(p.warn)};${f(p.crit)}`;
      return `${p.name}=${f(p.value)}${p.unit}${limits}`;
    });
    return `${this.status} ${this.name} ${parts.join(" ")}${perf.length > 0 ? ` | ${perf.join(" ")}` : ""}`;
  }

  json(): object {
    return {
      check_suite: "server", check_name: this.name, status: this.status,
      criticals: this.criticals, warnings: this.warnings, unknowns: this.unknowns, oks: this.oks,
      perf_data: this.perf.map((p) => ({ name: p.name, value: p.value, unit: p.unit, warn: p.warn, crit: p.crit })),
    };
  }
}
