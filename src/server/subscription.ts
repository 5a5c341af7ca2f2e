import type { Client } from "./client.js";

/**
 * Receives a message for a server-internal subscription (JetStream API, $SYS services). It runs
 * synchronously during delivery: `payload` (headers then body) is a slice of a socket read and is only
 * valid during the call — copy what must be kept. `from` is the publishing client, when there is one.
 */
export type InternalHandler = (subject: string, reply: string | undefined, payload: Buffer, hdrLen: number, from: Client | undefined) => void;

/**
 * One SUB of one client, or a server-internal subscription (`client` null, `handler` set).
 * `subject` and `queue` are latin1 strings, as parsed off the wire.
 */
export class Subscription {
  /** Messages delivered so far; with `max` > 0 the subscription ends when it reaches max (UNSUB max). */
  delivered = 0;
  max = 0;
  constructor(
    readonly client: Client | null,
    readonly subject: string,
    readonly queue: string | undefined,
    readonly sid: string,
    readonly handler: InternalHandler | null = null,
  ) {}
}
