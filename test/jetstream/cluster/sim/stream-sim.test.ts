/**
 * The seeded simulation of a replicated stream (stream-simulation.ts) over many seeds, 3 and 5 nodes:
 * - without removals (no limits, roll-ups, deletes or purges), crashes of any number of nodes;
 * - with removals, crashes only while a majority of the other replicas serve. Under whole-group
 *   crashes a removal workload still fails now and then: every replica restarts with a store holding
 *   removals made after its snapshot, none can give the others its state, and after ADOPT_WAIT_MS each
 *   replays onto its own store (stream-group.ts's fallback), which can decide differently. Left open;
 *   the long mode shows it, and FIXED_SEEDS replays the seeds it found (as todo until it is cured).
 * Memory storage is left to the long mode: when every replica lost its store at once the stream has
 * nothing to catch up from, and stalls (as it would on real servers).
 *
 * A failure prints what replays it: STREAM_SIM_SEED=<n> STREAM_SIM_NODES=<n> STREAM_SIM_STEPS=<n>
 * STREAM_SIM_REMOVALS=0|1 STREAM_SIM_MEMORY=0|1 STREAM_SIM_MAJORITY_CRASHES=0|1 (add STREAM_SIM_TRACE=1
 * for the run's faults). A longer search: scripts/stream-sim.mjs, or STREAM_SIM_SEEDS=<count>,
 * STREAM_SIM_STEPS=<steps>, STREAM_SIM_FROM=<n> (shifts the seeds) and the flags above, applied to
 * every run below.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { noStreamStats, runStreamSimulation } from "./stream-simulation.js";

const env = process.env;
const flag = (name: string, dflt: boolean): boolean => (env[name] === undefined ? dflt : env[name] === "1");
const RUNS = env.STREAM_SIM_SEED
  ? [
      {
        nodes: Number(env.STREAM_SIM_NODES ?? 3),
        seeds: [Number(env.STREAM_SIM_SEED)],
        steps: Number(env.STREAM_SIM_STEPS ?? 400),
        removals: flag("STREAM_SIM_REMOVALS", false),
        memory: flag("STREAM_SIM_MEMORY", false),
        majorityCrashes: flag("STREAM_SIM_MAJORITY_CRASHES", true),
      },
    ]
  : [
      { nodes: 3, count: 300, base: 7_000_000, removals: false, majorityCrashes: true },
      { nodes: 5, count: 100, base: 7_500_000, removals: false, majorityCrashes: true },
      { nodes: 3, count: 300, base: 7_100_000, removals: true, majorityCrashes: false },
      { nodes: 5, count: 100, base: 7_600_000, removals: true, majorityCrashes: false },
    ].map((r) => ({
      nodes: r.nodes,
      steps: Number(env.STREAM_SIM_STEPS ?? 400),
      removals: flag("STREAM_SIM_REMOVALS", r.removals),
      memory: flag("STREAM_SIM_MEMORY", false),
      majorityCrashes: flag("STREAM_SIM_MAJORITY_CRASHES", r.majorityCrashes),
      seeds: Array.from({ length: Number(env.STREAM_SIM_SEEDS ?? r.count) }, (_, i) => r.base + Number(env.STREAM_SIM_FROM ?? 0) + i),
    }));

/**
 * Seeds the long mode found failing, replayed on every run. Those marked todo fail today, the whole-group
 * restart after removals (3 and 5 nodes, removals, any crashes): every replica's store, cut back to its
 * snapshot, lacks messages that later entries removed (the removals reached the store's disk, the next
 * snapshot did not); none can give the state the snapshot stands for, and the fallback replays the log
 * onto those stores. The decisions of the replay agree with the first apply on these seeds (its stored
 * sequences, and the final states, match), but the states between differ: a message removed later is
 * already missing. A cure needs the store's disk to say which entry it reflects (the replay then skips
 * what it holds), or the entries to carry the leader's decisions (nats-server's way): neither is done.
 */
const FIXED_SEEDS: readonly { seed: number; nodes: number; todo?: string }[] = [
  { seed: 7000004, nodes: 3, todo: "whole-group restart after removals: the replay's states differ (see above)" },
  { seed: 7000321, nodes: 3, todo: "whole-group restart after removals: the replay's states differ (see above)" },
  { seed: 7500328, nodes: 5, todo: "whole-group restart after removals: the replay's states differ (see above)" },
];

describe("stream simulation, fixed seeds", { skip: env.STREAM_SIM_SEED !== undefined && "a single seed is replayed" }, () => {
  for (const f of FIXED_SEEDS) {
    it(`seed ${f.seed}, ${f.nodes} nodes, removals, any crashes`, { todo: f.todo }, async () => {
      await runStreamSimulation({ seed: f.seed, nodes: f.nodes, steps: 400, removals: true, memory: false, majorityCrashes: true });
    });
  }
});

describe("stream simulation", () => {
  for (const run of RUNS) {
    const what = [run.removals ? "removals" : "no removals", run.majorityCrashes ? "any crashes" : "minority crashes", ...(run.memory ? ["memory storage too"] : [])].join(", ");
    it(`${run.nodes} nodes, ${run.seeds.length} seeds of ${run.steps} steps (${what}): replicas agree, acknowledged appends are kept and linearizable`, async () => {
      const total = noStreamStats();
      const started = Date.now();
      for (const seed of run.seeds) {
        const s = await runStreamSimulation({ seed, nodes: run.nodes, steps: run.steps, removals: run.removals, memory: run.memory, majorityCrashes: run.majorityCrashes, trace: !!env.STREAM_SIM_TRACE });
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += s[k];
      }
      assert.ok(total.acked > 0 && total.elections > 0, `no work done: ${JSON.stringify(total)}`);
      // The runs must have exercised what they check (a fallback is counted, not required).
      const required = Object.entries(total).filter(([k]) => k !== "fallbacks" && (run.removals || k !== "laterRemovals"));
      if (run.seeds.length >= 100) for (const [k, v] of required) assert.ok(v > 0, `never happened: ${k} in ${JSON.stringify(total)}`);
      console.log(`stream sim: ${run.nodes} nodes, ${run.seeds.length} seeds x ${run.steps} steps (${what}) in ${Date.now() - started} ms: ${JSON.stringify(total)}`);
    });
  }
});
