/**
 * A node's view of its RAFT log in memory: the last snapshot (its index, term and voters) and the
 * entries after it. The core decides on this view; the shell persists the same changes through
 * store/log (the core's effects), so both hold the same sequence.
 *
 * Invariants (asserted on every change):
 * - entries are contiguous: entries[i].index = snapshot index + 1 + i;
 * - terms never decrease along the log, and no entry's term is below the snapshot's;
 * - `configs` lists, in order, the indexes of the config entries the log holds (the voters in force are
 *   looked up on every acknowledgement: no scan of the log for them).
 */
import { assert } from "../util/assert.js";
import type { Entry, Index, NodeId, Snapshot, Term } from "./types.js";

export class RaftLog {
  private entries: Entry[] = [];
  private configs: Index[] = [];

  constructor(private snap: Snapshot) {}

  /** The snapshot the log starts after (index 0 and no data when the log was never compacted). */
  get snapshot(): Snapshot {
    return this.snap;
  }

  get lastIndex(): Index {
    return this.snap.index + this.entries.length;
  }

  get lastTerm(): Term {
    return this.entries.length > 0 ? this.entries[this.entries.length - 1]!.term : this.snap.term;
  }

  /** The term of the entry at `index`, or undefined when the log does not hold it (compacted or beyond). */
  termAt(index: Index): Term | undefined {
    if (index === this.snap.index) return this.snap.term;
    return this.entry(index)?.term;
  }

  entry(index: Index): Entry | undefined {
    return index > this.snap.index ? this.entries[index - this.snap.index - 1] : undefined;
  }

  /** Entries from `from` through `to` inclusive (both held: from > snapshot index). */
  slice(from: Index, to: Index): Entry[] {
    assert(from > this.snap.index && to <= this.lastIndex, () => `raft log: slice ${from}..${to} outside ${this.snap.index + 1}..${this.lastIndex}`);
    return this.entries.slice(from - this.snap.index - 1, to - this.snap.index);
  }

  append(entries: readonly Entry[]): void {
    for (const e of entries) {
      assert(e.index === this.lastIndex + 1, () => `raft log: entry ${e.index} appended after ${this.lastIndex}`);
      assert(e.term >= this.lastTerm, () => `raft log: term ${e.term} at ${e.index} after term ${this.lastTerm}`);
      this.entries.push(e);
      if (e.kind === "config") this.configs.push(e.index);
    }
  }

  truncateAfter(index: Index): void {
    assert(index >= this.snap.index, () => `raft log: cut at ${index} inside the snapshot (through ${this.snap.index})`);
    this.entries.length = Math.min(this.entries.length, index - this.snap.index);
    while (this.configs.length > 0 && this.configs[this.configs.length - 1]! > index) this.configs.pop();
  }

  /** Drops the entries the snapshot covers; the snapshot must be of this log (same term at its index). */
  compact(snapshot: Snapshot): void {
    if (snapshot.index <= this.snap.index) return;
    assert(this.termAt(snapshot.index) === snapshot.term, () => `raft log: snapshot ${snapshot.index}/${snapshot.term} is not of this log`);
    this.entries = this.entries.slice(snapshot.index - this.snap.index);
    this.configs = this.configs.filter((i) => i > snapshot.index);
    this.snap = snapshot;
  }

  /** Starts the log from a leader's snapshot, keeping the entries after it only if they follow from it. */
  install(snapshot: Snapshot): void {
    if (this.termAt(snapshot.index) === snapshot.term) this.compact(snapshot);
    else {
      this.entries = [];
      this.configs = [];
      this.snap = snapshot;
    }
  }

  /** The voter set in force: the last config entry's, or the snapshot's. */
  voters(): readonly NodeId[] {
    return this.votersAt(this.lastIndex);
  }

  /** The voter set in force at `index` (held, or the snapshot's). */
  votersAt(index: Index): readonly NodeId[] {
    const at = this.configIndexAt(index);
    return at > this.snap.index ? this.entry(at)!.voters! : this.snap.voters;
  }

  /** The index of the config entry in force, or the snapshot's index when the snapshot holds it. */
  configIndex(): Index {
    return this.configIndexAt(this.lastIndex);
  }

  private configIndexAt(index: Index): Index {
    for (let i = this.configs.length - 1; i >= 0; i--) if (this.configs[i]! <= index) return this.configs[i]!;
    return this.snap.index;
  }
}
