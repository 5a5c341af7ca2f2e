/**
 * Measures the file store on this disk (a script, not a test; numbers vary with the machine):
 *   - the latency of one small write + fdatasync (what a non-batched store pays per message);
 *   - appends/s with group commit: 128-byte payloads, 256 appends waiting for sync() at any time
 *     (like an async JetStream publisher with 256 acks in flight);
 *   - the same in sync_interval mode and for the memory store, for reference;
 *   - reopening (recovery) time for the store written by the group-commit run.
 *
 * usage: node dist/test/store/bench/append-bench.js [seconds per run, default 5]
 */
import fs from "node:fs";
import { join } from "node:path";
import { MemoryStore, openFileStore, type StreamStore } from "../../../src/store/index.js";
import { tempDir } from "../helpers.js";

const SECONDS = Number(process.argv[2] ?? 5);
const PAYLOAD = Buffer.alloc(128, 0x61);
const IN_FLIGHT = 256;

function fdatasyncLatency(dir: string, samples: number): { p50: number; p90: number; mean: number } {
  const fd = fs.openSync(join(dir, "latency.bin"), "w");
  const rec = Buffer.alloc(190, 1);
  const us: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = process.hrtime.bigint();
    fs.writeSync(fd, rec, 0, rec.length, i * rec.length);
    fs.fdatasyncSync(fd);
    us.push(Number(process.hrtime.bigint() - t) / 1e3);
  }
  fs.closeSync(fd);
  const mean = us.reduce((a, b) => a + b, 0) / us.length;
  us.sort((a, b) => a - b);
  return { p50: us[Math.floor(samples / 2)]!, p90: us[Math.floor(samples * 0.9)]!, mean };
}

/**
 * Keeps IN_FLIGHT appends waiting for sync() and counts the acknowledged ones for `seconds`. Like a
 * publisher that reads a burst of acks and answers with as many publishes, refills happen once per
 * burst (after the acks of one sync are all handled).
 */
async function pump(store: StreamStore, seconds: number): Promise<{ acks: number; perSec: number }> {
  let acks = 0;
  let inFlight = 0;
  let refill = false;
  const until = Date.now() + seconds * 1000;
  return new Promise((resolve, reject) => {
    const fill = (): void => {
      refill = false;
      if (Date.now() >= until) {
        if (inFlight === 0) resolve({ acks, perSec: acks / seconds });
        return;
      }
      while (inFlight < IN_FLIGHT) {
        store.storeMsg("bench.subject", undefined, PAYLOAD);
        inFlight++;
        store.sync().then(() => {
          inFlight--;
          acks++;
          if (!refill) {
            refill = true;
            queueMicrotask(fill);
          }
        }, reject);
      }
    };
    fill();
  });
}

/** Counts and times fdatasync calls made through node:fs (the store's group commit uses them). */
function countSyncs(): { count: number; totalUs: number; stop(): void } {
  const real = fs.fdatasync;
  const stats = {
    count: 0,
    totalUs: 0,
    stop: () => {
      fs.fdatasync = real;
    },
  };
  fs.fdatasync = ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    const t = process.hrtime.bigint();
    stats.count++;
    real(fd, (err) => {
      stats.totalUs += Number(process.hrtime.bigint() - t) / 1e3;
      cb(err);
    });
  }) as typeof fs.fdatasync;
  return stats;
}

const dir = tempDir("tsnats-bench-");
try {
  const lat = fdatasyncLatency(dir, 300);
  console.log(`write(190 B) + fdatasync: p50 ${lat.p50.toFixed(0)} us, p90 ${lat.p90.toFixed(0)} us, mean ${lat.mean.toFixed(0)} us (=> ${(1e6 / lat.mean).toFixed(0)} syncs/s)`);

  const strictDir = join(dir, "strict");
  const strict = await openFileStore({ dir: strictDir });
  const syncs = countSyncs();
  const g = await pump(strict, SECONDS);
  syncs.stop();
  console.log(
    `file store, fdatasync before ack (group commit), 128 B, ${IN_FLIGHT} in flight: ${g.perSec.toFixed(0)} msgs/s` +
      ` (${syncs.count} fdatasyncs, ${(g.acks / syncs.count).toFixed(0)} msgs and ${(syncs.totalUs / syncs.count).toFixed(0)} us each)`,
  );
  const st = strict.state();
  await strict.stop();
  const t = process.hrtime.bigint();
  const reopened = await openFileStore({ dir: strictDir });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  console.log(`reopen (recovery) of ${st.msgs} messages, ${(st.bytes / 1e6).toFixed(0)} MB: ${ms.toFixed(0)} ms`);
  await reopened.delete();

  const lazy = await openFileStore({ dir: join(dir, "lazy"), syncIntervalMs: 120_000 });
  const l = await pump(lazy, SECONDS);
  console.log(`file store, sync_interval (ack before sync), 128 B: ${l.perSec.toFixed(0)} msgs/s`);
  await lazy.delete();

  const mem = new MemoryStore();
  const m = await pump(mem, SECONDS);
  console.log(`memory store, 128 B: ${m.perSec.toFixed(0)} msgs/s`);
  await mem.stop();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
