/**
 * The simulator's agenda: callbacks due at a virtual time, run in (time, insertion) order so that a
 * seed replays exactly.
 */
interface Due {
  at: number;
  seq: number;
  run: () => void;
}

export class EventQueue {
  private heap: Due[] = [];
  private seq = 0;

  at(time: number, run: () => void): void {
    this.heap.push({ at: time, seq: this.seq++, run });
    let i = this.heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(this.heap[i]!, this.heap[parent]!)) break;
      [this.heap[i], this.heap[parent]] = [this.heap[parent]!, this.heap[i]!];
      i = parent;
    }
  }

  /** Runs everything due at or before `time`, including what those runs schedule within it. */
  runUntil(time: number): void {
    while (this.heap.length > 0 && this.heap[0]!.at <= time) this.pop().run();
  }

  private pop(): Due {
    const top = this.heap[0]!;
    const last = this.heap.pop()!;
    if (this.heap.length > 0) {
      this.heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.heap.length && before(this.heap[l]!, this.heap[m]!)) m = l;
        if (r < this.heap.length && before(this.heap[r]!, this.heap[m]!)) m = r;
        if (m === i) break;
        [this.heap[i], this.heap[m]] = [this.heap[m]!, this.heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Due, b: Due): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
