/**
 * The pinned client of a `pinned_client` priority group (ADR-42): one request id is served until it
 * stays away for priority_timeout, or an admin unpins it.
 */
import { nowNanos } from "../../util/nanos.js";
import { nuid } from "../../util/base62.js";

export class PinnedClient {
  /** The pin id, "" when nobody is pinned. */
  id = "";
  /** When the pin was assigned, ns since the epoch (0 when none). */
  ts = 0;
  private timer: NodeJS.Timeout | undefined;

  /** `ttlMs()`: the current priority_timeout; `expired(group)`: the pin timed out. */
  constructor(
    private readonly ttlMs: () => number,
    private readonly expired: (group: string) => void,
  ) {}

  /** Pins a new id for `group`; returns it. */
  assign(group: string): string {
    this.id = nuid();
    this.ts = nowNanos();
    this.arm(group);
    return this.id;
  }

  /** (Re)starts the timeout: the pinned client was heard from. */
  arm(group: string): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    const ttl = this.ttlMs();
    if (ttl <= 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.id === "") return;
      this.clear();
      this.expired(group);
    }, ttl);
    this.timer.unref();
  }

  /** The consumer stops: the timer goes, the pin stays as it was. */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  clear(): void {
    this.id = "";
    this.ts = 0;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
