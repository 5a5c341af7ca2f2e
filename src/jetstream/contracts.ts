/**
 * The seam between streams and consumers inside the JetStream layer. Streams (stream/ and the STREAM.* API)
 * and consumers (consumer/ and the CONSUMER.* API) are built side by side; each side programs
 * against these interfaces only, so either can change its internals freely.
 *
 * Invariants both sides keep:
 * - A consumer sees a message only once it is durable: `onStored` listeners run after the store's sync()
 *   resolved, in sequence order, once per message.
 * - Everything runs on the event loop; no listener may block. Listeners must not call back into the store
 *   synchronously from a store remove listener (see store/types.ts).
 * - Names are the JSON (snake_case) names of the $JS.API wherever a config or info object is exchanged.
 */
import type { StoredMsg, StreamStore, RemoveReason } from "../store/types.js";
import type { Account } from "../server/account.js";
import type { ConsumerState, StateLog } from "./consumer/state.js";

/** A stream as a consumer sees it. */
export interface StreamHandle {
  readonly name: string;
  readonly account: Account;
  readonly store: StreamStore;
  /** The stream's current config in API JSON form (retention, subjects, …). */
  readonly config: Readonly<Record<string, unknown>> & { retention: "limits" | "interest" | "workqueue" };
  /** The consumers attached to this stream, by name. Streams own the map; consumers register themselves. */
  readonly consumers: Map<string, ConsumerHandle>;
  /** Runs `fn` for every new message once it is durable; returns the function that stops it. */
  onStored(fn: (msg: StoredMsg) => void): () => void;
  /** Runs `fn` for every message that leaves the store (delete, purge, limits, age, TTL). */
  onRemoved(fn: (seq: number, subject: string, reason: RemoveReason) => void): () => void;
  /**
   * Retention: the consumer no longer needs `seq` (acknowledged, or delivered with ack policy none).
   * Under interest retention the stream removes the message once no consumer `needs` it; under
   * workqueue at once.
   */
  consumerDone(consumer: ConsumerHandle, seq: number): void;
  /** True while the stream exists (a deleted stream's consumers stop). */
  readonly alive: boolean;
  /** A replicated stream's group, which replicates its consumers' state; undefined for a local stream. */
  readonly consumerGroup: ConsumerGroupHook | undefined;
}

/**
 * How a replicated stream's group carries its consumers (cluster/consumer-replication.ts implements
 * it): their state operations are entries of the stream's group, applied on every replica; only the
 * stream's leader's consumers serve, the others stand by and take over, from the replicated state, when
 * their replica becomes leader.
 */
export interface ConsumerGroupHook {
  /**
   * A consumer of this stream, created or recovered here: from now on its state follows the group. It
   * is started (serving) at once if this replica leads, else stood by. Returns the StateLog its state
   * must log to (the consumer's own store's log goes inside it).
   */
  join(c: ReplicatedConsumer, local: StateLog | undefined): StateLog;
  /** The consumer was deleted or stopped here. */
  leave(c: ReplicatedConsumer): void;
  /** Resolves once every state change `c` made so far is committed (an ack asked for a reply). */
  whenCommitted(c: ReplicatedConsumer): Promise<void>;
}

/** A consumer as its stream's group drives it. */
export interface ReplicatedConsumer {
  readonly name: string;
  readonly state: ConsumerState;
  /** Serve from `state` (this replica became the stream's leader, or joined as the leader). */
  activate(): void;
  /** Stop serving, keeping the state and the registration (this replica is a follower). */
  standBy(): void;
}

/** A consumer as its stream sees it. */
export interface ConsumerHandle {
  readonly name: string;
  /** The consumer's config in API JSON form. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Interest retention: does this consumer still need `seq` (matching its filter and not yet acknowledged)? */
  needs(seq: number, subject: string): boolean;
  /** The stream is being deleted or the server is stopping: stop timers, persist state if `persist`. */
  stop(persist: boolean): Promise<void>;
}
