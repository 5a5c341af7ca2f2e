/**
 * Protocol fuzzing: many connections send valid, mutated and random client protocol at one server for
 * about 20 s, while a bystander publishes and receives through nats.js the whole time. The server must
 * stay up, keep the bystander's stream complete and in order, answer a fresh client, and keep its
 * memory bounded.
 *
 * Replay a run with TSNATS_FUZZ_SEED=<seed printed below>; TSNATS_FUZZ_MS sets the duration.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { nuid } from "@nats-io/transport-node";
import { RawClient } from "../e2e/raw-client.js";
import { IMPL, clientFor, delay, serverFor, settle, within } from "../e2e/support.js";
import { Rng } from "./prng.js";
import { mutate, noise } from "./mutations.js";
import { validSession } from "./sessions.js";

const DURATION_MS = Number(process.env.TSNATS_FUZZ_MS ?? 20_000);
const WORKERS = 16;
/** Far above a healthy server under this load, far below one that buffers whatever a client claims. */
const RSS_LIMIT_BYTES = 384 * 1024 * 1024;
const CONFIG = 'max_pending: 2097152\nwrite_deadline: "2s"\n';

/** The process's resident set size, or null once the process is gone. */
function rssBytes(pid: number): number | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, "utf8");
  } catch {
    return null;
  }
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : null;
}

/** What one fuzz connection sends: a valid session, a damaged one, or noise. */
function fuzzInput(rng: Rng): Buffer {
  const kind = rng.int(10);
  if (kind === 0) return noise(rng);
  const ops = validSession(rng);
  if (kind <= 2) return Buffer.concat(ops);
  return mutate(ops, validSession(rng), rng);
}

interface FuzzStats {
  connections: number;
  refused: number;
  bytesOut: number;
  bytesIn: number;
}

/** Opens one connection, sends the input in random pieces, lingers a little, and hangs up. */
async function fuzzOnce(port: number, rng: Rng, stats: FuzzStats): Promise<void> {
  const input = fuzzInput(rng);
  const socket = tcpConnect({ host: "127.0.0.1", port });
  socket.on("error", () => undefined);
  socket.on("data", (d: Buffer) => (stats.bytesIn += d.length));
  const connected = await new Promise<boolean>((res) => {
    socket.once("connect", () => res(true));
    socket.once("error", () => res(false));
  });
  if (!connected) {
    stats.refused++;
    return;
  }
  stats.connections++;
  // A few connections never read what the server sends them.
  if (rng.chance(0.1)) socket.pause();
  let pos = 0;
  while (pos < input.length && !socket.destroyed) {
    const piece = input.subarray(pos, pos + (rng.chance(0.3) ? rng.between(1, 8) : rng.between(1, 65_536)));
    pos += piece.length;
    stats.bytesOut += piece.length;
    socket.write(piece);
    if (rng.chance(0.2)) await delay(rng.int(4));
  }
  await delay(rng.int(60));
  if (rng.chance(0.5)) socket.end();
  socket.destroy();
}

test(`protocol fuzz: the server survives hostile input and bystanders lose nothing [${IMPL}]`, async (t) => {
  const seed = Number(process.env.TSNATS_FUZZ_SEED ?? Math.floor(Math.random() * 0x1_0000_0000));
  console.log(`fuzz seed: ${seed} (replay with TSNATS_FUZZ_SEED=${seed}); duration ${DURATION_MS} ms, ${WORKERS} workers`);
  const rng = new Rng(seed);
  const srv = await serverFor(t, { config: CONFIG });
  const failed = (what: string) => `${what} (seed ${seed})\n--- server output (tail) ---\n${srv.output().slice(-3000)}`;

  // The bystander: a publisher and a subscriber that stay connected throughout.
  const subject = `bystander.${nuid.next()}`;
  const bySub = await clientFor(t, srv);
  const byPub = await clientFor(t, srv);
  const statuses: string[] = [];
  for (const nc of [bySub, byPub]) {
    void (async () => {
      for await (const s of nc.status()) statuses.push(s.type);
    })();
  }
  const received: number[] = [];
  bySub.subscribe(subject, { callback: (_e, m) => void received.push(Number(m.string())) });
  bySub.subscribe(`${subject}.svc`, { callback: (_e, m) => void m.respond(m.data) });
  await bySub.flush();

  const stats: FuzzStats = { connections: 0, refused: 0, bytesOut: 0, bytesIn: 0 };
  const rss = () => rssBytes(srv.pid) ?? assert.fail(failed("the server process is gone"));
  const startRss = rss();
  let maxRss = startRss;
  const deadline = Date.now() + DURATION_MS;
  let sent = 0;
  let requests = 0;

  const bystander = (async () => {
    while (Date.now() < deadline) {
      for (let i = 0; i < 10; i++) byPub.publish(subject, String(sent++));
      if (sent % 200 === 0) {
        const r = await byPub.request(`${subject}.svc`, String(sent), { timeout: 10_000 });
        assert.equal(r.string(), String(sent));
        requests++;
      }
      await delay(5);
    }
  })();

  const monitor = (async () => {
    while (Date.now() < deadline) {
      assert.equal(srv.child.exitCode, null, failed("the server exited during the fuzz run"));
      maxRss = Math.max(maxRss, rss());
      assert.ok(maxRss < RSS_LIMIT_BYTES, failed(`server RSS ${maxRss} bytes passed ${RSS_LIMIT_BYTES}`));
      await delay(200);
    }
  })();

  const workers = Array.from({ length: WORKERS }, async () => {
    const own = rng.fork();
    while (Date.now() < deadline) await fuzzOnce(srv.port, own.fork(), stats);
  });
  await Promise.all([...workers, bystander, monitor]);

  console.log(
    `fuzz: ${stats.connections} connections (${stats.refused} refused), ${stats.bytesOut} bytes sent, ` +
      `${stats.bytesIn} received; bystander ${sent} messages, ${requests} requests; ` +
      `RSS ${(startRss / 1048576).toFixed(1)} -> max ${(maxRss / 1048576).toFixed(1)} MiB`,
  );

  assert.equal(srv.child.exitCode, null, failed("the server exited"));
  await within(settle(byPub, bySub), 10_000, "the bystanders to settle");
  assert.deepEqual(
    received,
    Array.from({ length: sent }, (_, i) => i),
    failed(`the bystander got ${received.length} of ${sent} messages, or out of order`),
  );
  assert.deepEqual(
    statuses.filter((s) => s === "disconnect" || s === "error"),
    [],
    failed("a bystander was disconnected or saw an error"),
  );
  assert.ok(stats.connections > WORKERS, failed(`only ${stats.connections} fuzz connections were made`));

  // A fresh, well-behaved client still gets service.
  const fresh = await RawClient.open(srv.port);
  t.after(() => fresh.destroy());
  fresh.send("SUB fresh.t 1\r\nPUB fresh.t 5\r\nhello\r\n");
  await fresh.sync();
  assert.deepEqual(
    fresh.messages().map((m) => `${m.line}|${m.payload.toString()}`),
    ["MSG fresh.t 1 5|hello"],
  );
  const nc = await clientFor(t, srv);
  const echo = nc.subscribe("fresh.nats", { max: 1 });
  nc.publish("fresh.nats", "works");
  for await (const m of echo) assert.equal(m.string(), "works");
  assert.ok(rss() < RSS_LIMIT_BYTES, failed("server RSS after the run"));
});
