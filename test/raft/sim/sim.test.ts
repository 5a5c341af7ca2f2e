/**
 * The seeded RAFT simulation (simulation.ts) over many seeds, for 3- and 5-node groups.
 * RAFT_SIM_SEEDS / RAFT_SIM_STEPS run a longer search; RAFT_SIM_SEED replays one seed (add
 * RAFT_SIM_TRACE=1 to see its faults and leaders); RAFT_SIM_NODES picks the group size for a replay.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { noStats, runSimulation } from "./simulation.js";

const STEPS = Number(process.env.RAFT_SIM_STEPS ?? 300);
const one = process.env.RAFT_SIM_SEED;
const seedsFor = (nodes: number, count: number): number[] =>
  one ? [Number(one)] : Array.from({ length: Number(process.env.RAFT_SIM_SEEDS ?? count) }, (_, i) => nodes * 100_000 + i);
const sizes = process.env.RAFT_SIM_NODES ? [Number(process.env.RAFT_SIM_NODES)] : [3, 5];

describe("raft simulation", () => {
  for (const nodes of sizes) {
    it(`${nodes} nodes: every seed keeps the RAFT properties and makes progress after the faults heal`, () => {
      const total = noStats();
      for (const seed of seedsFor(nodes, nodes === 3 ? 1000 : 500)) {
        const s = runSimulation({ seed, nodes, steps: STEPS, trace: !!process.env.RAFT_SIM_TRACE });
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += s[k];
      }
      // The runs must have exercised what they check: commits, elections, and every fault and feature.
      assert.ok(total.acked > 0 && total.elections > 0, `no work done: ${JSON.stringify(total)}`);
      if (!one) for (const [k, v] of Object.entries(total)) assert.ok(v > 0, `never happened: ${k} in ${JSON.stringify(total)}`);
      console.log(`${nodes} nodes, ${STEPS} steps: ${JSON.stringify(total)}`);
    });
  }
});
