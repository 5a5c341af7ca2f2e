import type { Client } from "./client.js";

/** One SUB of one client. `subject` and `queue` are latin1 strings, as parsed off the wire. */
export class Subscription {
  /** Messages delivered so far; with `max` > 0 the subscription ends when it reaches max (UNSUB max). */
  delivered = 0;
  max = 0;
  constructor(
    readonly client: Client,
    readonly subject: string,
    readonly queue: string | undefined,
    readonly sid: string,
  ) {}
}
