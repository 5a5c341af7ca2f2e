/**
 * Shared plumbing for end-to-end tests: which server binary runs (TSNATS_TEST_IMPL), servers and nats.js
 * connections that clean themselves up when a test ends, and waits that fail instead of hanging.
 */
import { spawnSync } from "node:child_process";
import type { TestContext } from "node:test";
import { connect, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import {
  NATS_SERVER_BIN,
  TSNATS_BIN,
  startServerProcess,
  type Impl,
  type ServerProcess,
  type StartOptions,
} from "../helpers/server-process.js";

/** The implementation under test: tsnats unless TSNATS_TEST_IMPL=nats-server. */
export const IMPL: Impl = implFromEnv();

function implFromEnv(): Impl {
  const v = process.env.TSNATS_TEST_IMPL ?? "tsnats";
  if (v !== "tsnats" && v !== "nats-server") {
    throw new Error(`TSNATS_TEST_IMPL must be "tsnats" or "nats-server", not ${JSON.stringify(v)}`);
  }
  return v;
}

export const SERVER_BIN = IMPL === "tsnats" ? TSNATS_BIN : NATS_SERVER_BIN;

/** Starts the server under test; it is killed when the test (or suite, for `after`) ends. */
export async function serverFor(
  t: Pick<TestContext, "after">,
  opts: Omit<StartOptions, "impl"> = {},
): Promise<ServerProcess> {
  const srv = await startServerProcess({ impl: IMPL, ...opts });
  t.after(() => srv.stop("SIGKILL"));
  return srv;
}

/**
 * Cleanups for things a suite's `before` hook creates: pass it where a TestContext's `after` is expected
 * and call `run` from the suite's own `after` hook (newest first, like stacked `t.after`s).
 */
export function suiteCleanup(): { after(fn: () => unknown): void; run(): Promise<void> } {
  const fns: (() => unknown)[] = [];
  return {
    after: (fn) => void fns.push(fn),
    async run() {
      for (const fn of fns.reverse()) await fn();
    },
  };
}

/** A nats.js connection to `srv` that is closed when the test ends. */
export async function clientFor(
  t: Pick<TestContext, "after">,
  srv: ServerProcess,
  opts: NodeConnectionOptions = {},
): Promise<NatsConnection> {
  const nc = await connect({ servers: srv.url, reconnect: false, ...opts });
  t.after(() => nc.close());
  return nc;
}

/**
 * Makes sure every message published on `pub` before this call has been handed to `sub`'s callbacks:
 * the PONG to pub's PING means the server routed pub's messages; the PONG to sub's PING comes after them.
 */
export async function settle(pub: NatsConnection, ...subs: NatsConnection[]): Promise<void> {
  await pub.flush();
  for (const s of subs) await s.flush();
}

/** Resolves with `p`, or rejects naming `what` after `ms`. */
export async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `cond` every 10 ms; rejects naming `what` after `ms`. */
export async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(10);
  }
}

/** Calls `probe` every 100 ms until it yields a value; rejects naming `what` after `ms`. */
export async function eventually<T>(probe: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(100);
  }
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export type Version = readonly [number, number, number];

/** Runs `<bin> -v` and returns its whole stdout and the version it names (null when it names none). */
export function reportedVersion(): { stdout: string; version: Version | null; status: number | null } {
  const r = spawnSync(SERVER_BIN, ["-v"], { encoding: "utf8", timeout: 10_000 });
  const m = /^nats-server: v(\d+)\.(\d+)\.(\d+)/.exec(r.stdout ?? "");
  const version: Version | null = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
  return { stdout: r.stdout ?? "", version, status: r.status };
}

export function versionAtLeast(v: Version, min: Version): boolean {
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i]! > min[i]!;
  return true;
}
