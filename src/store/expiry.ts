/**
 * Time-based removal: a min-heap of per-message TTL deadlines and a single timer per store, armed for
 * the earliest deadline (TTL or max_age) and idle (no timer at all) when nothing can expire.
 */

/** Deadlines (ns) with their sequences; a popped sequence may already be gone (lazy deletion). */
export class TtlHeap {
  private readonly deadlines: number[] = [];
  private readonly seqs: number[] = [];

  get size(): number {
    return this.deadlines.length;
  }

  push(deadline: number, seq: number): void {
    const d = this.deadlines;
    const s = this.seqs;
    let i = d.length;
    d.push(deadline);
    s.push(seq);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (d[parent]! <= deadline) break;
      d[i] = d[parent]!;
      s[i] = s[parent]!;
      i = parent;
    }
    d[i] = deadline;
    s[i] = seq;
  }

  /** Earliest deadline, Infinity when empty. */
  peek(): number {
    return this.deadlines.length > 0 ? this.deadlines[0]! : Infinity;
  }

  pop(): number {
    const d = this.deadlines;
    const s = this.seqs;
    const top = s[0]!;
    const lastD = d.pop()!;
    const lastS = s.pop()!;
    const n = d.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && d[c + 1]! < d[c]!) c++;
        if (d[c]! >= lastD) break;
        d[i] = d[c]!;
        s[i] = s[c]!;
        i = c;
      }
      d[i] = lastD;
      s[i] = lastS;
    }
    return top;
  }

  clear(): void {
    this.deadlines.length = 0;
    this.seqs.length = 0;
  }
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** One unref'ed timer that fires at the earliest requested deadline. */
export class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Infinity;

  constructor(
    private readonly onFire: () => void,
    private readonly now: () => number,
  ) {}

  /** Makes sure the timer fires no later than deadline (ns); cheap when it already does. */
  arm(deadline: number): void {
    if (deadline >= this.armedFor) return;
    this.cancel();
    this.armedFor = deadline;
    const now = this.now();
    // setTimeout takes at most 2^31-1 ms; a later deadline just fires early and re-arms.
    const ms = Math.min(MAX_TIMEOUT_MS, Math.max(0, Math.ceil((deadline - now) / 1e6)));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.armedFor = Infinity;
      this.onFire();
    }, ms);
    this.timer.unref();
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = Infinity;
  }
}
