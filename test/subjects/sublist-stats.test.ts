import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sublistStats, type SublistCounters } from "../../src/subjects/sublist-stats.js";

const zero: SublistCounters = {
  subscriptions: 0,
  cacheEntries: 0,
  inserts: 0,
  removes: 0,
  matches: 0,
  cacheHits: 0,
  totalFanout: 0,
  maxFanout: 0,
};

describe("sublistStats", () => {
  it("is all zeros for no lists or empty lists", () => {
    const expected = {
      num_subscriptions: 0,
      num_cache: 0,
      num_inserts: 0,
      num_removes: 0,
      num_matches: 0,
      cache_hit_rate: 0,
      max_fanout: 0,
      avg_fanout: 0,
    };
    assert.deepEqual(sublistStats([]), expected);
    assert.deepEqual(sublistStats([zero, zero]), expected);
  });

  it("sums counters and recomputes rates from the sums, as /subsz does over accounts", () => {
    const a: SublistCounters = { ...zero, subscriptions: 3, cacheEntries: 1, inserts: 5, removes: 2, matches: 10, cacheHits: 9, totalFanout: 6, maxFanout: 6 };
    const b: SublistCounters = { ...zero, subscriptions: 1, cacheEntries: 3, inserts: 1, matches: 30, cacheHits: 3, totalFanout: 3, maxFanout: 1 };
    assert.deepEqual(sublistStats([a, b]), {
      num_subscriptions: 4,
      num_cache: 4,
      num_inserts: 6,
      num_removes: 2,
      num_matches: 40,
      cache_hit_rate: 12 / 40,
      max_fanout: 6,
      avg_fanout: 9 / 4,
    });
  });
});
