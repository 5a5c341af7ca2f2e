/**
 * The hook a replicated stream's RAFT group (jetstream/cluster/stream-group.ts) puts into its Stream.
 * Owned here, the lower side, so that cluster/ implements it and stream/ never imports cluster/.
 *
 * A stream with a replication ingests nothing itself: it subscribes to its subjects only while
 * `isLeader` (the replication calls Stream.leadershipChanged), a publish goes to `publish` (the
 * group's leader proposes it), and purges and deletes go through
 * `purge` / `deleteMsg`. Every replica then applies the committed entries with the Stream's apply*
 * methods, the same deterministic code, so the replicas' stores agree.
 */
import type { ConsumerGroupHook } from "../contracts.js";
import type { StreamConfig } from "./config.js";
import type { PurgeRequest } from "./purge.js";

export interface StreamReplication {
  /** This replica leads its group: it proposes, answers, republishes and runs consumers. */
  readonly isLeader: boolean;
  /** A publish on one of the stream's subjects, seen by the leader only (hdr and data are views of a read). */
  publish(subject: string, reply: string | undefined, hdr: Buffer | undefined, data: Buffer): void;
  /** STREAM.PURGE through the group: resolves with the number purged on this (the leader's) replica. */
  purge(req: PurgeRequest): Promise<number>;
  /** STREAM.MSG.DELETE through the group: resolves with whether the message was there. */
  deleteMsg(seq: number, erase: boolean): Promise<boolean>;
  /** STREAM.UPDATE through the group: resolves once the leader applied the new config. */
  updateConfig(cfg: StreamConfig): Promise<void>;
  /** Carries the stream's consumers' state. */
  readonly consumers: ConsumerGroupHook;
}
