/**
 * replay_policy original: what the stream held when the consumer (re)started goes out at the
 * messages' original spacing; after that, messages go as fast as they can.
 */
import type { StoredMsg } from "../../store/types.js";

const NS_PER_MS = 1e6;

export class ReplayPacer {
  /** Last stream sequence to pace, 0 once caught up. */
  private until: number;
  /** Stored time (ns) of the last message let through. */
  private lastTs = 0;
  /** The message whose delay has been waited out. */
  private ready = 0;

  /** `until`: the stream's last sequence at (re)start; `retryIn(ms)`: resume delivery after the delay. */
  constructor(
    until: number,
    private readonly retryIn: (ms: number) => void,
  ) {
    this.until = until;
  }

  get pacing(): boolean {
    return this.until > 0;
  }

  /** True when `m` may go now, else a timer resumes at its original spacing. */
  allow(m: StoredMsg): boolean {
    if (m.seq > this.until) {
      this.until = 0;
      return true;
    }
    if (this.ready === m.seq || this.lastTs === 0) {
      this.lastTs = m.time;
      return true;
    }
    const delayMs = (m.time - this.lastTs) / NS_PER_MS;
    if (delayMs <= 1) {
      this.lastTs = m.time;
      return true;
    }
    this.ready = m.seq;
    this.retryIn(delayMs);
    return false;
  }
}
