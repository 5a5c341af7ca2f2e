/**
 * The seam between the meta group (which streams exist and where: meta-*.ts) and the stream groups
 * (a replicated stream's local replica and its RAFT group: stream-group.ts). The meta side decides a
 * placement and, on every server named in it, opens the replica through an OpenStreamReplica; the
 * stream side replicates messages, purges, deletes and consumer state inside the group. Neither side
 * imports the other's files, only this one.
 *
 * Invariants both sides keep:
 * - a placement never changes its group name; its peers change one at a time (setPeers), committed
 *   in the meta group first;
 * - the replica registers its Stream in jsa.streams on every peer (followers included), so a peer
 *   that becomes leader serves at once; only the leader answers requests about the stream;
 * - an R1 stream in a cluster has no group: it is a plain local stream on its one peer.
 */
import type { RaftGroup } from "../../raft/raft-group.js";
import type { NodeId } from "../../raft/types.js";
import type { JsAccount } from "../js-account.js";
import type { StreamConfig } from "../stream/config.js";
import type { Stream } from "../stream/stream.js";
import type { StreamStore } from "../../store/index.js";
import type { StateSnapshot } from "../consumer/state.js";

/** Where a stream lives: decided by the meta leader, replicated in the meta group. */
export interface StreamPlacement {
  /** The RAFT group's name: a subject token unique in the cluster ("S-" and 8 base62 characters). */
  readonly group: string;
  /** The member servers' RAFT node ids (raftNodeId(server_name)); the first is the preferred leader. */
  readonly peers: readonly NodeId[];
  /** The cluster the peers belong to. */
  readonly cluster: string;
  /**
   * Set when a one-replica stream grew: its one peer then. That peer's replica adopts the store it
   * holds and leads a group of itself alone, which adds the others one at a time once its store is
   * in a snapshot (so they fetch it through catch-up); a peer added then opens its group knowing only
   * these voters (two empty peers of three must not form a majority of their own).
   */
  readonly from?: readonly NodeId[];
}

/** One peer in a stream's or consumer's `cluster.replicas`, as nats-server reports it. */
export interface ReplicaInfo {
  /** The server's name. */
  readonly name: string;
  readonly current: boolean;
  /** ns since this peer was last heard from. */
  readonly active: number;
  readonly offline?: boolean;
  /** Entries behind the leader. */
  readonly lag?: number;
  /** The RAFT node id. */
  readonly peer?: string;
}

/** The `cluster` member of stream and consumer info. */
export interface ClusterInfo {
  readonly name: string;
  /** The leader's server name, when one is known. */
  readonly leader?: string;
  /** Every peer but the leader. */
  readonly replicas?: readonly ReplicaInfo[];
}

/** A stream's local replica, with its RAFT group. */
export interface StreamReplica {
  /** The local Stream, registered in jsa.streams. */
  readonly stream: Stream;
  readonly placement: StreamPlacement;
  readonly isLeader: boolean;
  /**
   * Undefined while this replica leads and has applied every entry its log held when elected (its
   * stream and consumers show the group's state); else resolves true once it does, false if it stops
   * leading first. The stream's API calls are answered only then, as nats-server's new leaders do.
   */
  whenServing(): Promise<boolean> | undefined;
  /** The leader's server name, when one is known. */
  readonly leaderName: string | undefined;
  clusterInfo(): ClusterInfo;
  /** Runs `fn` when this replica gains or loses the leadership; returns the function that stops it. */
  onLeaderChange(fn: (isLeader: boolean) => void): () => void;
  /** The replica's RAFT group (stepdown picks a successor from its progress; /raftz shows it). */
  readonly group: RaftGroup;
  /** STREAM.LEADER.STEPDOWN: hands the leadership to `to` (stepdown.ts chose it), or to the most up-to-date peer. */
  stepDown(to?: NodeId): void;
  /** A config update committed in the meta group, applied on every replica. */
  update(cfg: StreamConfig): Promise<void>;
  /** A membership change committed in the meta group (replicas up or down, peer removal). */
  setPeers(peers: readonly NodeId[]): Promise<void>;
  /** Stops the replica and its group, keeping the files (server shutdown). */
  stop(): Promise<void>;
  /** Stops and removes the stream and its group's files (stream deleted, or this peer removed). */
  delete(): Promise<void>;
}

/** The one-replica stream this server held, which a replica takes over as it is (placement.from). */
export interface AdoptedStream {
  readonly store: StreamStore;
  /** Its consumers' states by name, which become the group's committed consumer states. */
  readonly consumers: Record<string, StateSnapshot & { ackNone: boolean }>;
}

/** Opens (creating or recovering) the local replica of a placed stream, or adopts a one-replica stream. */
export type OpenStreamReplica = (jsa: JsAccount, cfg: StreamConfig, created: number, placement: StreamPlacement, adopt?: AdoptedStream) => Promise<StreamReplica>;
