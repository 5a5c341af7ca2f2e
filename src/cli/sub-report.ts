/**
 * `sub --report-subjects` / `--report-subscriptions`: instead of the messages, a table of the busiest
 * subjects (or of the subscriptions they matched) by message count, redrawn every second, as the nats CLI.
 */
import { renderTable } from "./format/table.js";
import { comma, iBytes } from "./format/units.js";

export class SubjectReport {
  private readonly counts = new Map<string, { msgs: number; bytes: number }>();

  constructor(private readonly top: number) {}

  add(key: string, bytes: number): void {
    const c = this.counts.get(key) ?? { msgs: 0, bytes: 0 };
    c.msgs++;
    c.bytes += bytes;
    this.counts.set(key, c);
  }

  /** The `top` busiest by count (ties by name), with totals over those shown. */
  render(): string {
    const rows = [...this.counts].sort(([a, x], [b, y]) => y.msgs - x.msgs || (a < b ? -1 : a > b ? 1 : 0)).slice(0, this.top);
    const msgs = rows.reduce((n, [, c]) => n + c.msgs, 0);
    const bytes = rows.reduce((n, [, c]) => n + c.bytes, 0);
    const title = this.top === 1 ? "Top Subject Report" : `Top ${this.top} Active Subjects Report`;
    return renderTable(title, ["Subject", "Message Count", "Bytes"], rows.map(([k, c]) => [k, comma(c.msgs), iBytes(c.bytes)]), ["Totals", comma(msgs), iBytes(bytes)]);
  }
}

/** Clears the terminal and homes the cursor before each redraw. */
export const CLEAR_SCREEN = "\x1b[2J\x1b[H";
