import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { isQuorum, quorumIndex } from "../../src/raft/quorum.js";

describe("raft quorum", () => {
  it("finds the highest index a majority reached", () => {
    const at = (m: Record<string, number>) => (id: string) => m[id] ?? 0;
    assert.equal(quorumIndex(["a", "b", "c"], at({ a: 5, b: 3, c: 9 })), 5);
    assert.equal(quorumIndex(["a", "b", "c", "d"], at({ a: 5, b: 3, c: 9, d: 1 })), 3);
    assert.equal(quorumIndex(["a", "b", "c", "d", "e"], at({ a: 5, b: 3, c: 9, d: 1, e: 7 })), 5);
    assert.equal(quorumIndex(["a"], at({ a: 4 })), 4);
  });

  it("counts only voters toward a majority", () => {
    assert.equal(isQuorum(["a", "b", "c"], new Set(["a", "b"])), true);
    assert.equal(isQuorum(["a", "b", "c", "d"], new Set(["a", "b", "x"])), false);
    assert.equal(isQuorum(["a", "b", "c", "d"], new Set(["a", "b", "c"])), true);
  });
});
