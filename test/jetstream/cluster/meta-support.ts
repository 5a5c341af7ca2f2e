/**
 * Clustered JetStream test plumbing: startCluster(n) with JetStream in a fresh directory, connections
 * per server, raw $JS.API requests, and the meta group of each server.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startCluster, type RunningCluster, type StartOptions } from "../../../src/index.js";
import { jetStreamOf } from "../../../src/jetstream/jetstream.js";
import type { MetaGroup } from "../../../src/jetstream/cluster/meta-group.js";
import type { RunningServer } from "../../../src/index.js";

type After = Pick<TestContext, "after">;

export interface JsCluster {
  cluster: RunningCluster;
  dir: string;
  /** One connection per server, in server order. */
  ncs: NatsConnection[];
}

export async function jsCluster(t: After, n = 3, opts: StartOptions = {}): Promise<JsCluster> {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-jsc-"));
  const cluster = await startCluster(n, { ...opts, jetstream: { enabled: true, storeDir: dir, ...opts.jetstream } });
  const ncs: NatsConnection[] = [];
  t.after(async () => {
    for (const nc of ncs) await nc.close().catch(() => undefined);
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  });
  for (const s of cluster.servers) ncs.push(await connect({ servers: s.url }));
  return { cluster, dir, ncs };
}

export function metaOf(s: RunningServer): MetaGroup {
  const m = jetStreamOf(s.server)?.meta;
  if (m === undefined) throw new Error(`${s.server.name} runs no meta group`);
  return m;
}

export function metaLeader(c: JsCluster): RunningServer | undefined {
  return c.cluster.servers.find((s) => jetStreamOf(s.server)?.meta?.isLeader === true);
}

/** A raw $JS.API request; the parsed answer. */
export async function api(nc: NatsConnection, subject: string, body?: unknown, timeout = 5000): Promise<Record<string, unknown>> {
  const m = await nc.request(`$JS.API.${subject}`, body === undefined ? "" : JSON.stringify(body), { timeout });
  return JSON.parse(m.string()) as Record<string, unknown>;
}

/** Every answer that arrives within `ms` for one request (exactly one server must answer). */
export async function answers(nc: NatsConnection, subject: string, body?: unknown, ms = 700): Promise<Record<string, unknown>[]> {
  const inbox = `_INBOX.${Math.random().toString(36).slice(2)}`;
  const got: Record<string, unknown>[] = [];
  const sub = nc.subscribe(inbox, { callback: (_e, m) => void got.push(JSON.parse(m.string()) as Record<string, unknown>) });
  await nc.flush();
  nc.publish(`$JS.API.${subject}`, body === undefined ? "" : JSON.stringify(body), { reply: inbox });
  await new Promise((r) => setTimeout(r, ms));
  sub.unsubscribe();
  return got;
}

export async function waitUntil(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
