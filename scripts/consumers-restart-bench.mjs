#!/usr/bin/env node
// Restart time of a file stream with many durable pull consumers, nats-server and tsnats side by side:
//   npm run build && node scripts/consumers-restart-bench.mjs [consumers=1000] [messages=10000] [reps=5]
// Each consumer fetches a few messages and acks some, so every one has pending entries and redelivery
// state. Then each server is stopped (SIGTERM, then once with SIGKILL) and started again; the time is
// from spawn until STREAM.INFO and CONSUMER.INFO of the last consumer both answer. Reps alternate the
// order of the servers. Figures vary with the machine's load: read medians, repeat before believing.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { connect } from "@nats-io/transport-node";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { freePort } from "./lib/free-port.mjs";

const [nCons = 1000, nMsgs = 10_000, reps = 5] = process.argv.slice(2).map(Number);
const ROOT = resolve(import.meta.dirname, "..");
const BINS = { "nats-server": process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server", tsnats: join(ROOT, "bin/tsnats-server") };
// Another build to compare with (e.g. the commit before a change): TSNATS_BASELINE=<its checkout, built>.
if (process.env.TSNATS_BASELINE) BINS["tsnats-baseline"] = join(resolve(process.env.TSNATS_BASELINE), "bin/tsnats-server");
const LAST = `c${String(nCons - 1).padStart(5, "0")}`;


function start(impl, port, dir) {
  const child = spawn(BINS[impl], ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", dir], { stdio: "ignore" });
  const exited = new Promise((res) => child.once("exit", res));
  return { child, stop: (sig = "SIGTERM") => (child.kill(sig), exited) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Connects as soon as the port answers. */
async function connectSoon(port) {
  for (;;) {
    try {
      return await connect({ servers: `127.0.0.1:${port}`, reconnect: false, timeout: 1000 });
    } catch {
      await sleep(2);
    }
  }
}

async function ready(nc) {
  for (;;) {
    try {
      const a = JSON.parse((await nc.request("$JS.API.STREAM.INFO.S", "", { timeout: 2000 })).string());
      const b = JSON.parse((await nc.request(`$JS.API.CONSUMER.INFO.S.${LAST}`, "", { timeout: 2000 })).string());
      if (a.error === undefined && b.error === undefined) return b;
    } catch {
      // no responders yet
    }
    await sleep(2);
  }
}

async function populate(impl, port, dir) {
  const srv = start(impl, port, dir);
  const nc = await connectSoon(port);
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  await jsm.streams.add({ name: "S", subjects: ["s.>"], storage: "file" });
  const acks = [];
  for (let i = 0; i < nMsgs; i++) {
    acks.push(js.publish(`s.${i % 100}`, "x".repeat(128)));
    if (acks.length === 256) await Promise.all(acks.splice(0));
  }
  await Promise.all(acks);
  for (let i = 0; i < nCons; i++) {
    const name = `c${String(i).padStart(5, "0")}`;
    await jsm.consumers.add("S", { durable_name: name, ack_policy: AckPolicy.Explicit, ...(i % 2 ? { filter_subject: `s.${i % 100}` } : {}) });
    const c = await js.consumers.get("S", name);
    let k = 0;
    for await (const m of await c.fetch({ max_messages: 5, expires: 2000 })) if (k++ % 2 === 0) m.ack();
  }
  await nc.flush();
  await nc.close();
  await srv.stop();
}

async function restart(impl, port, dir, sig) {
  const t0 = performance.now();
  const srv = start(impl, port, dir);
  const nc = await connectSoon(port);
  const tConn = performance.now();
  const info = await ready(nc);
  const t1 = performance.now();
  if (info.num_ack_pending !== 2) throw new Error(`${impl}: ${LAST} has ${info.num_ack_pending} pending after restart`);
  await nc.close();
  await srv.stop(sig);
  return { total: t1 - t0, connect: tConn - t0 };
}

const dirs = {};
const ports = {};
for (const impl of Object.keys(BINS)) {
  dirs[impl] = mkdtempSync(join(tmpdir(), `crb-${impl}-`));
  ports[impl] = await freePort();
  const t = performance.now();
  await populate(impl, ports[impl], dirs[impl]);
  console.log(`${impl}: ${nCons} consumers on ${nMsgs} messages populated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const times = Object.fromEntries(Object.keys(BINS).map((k) => [k, []]));
for (let r = 0; r < reps; r++) {
  const order = r % 2 ? Object.keys(BINS).reverse() : Object.keys(BINS);
  for (const impl of order) {
    // The next-to-last rep is killed, so that the last start recovers from a crash.
    const t = await restart(impl, ports[impl], dirs[impl], r === reps - 2 ? "SIGKILL" : "SIGTERM");
    times[impl].push(t);
  }
}
for (const impl of Object.keys(BINS)) {
  const tot = times[impl].map((t) => t.total);
  const con = times[impl].map((t) => t.connect);
  console.log(`${impl.padEnd(15)} restart to ready: median ${med(tot).toFixed(0)} ms [${tot.map((x) => x.toFixed(0)).join(", ")}]; port answers after median ${med(con).toFixed(0)} ms`);
  rmSync(dirs[impl], { recursive: true, force: true });
}
