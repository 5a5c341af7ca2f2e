#!/usr/bin/env node
// WebSocket pub/sub throughput, nats-server and tsnats side by side (a benchmark, not a test; issue #16):
// one publisher and one subscriber connection, both the official client over WebSocket (nats-core's
// wsconnect with the `ws` package as Node's WebSocket), against each server in turn with the same
// settings. Prints msgs/s received by the subscriber per run, the median per server and the ratio.
//
//   npm run build && node scripts/ws-bench.mjs                       # 16-byte messages, 200k per run, 7 runs
//   node scripts/ws-bench.mjs --size 1024 --msgs 100000 --runs 5 --compression
//
// The client runs in this process, so the servers are measured through the same client (which is
// usually the bottleneck for small messages: the ratio then says whether the server keeps up). Runs of
// the two servers alternate, so load from elsewhere on the machine falls on both alike; the client's CPU
// time per message and each server's (from /proc) are printed too: on a loaded machine they vary less
// than the wall time, and a single-threaded server gets a smaller share of a contended CPU than a
// multi-threaded one.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { wsconnect } from "@nats-io/nats-core";
import { freePort } from "./lib/free-port.mjs";

globalThis.WebSocket ??= WebSocket;
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const size = Number(arg("--size", "16"));
const total = Number(arg("--msgs", "200000"));
const runs = Number(arg("--runs", "7"));
const compression = args.includes("--compression");
const servers = [
  { name: "nats-server", cmd: ["/usr/sbin/nats-server"] },
  { name: "tsnats", cmd: [process.execPath, join(root, "bin/tsnats-server")] },
];


async function waitPort(port) {
  for (let i = 0; i < 500; i++) {
    const ok = await new Promise((res) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.destroy();
        res(true);
      });
      s.on("error", () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`port ${port} never answered`);
}

async function start(server) {
  const dir = mkdtempSync(join(tmpdir(), "ws-bench-"));
  const [port, ws] = [await freePort(), await freePort()];
  const conf = join(dir, "server.conf");
  writeFileSync(conf, `port: ${port}\nhost: 127.0.0.1\nwebsocket { port: ${ws}, host: 127.0.0.1, no_tls: true, compression: ${compression} }\n`);
  const child = spawn(server.cmd[0], [...server.cmd.slice(1), "-c", conf], { stdio: "ignore" });
  await waitPort(ws);
  return {
    url: `ws://127.0.0.1:${ws}`,
    /** CPU time (user + system, µs) the server process used so far, from /proc. */
    cpuMicros: () => {
      const f = readFileSync(`/proc/${child.pid}/stat`, "utf8").slice(readFileSync(`/proc/${child.pid}/stat`, "utf8").lastIndexOf(")") + 2).split(" ");
      return ((Number(f[11]) + Number(f[12])) * 1e6) / 100;
    },
    stop: () => {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function run(url) {
  const sub = await wsconnect({ servers: url });
  const pub = await wsconnect({ servers: url });
  let got = 0;
  let resolveDone;
  const done = new Promise((r) => (resolveDone = r));
  sub.subscribe("bench", { callback: () => ++got === total && resolveDone() });
  await sub.flush();
  const payload = new Uint8Array(size).fill(97);
  const t0 = performance.now();
  // Publish in slices with a flush between them, as nats bench does, so the client's buffer stays bounded.
  for (let sent = 0; sent < total; ) {
    const n = Math.min(1000, total - sent);
    for (let i = 0; i < n; i++) pub.publish("bench", payload);
    sent += n;
    await pub.flush();
  }
  await done;
  const secs = (performance.now() - t0) / 1000;
  await pub.close();
  await sub.close();
  return total / secs;
}

// Both servers run for the whole benchmark; unmeasured runs warm them (and tsnats's JIT) up first.
const started = [];
for (const s of servers) started.push({ ...s, srv: await start(s) });
const results = new Map(servers.map((s) => [s.name, []]));
const cpu = new Map(servers.map((s) => [s.name, []]));
const serverCpu = new Map(servers.map((s) => [s.name, []]));
try {
  for (let w = 0; w < 3; w++) for (const s of started) await run(s.srv.url);
  for (let r = 0; r < runs; r++) {
    for (const s of started) {
      const c0 = process.cpuUsage();
      const s0 = s.srv.cpuMicros();
      const rate = await run(s.srv.url);
      const c = process.cpuUsage(c0);
      const sc = (s.srv.cpuMicros() - s0) / total;
      results.get(s.name).push(rate);
      cpu.get(s.name).push((c.user + c.system) / total);
      serverCpu.get(s.name).push(sc);
      console.log(`run ${r + 1} ${s.name.padEnd(12)} ${Math.round(rate).toLocaleString("en")} msgs/s (CPU per message: client ${((c.user + c.system) / total).toFixed(2)} us, server ${sc.toFixed(2)} us)`);
    }
  }
} finally {
  for (const s of started) s.srv.stop();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ref = median(results.get("nats-server"));
const ours = median(results.get("tsnats"));
console.log(`\n${size}-byte messages, ${total} per run, compression ${compression ? "on" : "off"}`);
console.log(`nats-server  median ${Math.round(ref).toLocaleString("en")} msgs/s`);
console.log(`tsnats       median ${Math.round(ours).toLocaleString("en")} msgs/s`);
console.log(`ratio tsnats/nats-server: ${(ours / ref).toFixed(2)}`);
console.log(`client CPU per message (median): nats-server ${median(cpu.get("nats-server")).toFixed(2)} us, tsnats ${median(cpu.get("tsnats")).toFixed(2)} us`);
const sRef = median(serverCpu.get("nats-server"));
const sOurs = median(serverCpu.get("tsnats"));
console.log(`server CPU per message (median): nats-server ${sRef.toFixed(2)} us, tsnats ${sOurs.toFixed(2)} us (efficiency ratio ${(sRef / sOurs).toFixed(2)})`);
