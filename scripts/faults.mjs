#!/usr/bin/env node
// The long mode of the fault tests (issue #12): real server processes in network namespaces, a
// replicated stream under load, a sequence of faults, then the verdict and the figures (failover times,
// acknowledged messages lost, duplicates, divergent replicas, consumer stalls). Needs root, `ip netns`
// and iptables; runs the compiled harness, so `npm run build` first.
//
//   node scripts/faults.mjs [--impl tsnats|nats-server|both] [--nodes 5] [--replicas 3] [--seed N]
//                           [--runs K] [--faults leader-kill,follower-bitflip,...] [--fault-ms 5000]
//                           [--publishers 3] [--keep]
//
// Defaults: both servers, 5 nodes, R3, every fault once in a seeded order, 5 s per fault. A failing run
// prints its seed and fault list; the same command with `--seed N --faults ...` applies the same faults
// to the same nodes and bytes again (the servers' own timing is not replayed).
//
// The CI-sized suite is test/faults/*.test.ts (3 nodes, about 100 s): the network harness, the checker,
// and two tsnats scenarios. The harness is validated on nats-server 2.9.10 here, with `--impl nats-server`.
import { parseArgs } from "node:util";
import { FAULTS, formatReport, runScenario } from "../dist/test/faults/scenario.js";
import { netnsUnavailable } from "../dist/test/faults/netns.js";
import { prng } from "../dist/test/store/helpers.js";

const { values } = parseArgs({
  options: {
    impl: { type: "string", default: "both" },
    nodes: { type: "string", default: "5" },
    replicas: { type: "string", default: "3" },
    seed: { type: "string" },
    runs: { type: "string", default: "1" },
    faults: { type: "string" },
    "fault-ms": { type: "string", default: "5000" },
    publishers: { type: "string", default: "3" },
    keep: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});

// Ctrl-C or a kill: leave through process.exit so the harness's exit hooks kill the servers and remove
// the namespaces.
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => process.exit(130));

const why = netnsUnavailable();
if (why) {
  console.error(`faults: skipped: ${why}`);
  process.exit(2);
}
const impls = values.impl === "both" ? ["nats-server", "tsnats"] : [values.impl];
const runs = Number(values.runs);
let failed = 0;
/** "impl fault failover|after the heal" -> ms from the fault (or the heal) to the next PubAck, over every run. */
const timings = {};
for (let run = 0; run < runs; run++) {
  const seed = values.seed !== undefined ? Number(values.seed) + run : Math.floor(Math.random() * 2 ** 31);
  const faults = values.faults ? values.faults.split(",") : shuffled([...FAULTS], seed);
  for (const f of faults) if (!FAULTS.includes(f)) throw new Error(`unknown fault ${f}; known: ${FAULTS.join(", ")}`);
  for (const impl of impls) {
    const t0 = Date.now();
    const report = await runScenario({
      impl,
      nodes: Number(values.nodes),
      replicas: Number(values.replicas),
      faults,
      seed,
      publishers: Number(values.publishers),
      faultMs: Number(values["fault-ms"]),
      keepDir: values.keep,
      log: (l) => console.error(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${l}`),
    }).catch((e) => ({ error: String(e?.stack ?? e), impl, seed }));
    if ("error" in report) {
      failed++;
      console.log(`${impl} seed=${seed} faults=${faults.join(",")}: ERROR ${report.error}`);
      continue;
    }
    if (!report.ok) failed++;
    for (const f of report.faults) {
      if (f.failoverMs !== undefined) (timings[`${impl} ${f.fault} failover`] ??= []).push(f.failoverMs);
      if (f.recoveryMs !== undefined) (timings[`${impl} ${f.fault} after the heal`] ??= []).push(f.recoveryMs);
    }
    console.log(values.json ? JSON.stringify(report) : `${formatReport(report)}\n  replay: --impl ${impl} --nodes ${values.nodes} --seed ${seed} --faults ${faults.join(",")}  (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
}
for (const [key, list] of Object.entries(timings)) {
  const sorted = [...list].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  console.log(`${key}: to next PubAck n=${sorted.length} min=${sorted[0]} p50=${at(0.5)} max=${sorted.at(-1)} ms`);
}
process.exit(failed === 0 ? 0 : 1);

/** The faults in an order drawn from the seed. */
function shuffled(list, seed) {
  const rng = prng(seed ^ 0x5eed);
  for (let i = list.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}
