/**
 * A subscription and the two ends of a message that delivery deals with: the connection that published
 * it and the connection a subscription writes to. Client connections are both; a route (and later a leaf
 * node or gateway) is a target that writes its own op (RMSG with the account and queue names) and keeps
 * its own stall and slow-consumer policy. Owned here, below the connection kinds, so that subscriptions
 * and delivery never import them.
 */
import type { Outgoing } from "./outgoing.js";
import type { Sublist } from "../subjects/sublist.js";

/** The connection a message came from, as its subscribers' targets see it. */
export interface Publisher {
  /** Round-trip time to the peer (JetStream API requests report it). */
  readonly rttMs: number;
  /**
   * Producer stalling: a target far behind stops reading from its publishers until it drains. Counted:
   * each hold is matched by exactly one release, and reading resumes when the last one is released.
   */
  holdReading(): void;
  releaseReading(): void;
}

/** A connection that subscriptions deliver to. */
export interface DeliveryTarget {
  /** The connection id (monitoring shows it beside its subscriptions). */
  readonly cid: number;
  /**
   * Its subscriptions are another server's interest (route, leaf node, gateway), not this server's:
   * interest events mark them remote, and routes never forward them (one hop).
   */
  readonly remote: boolean;
  /**
   * A leaf link: its queue members are chosen only when no other member of the group takes the message
   * (nats-server serves queue groups across a leaf link local first).
   */
  readonly queueFallback?: boolean;
  readonly closed: boolean;
  /** Output queued and not yet taken by the kernel (JetStream flow control reads it). */
  readonly pending: number;
  /**
   * Writes `msg` for `sub` (which targets this connection) and accounts for it; false when it may not
   * receive it (echo off, closed, UNSUB max reached, a permission). Runs synchronously during delivery:
   * `msg` is only valid during the call. `publisher` is undefined for server-generated messages. A
   * target that writes one op per message for several subscriptions (a route) records what it was
   * offered and calls `msg.gatheredBy(this)` on the first; it writes in finishMessage.
   */
  deliverMessage(sub: Subscription, msg: Outgoing, publisher: Publisher | undefined): boolean;
}


/**
 * Receives a message for a server-internal subscription (JetStream API, $SYS services). It runs
 * synchronously during delivery: `payload` (headers then body) is a slice of a socket read and is only
 * valid during the call — copy what must be kept. `from` is the publishing connection, when there is one.
 */
/** `routedBy`: the subject it matched by, when its receivers see another (see Outgoing.routedBy). */
export type InternalHandler = (subject: string, reply: string | undefined, payload: Buffer, hdrLen: number, from: Publisher | undefined, routedBy?: string) => void;

/**
 * One SUB of a connection (`target` set), or a server-internal subscription (`target` null, `handler`
 * set). `subject` and `queue` are latin1 strings, as parsed off the wire.
 */
export class Subscription {
  /** Messages delivered so far; with `max` > 0 the subscription ends when it reaches max (UNSUB max). */
  delivered = 0;
  /** Queue members it stands for: a route's queue subscription carries its peer's count (RS+ weight). */
  weight = 1;
  max = 0;
  /**
   * A stream import's subscription in the exporting account: messages it takes go on to `account` under
   * `map(subject)`. It stands for that account's subscribers, not for interest of its own.
   */
  streamImport: { account: { readonly sublist: Sublist<Subscription> }; map: (subject: string) => string } | undefined = undefined;
  constructor(
    readonly target: DeliveryTarget | null,
    readonly subject: string,
    readonly queue: string | undefined,
    readonly sid: string,
    readonly handler: InternalHandler | null = null,
    /**
     * Interest of this server alone, never announced to routes: a service import's subscription (the
     * importing server republishes the request itself), the JetStream API while JetStream is not
     * clustered (each server answers its own clients).
     */
    readonly localOnly = false,
  ) {}
}
