/**
 * Drops a group member's log and snapshots, keeping its term and vote: the member starts again as a new
 * one (nats-server keeps a memory-storage stream's RAFT log in memory: after a restart its replicas
 * are new members with nothing). The vote stays, so that it is never cast twice in one term.
 */
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { readHardState, STATE_FILE, writeHardState } from "./hard-state-file.js";

export async function forgetLog(dir: string): Promise<void> {
  const saved = readHardState(join(dir, STATE_FILE));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  // No repair mark and nothing synced: the empty log is all there is, not a log cut short.
  if (saved !== undefined) await writeHardState(join(dir, STATE_FILE), { term: saved.term, votedFor: saved.votedFor, repairAbove: undefined, synced: 0 });
}
