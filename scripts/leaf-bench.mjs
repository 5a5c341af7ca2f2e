#!/usr/bin/env node
/**
 * Pub/sub across a leaf link, tsnats beside nats-server: a hub and a leaf of the same implementation on
 * this machine, a subscriber on one, a publisher on the other (both ways), N messages of S bytes, and the
 * rate at which the subscriber receives them. A benchmark, not a test: figures vary with the machine's
 * load (two cores shared with everything else here).
 *
 *   node scripts/leaf-bench.mjs [--msgs 200000] [--size 128] [--runs 3]
 */
import { spawn } from "node:child_process";
import { connect as netConnect } from "node:net";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { connect } from "@nats-io/transport-node";
import { freePort } from "./lib/free-port.mjs";

const args = Object.fromEntries(process.argv.slice(2).join(" ").split("--").filter(Boolean).map((a) => a.trim().split(/\s+/)));
const MSGS = Number(args.msgs ?? 200_000);
const SIZE = Number(args.size ?? 128);
const RUNS = Number(args.runs ?? 3);
const BINS = { tsnats: resolve(import.meta.dirname, "../bin/tsnats-server"), "nats-server": process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server" };


async function start(bin, config) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "leaf-bench-"));
  writeFileSync(join(dir, "s.conf"), config);
  const child = spawn(bin, ["-a", "127.0.0.1", "-p", String(port), "-c", join(dir, "s.conf")], { stdio: "ignore" });
  for (;;) {
    const up = await new Promise((r) => {
      const s = netConnect({ host: "127.0.0.1", port }, () => (s.destroy(), r(true)));
      s.on("error", () => r(false));
    });
    if (up) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, child };
}

async function once(impl, direction) {
  const lp = await freePort();
  const hub = await start(BINS[impl], `leafnodes { listen: "127.0.0.1:${lp}" }\n`);
  const leaf = await start(BINS[impl], `leafnodes { remotes = [ { url: "nats://127.0.0.1:${lp}" } ] }\n`);
  const [pubSrv, subSrv] = direction === "hub->leaf" ? [hub, leaf] : [leaf, hub];
  const pub = await connect({ servers: `127.0.0.1:${pubSrv.port}` });
  const sub = await connect({ servers: `127.0.0.1:${subSrv.port}` });
  try {
    // Wait for the interest to cross the link.
    const probe = sub.subscribe("probe");
    let crossed = false;
    (async () => {
      for await (const _ of probe) {
        crossed = true;
        break;
      }
    })();
    while (!crossed) {
      pub.publish("probe");
      await pub.flush();
      await new Promise((r) => setTimeout(r, 20));
    }
    let got = 0;
    let t0 = 0;
    const done = new Promise((res) => {
      sub.subscribe("bench", {
        callback: () => {
          if (got++ === 0) t0 = performance.now();
          if (got === MSGS) res(performance.now());
        },
      });
    });
    await sub.flush();
    await new Promise((r) => setTimeout(r, 200));
    const payload = new Uint8Array(SIZE);
    for (let i = 0; i < MSGS; i++) {
      pub.publish("bench", payload);
      if (i % 1000 === 999) await pub.flush();
    }
    await pub.flush();
    const t1 = await Promise.race([done, new Promise((r) => setTimeout(() => r(undefined), 60_000))]);
    if (t1 === undefined) return { rate: 0, lost: MSGS - got };
    return { rate: Math.round(((MSGS - 1) / (t1 - t0)) * 1000), lost: 0 };
  } finally {
    await pub.close();
    await sub.close();
    hub.child.kill("SIGKILL");
    leaf.child.kill("SIGKILL");
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`leaf link pub/sub: ${MSGS} msgs of ${SIZE} B, median of ${RUNS} runs (msgs/s received)`);
for (const direction of ["hub->leaf", "leaf->hub"]) {
  const out = {};
  for (const impl of ["nats-server", "tsnats"]) {
    const rates = [];
    for (let r = 0; r < RUNS; r++) {
      const { rate, lost } = await once(impl, direction);
      if (lost > 0) console.log(`  ${impl} ${direction}: ${lost} messages not received`);
      rates.push(rate);
    }
    out[impl] = median(rates);
  }
  console.log(`${direction.padEnd(10)} nats-server ${String(out["nats-server"]).padStart(9)}  tsnats ${String(out.tsnats).padStart(9)}  ratio ${(out.tsnats / out["nats-server"]).toFixed(2)}`);
}
