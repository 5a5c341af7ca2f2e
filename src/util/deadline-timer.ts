/**
 * A timer for a wall-clock deadline that may lie further ahead than setTimeout can wait (2^31-1 ms,
 * about 24.8 days; a longer delay fires at once): it waits in steps and fires only once `at` is reached.
 * Used for JWT expiries, which are often months away.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class DeadlineTimer {
  private timer: NodeJS.Timeout | undefined;

  /** Calls fire at `at` (ms since the epoch); the timer does not keep the process alive. */
  constructor(
    private readonly at: number,
    private readonly fire: () => void,
    private readonly now: () => number = Date.now,
  ) {
    this.arm();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    const wait = this.at - this.now();
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (this.at > this.now()) this.arm();
        else this.fire();
      },
      Math.max(0, Math.min(wait, MAX_TIMER_MS)),
    );
    this.timer.unref();
  }
}
