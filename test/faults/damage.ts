/**
 * Damage done to a stopped server's files between restarts, as disks do it: bits flipped in place,
 * a file cut short. The choices (which bytes) come from the test's seeded generator, so a failure
 * replays from its seed. Both servers keep a stream's messages in `<store_dir>/jetstream/<account>/
 * streams/<stream>/msgs/<n>.blk`; the newest block is the one being written, where damage hurts most.
 */
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { prng } from "../store/helpers.js";

type Rng = ReturnType<typeof prng>;

/** The stream's message block with the highest number under a server's store directory. */
export function newestBlock(storeDir: string, stream: string): string | undefined {
  const jsDir = join(storeDir, "jetstream");
  let best: { file: string; n: number } | undefined;
  for (const account of safeList(jsDir)) {
    const msgs = join(jsDir, account, "streams", stream, "msgs");
    for (const f of safeList(msgs)) {
      const m = /^(\d+)\.blk$/.exec(f);
      if (m && (!best || Number(m[1]) > best.n)) best = { file: join(msgs, f), n: Number(m[1]) };
    }
  }
  return best?.file;
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Flips one bit in each of `count` bytes of the file's second half; returns what it did. */
export function flipBits(file: string, count: number, rng: Rng): string {
  const buf = readFileSync(file);
  if (buf.length < 2) return `${file}: too small to damage (${buf.length} bytes)`;
  const offsets: number[] = [];
  const half = Math.floor(buf.length / 2);
  for (let k = 0; k < count; k++) {
    const off = half + rng.int(buf.length - half);
    buf[off] = buf[off]! ^ (1 << rng.int(8));
    offsets.push(off);
  }
  writeFileSync(file, buf);
  return `${file}: flipped a bit at ${offsets.join(",")} of ${buf.length} bytes`;
}

/** Cuts the file to `fraction` of its length; returns what it did. */
export function truncateTo(file: string, fraction: number): string {
  const size = statSync(file).size;
  const keep = Math.floor(size * fraction);
  truncateSync(file, keep);
  return `${file}: truncated from ${size} to ${keep} bytes`;
}
