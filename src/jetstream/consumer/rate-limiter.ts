/**
 * rate_limit_bps: a token bucket in bytes (the config is in bits per second), with a burst of one
 * maximum message, as nats-server configures its limiter.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;
  private readonly perMs: number;

  constructor(
    bitsPerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.perMs = bitsPerSecond / 8 / 1000;
    this.tokens = burst;
    this.last = now;
  }

  /**
   * Takes `bytes` if they are available now and returns 0; otherwise takes nothing and returns how
   * many ms to wait until they are. A message larger than the burst waits for a full bucket.
   */
  take(bytes: number, now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.perMs);
    this.last = now;
    const need = Math.min(bytes, this.burst);
    if (this.tokens >= need) {
      this.tokens -= need;
      return 0;
    }
    return Math.max(1, Math.ceil((need - this.tokens) / this.perMs));
  }
}
