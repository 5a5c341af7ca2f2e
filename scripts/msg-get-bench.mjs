#!/usr/bin/env node
// MSG.GET and DIRECT.GET through a 3-node cluster (issue #12): an R3 stream with allow_direct, 1000
// messages, then requests sent one after another for a few seconds from a client on each server in
// turn; prints requests per second, and checks every answer is the message asked for.
//   npm run build && node scripts/msg-get-bench.mjs [--impl tsnats|nats-server|both] [--ms 3000]
// Noisy on a shared machine: compare runs taken together.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { startCluster } from "../dist/test/helpers/cluster-process.js";

const { values } = parseArgs({ options: { impl: { type: "string", default: "both" }, replicas: { type: "string", default: "3" }, inflight: { type: "string", default: "1" }, ms: { type: "string", default: "3000" } } });
const impls = values.impl === "both" ? ["nats-server", "tsnats"] : [values.impl];
const MSGS = 1000;

/** CPU time (ms) a process has used so far, from /proc: robust to other load, unlike the rate. */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
}

async function waitUntil(fn, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

for (const impl of impls) {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-msgget-"));
  const cluster = await startCluster({ impls: [impl, impl, impl], clusterName: "C1", args: ["-js"], argsOf: (i) => ["-sd", join(dir, `n${i + 1}`)] });
  try {
    await cluster.formed();
    const nc = await connect({ servers: cluster.nodes[0].url });
    const jsm = await jetstreamManager(nc, { timeout: 5000, checkAPI: false });
    await waitUntil(() => jsm.streams.add({ name: "G", subjects: ["g.>"], num_replicas: Number(values.replicas), allow_direct: true }).then(() => true), 30_000, "the stream");
    const js = jsm.jetstream();
    for (let i = 1; i <= MSGS; i++) await js.publish(`g.${i}`, `m${i}`);
    const leader = (await jsm.streams.info("G")).cluster?.leader;
    for (const kind of ["MSG.GET", "DIRECT.GET"]) {
      const rates = [];
      const replies = [];
      const cpu0 = cluster.nodes.map((nd) => cpuMs(nd.proc.pid));
      let total = 0;
      for (const node of cluster.nodes) {
        const c = await connect({ servers: node.url });
        const t0 = Date.now();
        let n = 0;
        const lat = [];
        const worker = async () => {
          while (Date.now() - t0 < Number(values.ms)) {
            const seq = 1 + (n++ % MSGS);
            const t1 = performance.now();
            const r = await c.request(`$JS.API.${kind === "MSG.GET" ? "STREAM.MSG.GET.G" : "DIRECT.GET.G"}`, JSON.stringify({ seq }), { timeout: 2000 });
            const ok = kind === "MSG.GET" ? Buffer.from(r.json().message.data, "base64").toString() === `m${seq}` : r.string() === `m${seq}`;
            if (!ok) throw new Error(`${kind} seq ${seq} from ${node.name}: wrong answer ${r.string().slice(0, 200)}`);
            lat.push(performance.now() - t1);
          }
        };
        await Promise.all(Array.from({ length: Number(values.inflight) }, worker));
        // How many servers answer one request: every answer to a private reply subject is counted.
        const inbox = `_BENCH.${node.name}.${kind}`;
        let answers = 0;
        c.subscribe(inbox, { callback: () => answers++ });
        await c.flush();
        for (let i = 1; i <= 20; i++) c.publish(`$JS.API.${kind === "MSG.GET" ? "STREAM.MSG.GET.G" : "DIRECT.GET.G"}`, JSON.stringify({ seq: i }), { reply: inbox });
        await new Promise((r) => setTimeout(r, 500));
        replies.push((answers / 20).toFixed(1));
        lat.sort((a, b) => a - b);
        rates.push(`${Math.round((n * 1000) / (Date.now() - t0))} (p50 ${lat[lat.length >> 1].toFixed(2)} p99 ${lat[Math.floor(lat.length * 0.99)].toFixed(2)} ms)`);
        total += n;
        await c.close();
      }
      const cpu = cluster.nodes.map((nd, i) => ((cpuMs(nd.proc.pid) - cpu0[i]) * 1000) / total);
      console.log(`${impl} ${kind}: ${rates.join(" / ")} req/s (client on ${cluster.nodes.map((n) => n.name).join(" / ")}; leader ${leader}); server CPU per request ${cpu.map((c) => c.toFixed(0)).join(" + ")} us; answers per request ${replies.join(" / ")}`);
    }
    await nc.close();
  } finally {
    await cluster.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}
