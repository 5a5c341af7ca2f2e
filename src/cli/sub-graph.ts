/**
 * `sub --graph`: the message rate of each subject (at most 4) as a line chart redrawn every second,
 * sized to the terminal, as the nats CLI draws it. asciichart draws the charts.
 */
import { plot } from "asciichart";
import { CliError } from "./errors.js";
import { comma } from "./format/units.js";

export const MAX_GRAPHED = 4;

export interface Screen {
  columns: number;
  rows: number;
}

/** The chart area: the terminal less the margins the nats CLI leaves; refused when too small. */
export function chartArea(screen: Screen | undefined): { width: number; height: number } {
  if (!screen) throw new CliError("failed to get terminal dimensions: standard output is not a terminal");
  if (screen.columns < 20 || screen.rows < 20) throw new CliError("please increase terminal dimensions");
  return { width: screen.columns - 10, height: screen.rows - 6 };
}

/** One subject's chart of per-second counts (the newest `width` of them) with its caption below. */
export function rateChart(subject: string, rates: number[], width: number, height: number): string {
  const shown = rates.slice(-width);
  const series = shown.length > 0 ? shown : [0];
  const chart = plot(series, { height: Math.max(1, height), min: 0, format: (x) => comma(Math.round(x)).padStart(8) });
  return `${chart}\n${" ".repeat(10)}${subject} / second`;
}

/** Counts per subscribed subject, turned into a rate series once a second. */
export class RateGraph {
  private readonly counts = new Map<string, number>();
  private readonly series = new Map<string, number[]>();

  constructor(private readonly subjects: string[]) {
    if (subjects.length > MAX_GRAPHED) throw new CliError(`maximum ${MAX_GRAPHED} subject patterns may be graphed`);
    for (const s of subjects) {
      this.counts.set(s, 0);
      this.series.set(s, []);
    }
  }

  add(subscription: string): void {
    this.counts.set(subscription, (this.counts.get(subscription) ?? 0) + 1);
  }

  /** Closes the current second and draws every subject's chart for `screen`. */
  tick(screen: Screen): string {
    const { width, height } = chartArea(screen);
    const each = Math.floor(height / (this.subjects.length + 1)) - 1;
    const out: string[] = [];
    for (const s of this.subjects) {
      const rates = this.series.get(s)!;
      rates.push(this.counts.get(s) ?? 0);
      if (rates.length > width) rates.splice(0, rates.length - width);
      this.counts.set(s, 0);
      out.push(rateChart(s, rates, width, each), "");
    }
    return out.join("\n") + "\n";
  }
}
