/**
 * JetStream test plumbing: a JetStream server (embedded in the test process, or a child process of
 * tsnats or nats-server) in a fresh store directory, a nats.js connection with jetstreamManager() and
 * jetstream(), and raw request helpers for the $JS.API JSON the client hides.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { connect, headers as natsHeaders, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { startServer, type RunningServer, type StartOptions as EmbeddedOptions } from "../../src/index.js";
import { startServerProcess, type Impl, type ServerProcess } from "../helpers/server-process.js";

type After = Pick<TestContext, "after">;

export interface JsEnv {
  url: string;
  dir: string;
  nc: NatsConnection;
  jsm: JetStreamManager;
  js: JetStreamClient;
  /** Set for embedded servers. */
  server?: RunningServer;
  /** Set for child processes. */
  proc?: ServerProcess;
}

export function tempDir(t: After, prefix = "tsnats-js-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An embedded tsnats with JetStream in a fresh directory (or `dir`), closed when the test ends. */
export async function embeddedJs(t: After, opts: { dir?: string; jetstream?: EmbeddedOptions["jetstream"]; server?: Omit<EmbeddedOptions, "jetstream"> } = {}): Promise<JsEnv> {
  const dir = opts.dir ?? tempDir(t);
  const server = await startServer({ ...opts.server, jetstream: { enabled: true, storeDir: dir, ...opts.jetstream } });
  t.after(() => server.close());
  const env = await connectJs(t, server.url, dir);
  env.server = server;
  return env;
}

/** A child process (tsnats or nats-server) with `-js -sd <dir>`, killed when the test ends. */
export async function processJs(t: After, impl: Impl, opts: { dir?: string; args?: string[]; port?: number } = {}): Promise<JsEnv> {
  const dir = opts.dir ?? tempDir(t);
  const proc = await startServerProcess({ impl, args: ["-js", "-sd", dir, ...(opts.args ?? [])], port: opts.port });
  t.after(() => proc.stop("SIGKILL"));
  const env = await connectJs(t, proc.url, dir);
  env.proc = proc;
  return env;
}

export async function connectJs(t: After, url: string, dir: string): Promise<JsEnv> {
  const nc = await connect({ servers: url, reconnect: false });
  t.after(() => nc.close().catch(() => undefined));
  const jsm = await jetstreamManager(nc);
  return { url, dir, nc, jsm, js: jetstream(nc), server: undefined, proc: undefined };
}

/** A request with a JSON (or raw string) body; the reply message. */
export async function rawRequest(nc: NatsConnection, subject: string, body: unknown = "", hdrs?: Record<string, string>, timeout = 2000): Promise<Msg> {
  const payload = typeof body === "string" ? body : JSON.stringify(body);
  let h;
  if (hdrs !== undefined) {
    h = natsHeaders();
    for (const [k, v] of Object.entries(hdrs)) h.set(k, v);
  }
  return nc.request(subject, payload, { timeout, headers: h });
}

/** A request whose reply is JSON: the parsed reply. */
export async function api(nc: NatsConnection, subject: string, body: unknown = "", hdrs?: Record<string, string>): Promise<Record<string, any>> {
  const m = await rawRequest(nc, subject, body, hdrs);
  return JSON.parse(m.string()) as Record<string, any>;
}

/** The reply text of a request (exact bytes, for byte-level comparisons). */
export async function apiText(nc: NatsConnection, subject: string, body: unknown = "", hdrs?: Record<string, string>): Promise<string> {
  return (await rawRequest(nc, subject, body, hdrs)).string();
}

/** Waits until `cond` holds (polling), failing after `ms`. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
