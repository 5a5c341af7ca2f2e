#!/usr/bin/env node
// Start-up time, nats-server and tsnats side by side (a benchmark, not a test; issue #15): the time from
// spawn until the client port answers with its INFO line, for `-js` with an empty store directory. Client
// test harnesses start a server per test and poll for it, so this is the latency every such test pays.
//
//   npm run build && node scripts/startup-bench.mjs              # 21 starts of each, alternating
//   node scripts/startup-bench.mjs --runs 41 --only tsnats --no-js
//   node scripts/startup-bench.mjs --server-cmd "old=node ../main/bin/tsnats-server"   # a third command
//
// Each start gets a fresh store directory and a port picked just before; the port is polled with a TCP
// connect every 2 ms until the first bytes arrive (they must be `INFO `). The server is then stopped with
// SIGKILL (its shutdown is not measured). The CPU time the process used until then is read from /proc
// too: on a loaded machine it says more than the wall time, which then mostly measures the wait for a core. Runs of the two servers alternate, so load from elsewhere on
// the machine falls on both alike. Prints the median, the 10th and 90th percentiles and the minimum.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./lib/free-port.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const runs = Number(arg("--runs", "21"));
const only = arg("--only", undefined);
const js = !args.includes("--no-js");
const servers = [
  { name: "nats-server", cmd: ["/usr/sbin/nats-server"] },
  { name: "tsnats", cmd: [process.execPath, join(root, "bin/tsnats-server")] },
];
// --server-cmd NAME=CMD (split on spaces, repeatable) replaces the server of that name or adds one.
args.forEach((a, i) => {
  if (a !== "--server-cmd") return;
  const [name, cmd] = [args[i + 1].slice(0, args[i + 1].indexOf("=")), args[i + 1].slice(args[i + 1].indexOf("=") + 1)];
  const entry = { name, cmd: cmd.split(" ").filter(Boolean) };
  const at = servers.findIndex((s) => s.name === name);
  if (at >= 0) servers[at] = entry;
  else servers.push(entry);
});
const chosen = servers.filter((s) => only === undefined || s.name === only);


/** Resolves with the first bytes the port sends, or undefined when the connect fails. */
function probe(port) {
  return new Promise((res) => {
    const sock = net.connect(port, "127.0.0.1");
    sock.once("data", (d) => {
      sock.destroy();
      res(d.toString("latin1"));
    });
    sock.once("error", () => res(undefined));
    sock.once("close", () => res(undefined));
  });
}

/** CPU time (user + system) the process has used so far, from /proc (clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "latin1").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function startOnce(server) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "startup-bench-"));
  const flags = ["-a", "127.0.0.1", "-p", String(port), ...(js ? ["-js", "-sd", dir] : [])];
  const t0 = process.hrtime.bigint();
  const child = spawn(server.cmd[0], [...server.cmd.slice(1), ...flags], { stdio: "ignore" });
  let exited = false;
  child.once("exit", () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`${server.name} exited before it answered`);
      const first = await probe(port);
      if (first !== undefined) {
        if (!first.startsWith("INFO ")) throw new Error(`${server.name} answered ${JSON.stringify(first.slice(0, 40))}`);
        return { wall: Number(process.hrtime.bigint() - t0) / 1e6, cpu: cpuMs(child.pid) };
      }
      await sleep(2);
    }
  } finally {
    child.kill("SIGKILL");
    if (!exited) await new Promise((r) => child.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const times = new Map(chosen.map((s) => [s.name, []]));
for (let i = 0; i < runs; i++) {
  for (const s of chosen) times.get(s.name).push(await startOnce(s));
}
console.log(`| server | ${js ? "-js, empty store" : "no JetStream"}: median ms | p10 | p90 | min | CPU ms used (mean) | runs |`);
console.log("|---|---|---|---|---|---|---|");
for (const [name, list] of times) {
  const sorted = list.map((t) => t.wall).sort((a, b) => a - b);
  const cpu = list.reduce((a, t) => a + t.cpu, 0) / list.length;
  const f = (v) => v.toFixed(1);
  console.log(`| ${name} | ${f(pct(sorted, 50))} | ${f(pct(sorted, 10))} | ${f(pct(sorted, 90))} | ${f(sorted[0])} | ${f(cpu)} | ${sorted.length} |`);
}
