import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { InvariantError } from "../../src/util/assert.js";
import { RaftLog } from "../../src/raft/raft-log.js";
import type { Entry } from "../../src/raft/types.js";

const e = (index: number, term: number, voters?: string[]): Entry => ({ index, term, kind: voters ? "config" : "normal", data: Buffer.from(`${index}`), voters });
const empty = { index: 0, term: 0, voters: ["a", "b", "c"], data: Buffer.alloc(0) };

describe("raft log", () => {
  it("holds contiguous entries of non-decreasing terms", () => {
    const log = new RaftLog(empty);
    log.append([e(1, 1), e(2, 1), e(3, 2)]);
    assert.equal(log.lastIndex, 3);
    assert.equal(log.lastTerm, 2);
    assert.equal(log.termAt(0), 0);
    assert.equal(log.termAt(4), undefined);
    assert.throws(() => log.append([e(5, 2)]), InvariantError, "a gap");
    assert.throws(() => log.append([e(4, 1)]), InvariantError, "a term going back");
  });

  it("truncates, compacts, and installs a snapshot keeping only a suffix that follows from it", () => {
    const log = new RaftLog(empty);
    log.append([e(1, 1), e(2, 1), e(3, 2), e(4, 2)]);
    log.truncateAfter(3);
    assert.equal(log.lastIndex, 3);
    log.compact({ index: 2, term: 1, voters: ["a"], data: Buffer.alloc(0) });
    assert.equal(log.termAt(1), undefined);
    assert.equal(log.termAt(2), 1);
    assert.deepEqual(log.slice(3, 3).map((x) => x.index), [3]);
    assert.throws(() => log.truncateAfter(1), InvariantError, "a cut inside the snapshot");
    assert.throws(() => log.compact({ index: 3, term: 9, voters: [], data: Buffer.alloc(0) }), InvariantError, "a snapshot of another log");
    log.install({ index: 3, term: 2, voters: ["a"], data: Buffer.alloc(0) });
    assert.equal(log.lastIndex, 3);
    log.append([e(4, 3)]);
    log.install({ index: 4, term: 4, voters: ["x"], data: Buffer.alloc(0) });
    assert.equal(log.lastIndex, 4);
    assert.equal(log.lastTerm, 4);
    assert.deepEqual(log.voters(), ["x"]);
  });

  it("takes its voters from the last config entry, else the snapshot", () => {
    const log = new RaftLog(empty);
    log.append([e(1, 1), e(2, 1, ["a", "b", "c", "d"]), e(3, 1)]);
    assert.deepEqual(log.voters(), ["a", "b", "c", "d"]);
    assert.equal(log.configIndex(), 2);
    log.truncateAfter(1);
    assert.deepEqual(log.voters(), ["a", "b", "c"]);
    assert.equal(log.configIndex(), 0);
    log.append([e(2, 2, ["a", "b"]), e(3, 2), e(4, 2, ["a", "b", "x"])]);
    assert.deepEqual(log.votersAt(3), ["a", "b"]);
    assert.deepEqual(log.votersAt(1), ["a", "b", "c"]);
    log.compact({ index: 3, term: 2, voters: ["a", "b"], data: Buffer.alloc(0) });
    assert.deepEqual(log.voters(), ["a", "b", "x"]);
    log.truncateAfter(3);
    assert.deepEqual(log.voters(), ["a", "b"], "the snapshot's");
    assert.equal(log.configIndex(), 3);
  });
});
