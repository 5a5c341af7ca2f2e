/** A one-line progress bar on a terminal's stderr, for bench's messages and object put/get's bytes. */
import { comma } from "./units.js";

export interface ProgressBar {
  add(n: number): void;
  end(): void;
}

const BAR_WIDTH = 40;

/** Nothing is drawn when stderr is not a terminal, when disabled, or for an empty total. */
export function progressBar(total: number, enabled: boolean, amount: (n: number) => string = comma): ProgressBar {
  if (!enabled || !process.stderr.isTTY || total === 0) return { add: () => undefined, end: () => undefined };
  let done = 0;
  let last = -1;
  const draw = () => {
    const pct = Math.floor((done / total) * 100);
    if (pct === last) return;
    last = pct;
    const filled = Math.round((BAR_WIDTH * done) / total);
    process.stderr.write(`\r${amount(done)}/${amount(total)} [${"=".repeat(filled)}${" ".repeat(BAR_WIDTH - filled)}] ${pct}%`);
  };
  return { add: (n) => ((done += n), draw()), end: () => process.stderr.write("\n") };
}
