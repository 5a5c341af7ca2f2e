/**
 * Shared plumbing for the consumer, KV and object store tests: a JetStream server (tsnats, or the
 * reference with TSNATS_TEST_IMPL=nats-server) on a fresh store directory, nats.js clients, raw API
 * requests and waits that fail instead of hanging.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { Msg, NatsConnection } from "@nats-io/transport-node";
import { clientFor, serverFor } from "../e2e/support.js";
import type { ServerProcess } from "../helpers/server-process.js";

export { IMPL } from "../e2e/support.js";

export interface JsEnv {
  srv: ServerProcess;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  storeDir: string;
}

type After = Pick<TestContext, "after">;

/** A JetStream server on a fresh store directory (or `storeDir`, to restart on the same data). */
export async function jsServer(t: After, opts: { storeDir?: string; port?: number; args?: string[] } = {}): Promise<{ srv: ServerProcess; storeDir: string }> {
  const storeDir = opts.storeDir ?? mkdtempSync(join(tmpdir(), "tsnats-js-"));
  const srv = await serverFor(t, { args: ["-js", "-sd", storeDir, ...(opts.args ?? [])], ...(opts.port !== undefined ? { port: opts.port } : {}) });
  return { srv, storeDir };
}

export async function jsEnv(t: After, opts: { storeDir?: string; port?: number; args?: string[] } = {}): Promise<JsEnv> {
  const { srv, storeDir } = await jsServer(t, opts);
  const nc = await clientFor(t, srv);
  const jsm = await jetstreamManager(nc);
  return { srv, nc, js: jetstream(nc), jsm, storeDir };
}

/** A raw $JS.API request: the parsed JSON answer. */
export async function api(nc: NatsConnection, subject: string, body?: unknown): Promise<Record<string, any>> {
  const payload = body === undefined ? "" : typeof body === "string" ? body : JSON.stringify(body);
  const m = await nc.request(`$JS.API.${subject}`, payload, { timeout: 5000 });
  return JSON.parse(m.string()) as Record<string, any>;
}

export { within } from "../e2e/support.js";

/** Polls `fn` until it returns true (or a truthy value), failing after `ms`. */
export async function until<T>(fn: () => Promise<T> | T, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Every message on `subject` from now on, kept in arrival order. */
export function record(nc: NatsConnection, subject: string, opts: { queue?: string } = {}): { msgs: Msg[]; stop(): void } {
  const msgs: Msg[] = [];
  const sub = nc.subscribe(subject, { ...opts, callback: (_e, m) => void msgs.push(m) });
  return { msgs, stop: () => sub.unsubscribe() };
}

/** The status line parts of a status message: [code, description]. */
export function status(m: Msg): [number, string] {
  const h = m.headers;
  return [h?.code ?? 0, h?.description ?? ""];
}

/** Publishes `n` messages `subject`.0.. through JetStream and waits for every PubAck. */
export async function fill(js: JetStreamClient, subject: (i: number) => string, n: number, body: (i: number) => string = (i) => `m${i}`): Promise<void> {
  const acks = [];
  for (let i = 0; i < n; i++) acks.push(js.publish(subject(i), body(i)));
  await Promise.all(acks);
}

export const NS = 1_000_000;
