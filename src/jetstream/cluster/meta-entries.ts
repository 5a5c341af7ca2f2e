/**
 * The entries of the meta group `_meta_` and their codec (JSON: the entries are small and rare, and a
 * readable log helps the operator). Every server applies every entry (meta-state.ts); an entry carries
 * whole assignments, never deltas, so that applying one twice leaves the same state.
 */
import type { NodeId } from "../../raft/types.js";
import type { StreamPlacement } from "./stream-replica.js";

/** A stream that exists in the cluster, and where. `config` is the API JSON form of its StreamConfig. */
export interface StreamAssignment {
  readonly account: string;
  readonly config: Record<string, unknown>;
  /** Creation time, ns since the epoch: tells a stream from an earlier one of the same name. */
  readonly created: number;
  readonly placement: StreamPlacement;
}

export interface ConsumerAssignment {
  readonly account: string;
  readonly stream: string;
  readonly name: string;
  readonly config: Record<string, unknown>;
  readonly created: number;
}

/**
 * Who waits for the outcome of an entry: the requester's reply subject in the account, answered by the
 * server that carries the change out (the stream's leader), as nats-server's stream leader answers a
 * create. `at` (ms since the epoch, the proposer's clock) lets a server replaying old entries stay quiet.
 */
export interface Requester {
  readonly reply: string;
  /** Which answer it waits for. */
  readonly action: "create" | "update";
  readonly at: number;
}

export type MetaEntry =
  | { readonly op: "stream"; readonly sa: StreamAssignment; readonly requester?: Requester }
  | { readonly op: "removeStream"; readonly account: string; readonly name: string; readonly created: number }
  | { readonly op: "consumer"; readonly ca: ConsumerAssignment }
  | { readonly op: "removeConsumer"; readonly account: string; readonly stream: string; readonly name: string }
  | { readonly op: "removePeer"; readonly peer: NodeId };

export function encodeMetaEntry(e: MetaEntry): Buffer {
  return Buffer.from(JSON.stringify(e));
}

/** Throws on bytes that are not an entry: the log's checksums passed, so that is a bug or a foreign log. */
export function decodeMetaEntry(b: Buffer): MetaEntry {
  const e = JSON.parse(b.toString("utf8")) as MetaEntry;
  if (typeof e !== "object" || e === null || typeof e.op !== "string") throw new Error("meta entry without an op");
  return e;
}
