/**
 * The small file beside a group's log that holds what must survive a crash besides the log: the term,
 * the vote, the repair mark (types.ts HardState), and `synced`, an index the log was fdatasynced
 * through. At start a log ending before `synced` was cut short (a lost or truncated file, a bad
 * restore): the entries between were acknowledged to the leader, so the node starts as damaged.
 *
 * Replaced whole (util/atomic-file), and checksummed: a file that fails its checksum is not guessed
 * at (a forgotten vote could be cast twice), the group refuses to start.
 *
 * Invariant kept by the shell: `synced` never exceeds the index the log on disk holds, so it is
 * lowered (durably) before the log is cut or replaced below it, and raised only after a sync returned.
 */
import { readFileSync } from "node:fs";
import { writeFileAtomic } from "../util/atomic-file.js";
import { BinaryError, BinReader, BinWriter } from "../util/binary.js";
import type { HardState, Index } from "./types.js";

const VERSION = 1;
/** Its name in the group's directory. */
export const STATE_FILE = "state";

export interface PersistedState extends HardState {
  readonly synced: Index;
}

export class HardStateDamaged extends Error {
  override readonly name = "HardStateDamaged";
}

/** The state in `path`, or undefined when there is no file (a new group). */
export function readHardState(path: string): PersistedState | undefined {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  try {
    const r = BinReader.checked(buf);
    if (r.u8() !== VERSION) throw new BinaryError("unknown version");
    const term = r.uint();
    const voted = r.str();
    const repair = r.f64();
    const synced = r.uint();
    if (!r.done) throw new BinaryError("trailing bytes");
    return { term, votedFor: voted === "" ? undefined : voted, repairAbove: repair < 0 ? undefined : repair, synced };
  } catch (e) {
    throw new HardStateDamaged(`raft state ${path} is damaged (${(e as Error).message}): the group is not started`);
  }
}

export function writeHardState(path: string, s: PersistedState): Promise<void> {
  const w = new BinWriter();
  w.u8(VERSION);
  w.f64(s.term);
  w.str(s.votedFor ?? "");
  w.f64(s.repairAbove ?? -1);
  w.f64(s.synced);
  return writeFileAtomic(path, w.finishWithCrc());
}
