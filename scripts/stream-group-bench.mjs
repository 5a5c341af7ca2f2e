#!/usr/bin/env node
// R3 publish rate beside a standalone stream: async publish (128 B, 256 acks in flight), the servers
// in this process (3 over real routes, the R3 replicas opened directly with StreamGroup.open: the meta
// group is not needed), the publisher a raw-socket client in a child process (little client CPU).
//   npm run build && node scripts/stream-group-bench.mjs [msgs, default 50000]
// Noisy on a shared machine: compare runs taken together.
import net from "node:net";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const self = fileURLToPath(import.meta.url);

if (process.argv[2] === "client") {
  const [, , , port, subject, nArg] = process.argv;
  const n = Number(nArg);
  const payload = "x".repeat(128);
  const sock = net.connect(Number(port), "127.0.0.1");
  let sent = 0;
  let acked = 0;
  let errors = 0;
  let t0 = 0;
  let tail = "";
  const pump = () => {
    let s = "";
    while (sent < n && sent - acked < 256) s += `PUB ${subject} _INBOX.b.${(sent++).toString(36)} 128\r\n${payload}\r\n`;
    if (s) sock.write(s);
  };
  sock.on("data", (d) => {
    const text = tail + d.toString("latin1");
    let i = 0;
    for (;;) {
      const j = text.indexOf("MSG ", i);
      if (j < 0) break;
      const eol = text.indexOf("\r\n", j);
      if (eol < 0) break;
      const size = Number(text.slice(j, eol).split(" ").at(-1));
      if (eol + 2 + size + 2 > text.length) break;
      if (text.slice(eol + 2, eol + 2 + size).includes('"error"')) errors++;
      acked++;
      i = eol + 2 + size + 2;
    }
    tail = text.slice(i);
    if (tail.includes("PONG") && t0 === 0) {
      tail = "";
      t0 = performance.now();
    }
    if (t0 === 0) return;
    if (acked >= n) {
      const secs = (performance.now() - t0) / 1000;
      process.stdout.write(JSON.stringify({ rate: n / secs, errors }) + "\n");
      sock.destroy();
      return;
    }
    pump();
  });
  sock.write('CONNECT {"verbose":false,"pedantic":false,"headers":true,"protocol":1}\r\nSUB _INBOX.b.* 1\r\nPING\r\n');
  const wait = setInterval(() => {
    if (t0 > 0) {
      clearInterval(wait);
      pump();
    }
  }, 5);
} else {
  const n = Number(process.argv[2] ?? 50000);
  const dist = join(self, "../../dist");
  const imp = (p) => import(pathToFileURL(join(dist, p)).href);
  const { startServer, startCluster } = await imp("src/index.js");
  const { StreamGroup } = await imp("src/jetstream/cluster/stream-group.js");
  const { jetStreamOf } = await imp("src/jetstream/jetstream.js");
  const { decodeStreamConfig, normalizeStreamConfig } = await imp("src/jetstream/stream/config.js");
  const { addStream } = await imp("src/jetstream/stream/manager.js");
  const { raftNodeId } = await imp("src/raft/node-id.js");
  const { nowNanos } = await imp("src/util/nanos.js");
  const cfg = (name, replicas) => normalizeStreamConfig(decodeStreamConfig({ name, subjects: [name.toLowerCase()], storage: "file", num_replicas: replicas }));
  const jsaOf = (s) => jetStreamOf(s.server).accountOf(s.server.globalAccount);
  const client = (port, subject) =>
    new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [self, "client", String(port), subject, String(n)], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      p.stdout.on("data", (d) => (out += d));
      p.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client exited ${code}`))));
    });
  const root = mkdtempSync(join(tmpdir(), "sgb-"));
  try {
    const single = await startServer({ jetstream: { enabled: true, storeDir: join(root, "single") } });
    await addStream(jsaOf(single), cfg("ONE", 1));
    const one = await client(single.port, "one");
    await single.close();

    const cluster = await startCluster(3, { jetstream: { enabled: true, storeDir: join(root, "r3") } });
    const placement = { group: "S-bench001", peers: cluster.servers.map((s) => raftNodeId(s.server.name)), cluster: "tsnats" };
    const created = nowNanos();
    const replicas = [];
    for (const s of cluster.servers) replicas.push(await StreamGroup.open(jsaOf(s), cfg("THREE", 3), created, placement));
    while (!replicas.some((r) => r.isLeader)) await new Promise((r) => setTimeout(r, 20));
    const leader = replicas.findIndex((r) => r.isLeader);
    const toLeader = await client(cluster.servers[leader].port, "three");
    const toFollower = await client(cluster.servers[(leader + 1) % 3].port, "three");
    for (const r of replicas) await r.stop();
    await cluster.close();
    const f = (x) => `${Math.round(x.rate)} msgs/s${x.errors ? ` (${x.errors} errors)` : ""}`;
    console.log(`async publish 128 B, 256 in flight, ${n} msgs: standalone ${f(one)}; R3 client on the leader ${f(toLeader)}; R3 client on a follower ${f(toFollower)}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
