#!/usr/bin/env node
/**
 * The stream simulation's long mode: many more seeds, longer runs, and the workloads the suite leaves
 * out (memory storage, removals under whole-group crashes). Runs dist/test/jetstream/cluster/sim/
 * stream-sim.test.js with its environment; build first (npm run build).
 *
 *   node scripts/stream-sim.mjs [--seeds 5000] [--steps 1000] [--from 0] [--removals 0|1]
 *                               [--memory 0|1] [--majority-crashes 0|1]
 *
 * Unset flags keep each suite run's own setting. A failure prints the line that replays its seed.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const args = process.argv.slice(2);
const env = { ...process.env };
const names = { "--seeds": "STREAM_SIM_SEEDS", "--steps": "STREAM_SIM_STEPS", "--from": "STREAM_SIM_FROM", "--removals": "STREAM_SIM_REMOVALS", "--memory": "STREAM_SIM_MEMORY", "--majority-crashes": "STREAM_SIM_MAJORITY_CRASHES" };
for (let i = 0; i < args.length; i += 2) {
  const name = names[args[i]];
  if (name === undefined || args[i + 1] === undefined) {
    console.error(`usage: node scripts/stream-sim.mjs ${Object.keys(names).map((k) => `[${k} <n>]`).join(" ")}`);
    process.exit(2);
  }
  env[name] = args[i + 1];
}
const test = fileURLToPath(new URL("../dist/test/jetstream/cluster/sim/stream-sim.test.js", import.meta.url));
const r = spawnSync(process.execPath, ["--test", "--test-reporter=spec", test], { env, stdio: "inherit" });
process.exit(r.status ?? 1);
