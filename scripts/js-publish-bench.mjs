#!/usr/bin/env node
// In-process cost of the JetStream publish path, without the network or a client process:
//   npm run build && node scripts/js-publish-bench.mjs [rounds] [build dir, default .]
// Feeds 256 PUBs (128 B, distinct replies) straight into the server-side client's onData, times that
// (ingest), then waits for the 256 PubAcks; the rest of the loop's active time is acks+batch+flush.
// It reaches into the server (its connection's onData): a measuring tool, not an API use. The figures
// vary with the machine's load; compare builds by the minimum of several runs.
import net from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";
const [roundsArg, build = "."] = process.argv.slice(2);
const { startServer } = await import(pathToFileURL(join(resolve(build), "dist/src/index.js")).href);
const dir = mkdtempSync(join(tmpdir(), "ib-"));
const rs = await startServer({ jetstream: { enabled: true, storeDir: dir } });
const sock = net.connect(rs.port, "127.0.0.1");
let inbuf = ""; let waiters = [];
sock.on("data", (d) => { inbuf += d.toString("latin1"); for (const w of waiters.splice(0)) w(); });
const until = (pred) => new Promise((res) => { const chk = () => (pred() ? res() : waiters.push(chk)); chk(); });
sock.write('CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"protocol":1}\r\nSUB _INBOX.bench.* 1\r\nPING\r\n');
await until(() => inbuf.includes("PONG"));
const cfg = JSON.stringify({ name: "BENCH", subjects: ["bench.>"], storage: "file" });
sock.write(`PUB $JS.API.STREAM.CREATE.BENCH _INBOX.bench.create ${cfg.length}\r\n${cfg}\r\n`);
await until(() => inbuf.includes('"type":"io.nats.jetstream.api.v1.stream_create_response"'));
inbuf = "";
const client = [...rs.server.clients.values()][0];
const payload = "x".repeat(128);
let seq = 0;
function burst() {
  let s = "";
  for (let i = 0; i < 256; i++) s += `PUB bench.subj _INBOX.bench.${(seq++).toString(36)} 128\r\n${payload}\r\n`;
  return Buffer.from(s, "latin1");
}
const rounds = Number(roundsArg ?? 1500);
const ingest = [], rest = [];
const countAcks = () => { let n = 0, i = 0; while ((i = inbuf.indexOf("MSG ", i)) >= 0) { n++; i += 4; } return n; };
for (let r = 0; r < rounds; r++) {
  const buf = burst();
  const e0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  client.onData(buf);
  const t1 = performance.now();
  await until(() => countAcks() >= 256);
  const e1 = performance.eventLoopUtilization(e0);
  inbuf = "";
  if (r >= rounds / 3) { ingest.push((t1 - t0) * 1000 / 256); rest.push((e1.active - (t1 - t0)) * 1000 / 256); }
}
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1].toFixed(2);
console.log(`ingest ${med(ingest)} us/msg, rest of loop (acks, batch, flush, reading acks) ${med(rest)} us/msg`);
sock.destroy(); await rs.close(); rmSync(dir, { recursive: true, force: true });
