/** Shared helpers for the store tests: store factories, temp dirs, a seeded PRNG. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryStore, openFileStore, type FileStoreOptions, type StoreOptions, type StreamStore, type StoreReport } from "../../src/store/index.js";

export interface StoreKit {
  kind: "memory" | "file";
  /** A new, empty store. */
  create(opts?: StoreOptions & Partial<FileStoreOptions>): Promise<StreamStore>;
  /** Closes and opens the same store again (the memory store has nothing to reopen and returns it). */
  reopen(store: StreamStore, opts?: StoreOptions & Partial<FileStoreOptions>): Promise<StreamStore>;
  cleanup(): Promise<void>;
}

export function tempDir(prefix = "tsnats-store-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function memoryKit(): StoreKit {
  const stores: StreamStore[] = [];
  return {
    kind: "memory",
    async create(opts) {
      const s = new MemoryStore(opts);
      stores.push(s);
      return s;
    },
    async reopen(store) {
      return store;
    },
    async cleanup() {
      for (const s of stores) await s.stop();
    },
  };
}

export function fileKit(defaults: Partial<FileStoreOptions> = {}): StoreKit {
  const root = tempDir();
  const open: StreamStore[] = [];
  const dirs = new Map<StreamStore, string>();
  let n = 0;
  const openAt = async (dir: string, opts: Partial<FileStoreOptions> = {}): Promise<StreamStore> => {
    const s = await openFileStore({ report: () => undefined, ...defaults, ...opts, dir });
    open.push(s);
    dirs.set(s, dir);
    return s;
  };
  return {
    kind: "file",
    create(opts) {
      return openAt(join(root, `s${++n}`), opts);
    },
    async reopen(store, opts) {
      const dir = dirs.get(store)!;
      await store.stop();
      return openAt(dir, opts);
    },
    async cleanup() {
      for (const s of open) await s.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Collects reports of a file store. */
export function reportSink(): { reports: StoreReport[]; report: (r: StoreReport) => void } {
  const reports: StoreReport[] = [];
  return { reports, report: (r) => reports.push(r) };
}

/** mulberry32: a small, fast, seedable PRNG (no dependency). */
export function prng(seed: number): { next(): number; int(n: number): number; pick<T>(a: readonly T[]): T; chance(p: number): boolean } {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (arr) => arr[Math.floor(next() * arr.length)]!,
    chance: (p) => next() < p,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until cond() holds or the timeout passes; returns whether it held. */
export async function waitFor(cond: () => boolean, timeoutMs = 3000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (cond()) return true;
    await sleep(10);
  }
  return cond();
}

export const buf = (s: string): Buffer => Buffer.from(s);
