/**
 * The seeded RAFT simulation (simulation.ts) over many seeds: short runs by the thousand, and a
 * hundred and fifty long ones, for 3- and 5-node groups.
 *
 * A failure prints what replays it: RAFT_SIM_SEED=<n> RAFT_SIM_NODES=<n> RAFT_SIM_STEPS=<n> (add
 * RAFT_SIM_TRACE=1 to see the run's faults and leaders). A longer search: RAFT_SIM_SEEDS=<count> and/or
 * RAFT_SIM_STEPS=<steps> apply to every run below, RAFT_SIM_FROM=<n> shifts the seeds.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { noStats, runSimulation } from "./simulation.js";

const env = process.env;
const RUNS = env.RAFT_SIM_SEED
  ? [{ nodes: Number(env.RAFT_SIM_NODES ?? 3), seeds: [Number(env.RAFT_SIM_SEED)], steps: Number(env.RAFT_SIM_STEPS ?? 300) }]
  : [
      { nodes: 3, count: 6000, steps: 300, base: 3_000_000 },
      { nodes: 5, count: 3000, steps: 300, base: 5_000_000 },
      { nodes: 3, count: 150, steps: 3000, base: 3_500_000 },
      { nodes: 5, count: 150, steps: 3000, base: 5_500_000 },
    ].map((r) => ({
      nodes: r.nodes,
      steps: Number(env.RAFT_SIM_STEPS ?? r.steps),
      seeds: Array.from({ length: Number(env.RAFT_SIM_SEEDS ?? r.count) }, (_, i) => r.base + Number(env.RAFT_SIM_FROM ?? 0) + i),
    }));

describe("raft simulation", () => {
  for (const run of RUNS) {
    it(`${run.nodes} nodes, ${run.seeds.length} seeds of ${run.steps} steps: the RAFT properties hold and the group recovers once faults heal`, () => {
      const total = noStats();
      const started = Date.now();
      for (const seed of run.seeds) {
        const s = runSimulation({ seed, nodes: run.nodes, steps: run.steps, trace: !!env.RAFT_SIM_TRACE });
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += s[k];
      }
      // The runs must have exercised what they check: commits, elections, and every fault and feature.
      assert.ok(total.acked > 0 && total.elections > 0, `no work done: ${JSON.stringify(total)}`);
      if (run.seeds.length >= 100) for (const [k, v] of Object.entries(total)) assert.ok(v > 0, `never happened: ${k} in ${JSON.stringify(total)}`);
      console.log(`raft sim: ${run.nodes} nodes, ${run.seeds.length} seeds x ${run.steps} steps in ${Date.now() - started} ms: ${JSON.stringify(total)}`);
    });
  }
});
