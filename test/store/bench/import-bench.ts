/**
 * Measures the switch from nats-server to tsnats on a bigger store (a script, not a test; numbers vary
 * with the machine and its load): nats-server 2.9.10 writes N messages of 128 bytes on 100 subjects,
 * stops; then the time from starting tsnats on the directory until it serves (the import included),
 * a second start of tsnats (its own store), and a start of nats-server on a copy, for reference.
 *
 * usage: node dist/test/store/bench/import-bench.js [messages, default 200000]
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { startServerProcess, type Impl } from "../../helpers/server-process.js";

const N = Number(process.argv[2] ?? 200_000);
const PAYLOAD = Buffer.alloc(128, 0x61);

async function fill(dir: string): Promise<void> {
  const srv = await startServerProcess({ impl: "nats-server", args: ["-js", "-sd", dir] });
  const nc = await connect({ servers: srv.url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: "BIG", subjects: ["big.>"] });
  for (let i = 0; i < N; i++) {
    nc.publish(`big.${i % 100}`, PAYLOAD);
    if (i % 1000 === 999) await nc.flush();
  }
  await nc.flush();
  while ((await jsm.streams.info("BIG")).state.messages < N) await new Promise((r) => setTimeout(r, 100));
  await nc.close();
  await srv.stop();
}

/** ms from spawn until the stream answers with all its messages. */
async function startUntilServed(impl: Impl, dir: string): Promise<number> {
  const t0 = performance.now();
  const srv = await startServerProcess({ impl, args: ["-js", "-sd", dir], timeoutMs: 600_000 });
  const nc = await connect({ servers: srv.url });
  const jsm = await jetstreamManager(nc);
  const msgs = (await jsm.streams.info("BIG")).state.messages;
  const ms = performance.now() - t0;
  await nc.close();
  await srv.stop();
  if (msgs !== N) throw new Error(`${impl} serves ${msgs} messages, expected ${N}`);
  return ms;
}

const dir = mkdtempSync(join(tmpdir(), "tsnats-import-bench-"));
try {
  await fill(dir);
  const copy = mkdtempSync(join(tmpdir(), "tsnats-import-bench-ns-"));
  cpSync(dir, copy, { recursive: true });
  const ns = await startUntilServed("nats-server", copy);
  rmSync(copy, { recursive: true, force: true });
  const first = await startUntilServed("tsnats", dir);
  const second = await startUntilServed("tsnats", dir);
  const mb = (N * (PAYLOAD.length + 30)) / 1e6;
  console.log(`${N} messages (~${mb.toFixed(0)} MB of records)`);
  console.log(`nats-server start on its store:   ${ns.toFixed(0)} ms`);
  console.log(`tsnats first start (with import): ${first.toFixed(0)} ms  (${((N / first) * 1000).toFixed(0)} msgs/s)`);
  console.log(`tsnats second start:              ${second.toFixed(0)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
