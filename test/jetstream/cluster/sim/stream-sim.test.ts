/**
 * The seeded simulation of a replicated stream (stream-simulation.ts) over many seeds, 3 and 5 nodes.
 *
 * A failure prints what replays it: STREAM_SIM_SEED=<n> STREAM_SIM_NODES=<n> STREAM_SIM_STEPS=<n>
 * (add STREAM_SIM_TRACE=1 for the run's faults and leaders). A longer search: STREAM_SIM_SEEDS=<count>
 * and/or STREAM_SIM_STEPS=<steps> apply to every run below, STREAM_SIM_FROM=<n> shifts the seeds
 * (scripts/stream-sim.mjs runs such a search).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { noStreamStats, runStreamSimulation } from "./stream-simulation.js";

const env = process.env;
const RUNS = env.STREAM_SIM_SEED
  ? [{ nodes: Number(env.STREAM_SIM_NODES ?? 3), seeds: [Number(env.STREAM_SIM_SEED)], steps: Number(env.STREAM_SIM_STEPS ?? 400), removals: env.STREAM_SIM_REMOVALS === "1", memory: env.STREAM_SIM_MEMORY === "1" }]
  : [
      { nodes: 3, count: 600, steps: 400, base: 7_000_000, removals: false, memory: false },
      { nodes: 5, count: 200, steps: 400, base: 7_500_000, removals: false, memory: false },
    ].map((r) => ({
      nodes: r.nodes,
      removals: env.STREAM_SIM_REMOVALS === "1" || r.removals,
      memory: env.STREAM_SIM_MEMORY === "1" || r.memory,
      steps: Number(env.STREAM_SIM_STEPS ?? r.steps),
      seeds: Array.from({ length: Number(env.STREAM_SIM_SEEDS ?? r.count) }, (_, i) => r.base + Number(env.STREAM_SIM_FROM ?? 0) + i),
    }));

describe("stream simulation", () => {
  for (const run of RUNS) {
    it(`${run.nodes} nodes, ${run.seeds.length} seeds${run.removals ? " with removals" : ""}${run.memory ? " (memory storage too)" : ""} of ${run.steps} steps: replicas agree, acknowledged appends are kept and linearizable`, async () => {
      const total = noStreamStats();
      const started = Date.now();
      for (const seed of run.seeds) {
        const s = await runStreamSimulation({ seed, nodes: run.nodes, steps: run.steps, removals: run.removals, memory: run.memory, trace: !!env.STREAM_SIM_TRACE });
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += s[k];
      }
      assert.ok(total.acked > 0 && total.elections > 0, `no work done: ${JSON.stringify(total)}`);
      if (run.seeds.length >= 100) for (const [k, v] of Object.entries(total)) assert.ok(v > 0, `never happened: ${k} in ${JSON.stringify(total)}`);
      console.log(`stream sim: ${run.nodes} nodes, ${run.seeds.length} seeds x ${run.steps} steps in ${Date.now() - started} ms: ${JSON.stringify(total)}`);
    });
  }
});
