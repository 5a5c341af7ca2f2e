/** Histogram buckets: an observation equal to a bound belongs to that bound's bucket (Prometheus' `le`). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Histogram } from "../../src/util/histogram.js";
import { InvariantError } from "../../src/util/assert.js";

describe("Histogram", () => {
  it("counts cumulatively, with `le` inclusive and a +Inf bucket", () => {
    const h = new Histogram([1, 2, 5]);
    for (const v of [0.5, 1, 1.5, 2, 7, 100]) h.observe(v);
    assert.deepEqual([0, 1, 2, 3].map((i) => h.cumulative(i)), [2, 4, 4, 6]);
    assert.equal(h.count, 6);
    assert.equal(h.sum, 112);
  });

  it("refuses bounds that do not increase", () => {
    assert.throws(() => new Histogram([1, 1]), InvariantError);
    assert.throws(() => new Histogram([2, 1]), InvariantError);
    assert.throws(() => new Histogram([1, Infinity]), InvariantError);
  });
});
