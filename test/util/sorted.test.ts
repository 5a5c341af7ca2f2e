import { test } from "node:test";
import assert from "node:assert/strict";
import { lowerBoundAbs } from "../../src/util/sorted.js";

test("lowerBoundAbs: first position whose absolute value reaches the key, removed (negated) entries keep their place", () => {
  const a = [3, -4, 5, -9, 12];
  assert.deepEqual([1, 3, 4, 5, 6, 9, 10, 12, 13].map((k) => lowerBoundAbs(a, 0, a.length, k)), [0, 0, 1, 2, 3, 3, 4, 4, 5]);
  assert.equal(lowerBoundAbs(a, 2, 4, 1), 2, "never below lo");
  assert.equal(lowerBoundAbs(a, 2, 4, 100), 4, "hi when every entry is smaller");
  assert.equal(lowerBoundAbs(new Float64Array([1, 2, 3]), 0, 0, 2), 0, "empty range");
});
