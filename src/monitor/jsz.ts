/**
 * /jsz, and the JetStream figures /varz shows. With JetStream off the answer is nats-server's
 * `disabled` shape. With it on, configuration comes from the options (dynamic limits resolved the way
 * nats-server resolves them) and usage is zero until the JetStream layer reports its own
 * (streams, consumers, messages, bytes, API counters, account details).
 */
import { statfsSync } from "node:fs";
import { tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import type { Server } from "../server/server.js";
import { jszData } from "../jetstream/jsz.js";
import { json, type MonitorRequest, type Reply } from "./endpoint.js";
import { goNow } from "./format.js";
import { BadRequest, boolParam, intParam } from "./query.js";

export interface JetStreamConfigInfo {
  max_memory: number;
  max_storage: number;
  store_dir?: string;
  domain?: string;
}

export interface JetStreamStatsInfo {
  memory: number;
  storage: number;
  reserved_memory: number;
  reserved_storage: number;
  accounts: number;
  ha_assets: number;
  api: { total: number; errors: number };
}

/** nats-server's fallback when the disk cannot be asked: 1 TB. */
const DEFAULT_MAX_STORE = 1024 ** 4;

/** JetStream's running configuration: `-1` limits become 75% of memory and of the store's free disk. */
export function jetStreamConfig(server: Server): JetStreamConfigInfo {
  const js = server.opts.jetstream;
  const storeDir = join(js.storeDir || join(tmpdir(), "nats"), "jetstream");
  const cfg: JetStreamConfigInfo = {
    max_memory: js.maxMemory >= 0 ? js.maxMemory : Math.floor(totalmem() * 0.75),
    max_storage: js.maxStore >= 0 ? js.maxStore : diskBudget(storeDir),
    store_dir: storeDir,
  };
  if (js.domain) cfg.domain = js.domain;
  return cfg;
}

/** 75% of the space available on the file system that holds `dir` (or would, once created). */
function diskBudget(dir: string): number {
  for (let d = dir; ; d = dirname(d)) {
    try {
      const s = statfsSync(d);
      return Math.floor(s.bavail * s.bsize * 0.75);
    } catch {
      if (dirname(d) === d) return DEFAULT_MAX_STORE;
    }
  }
}

/** What JetStream holds and has served. */
export interface JetStreamUsage {
  stats: JetStreamStatsInfo;
  streams: number;
  consumers: number;
  messages: number;
  bytes: number;
}

function emptyUsage(accounts: number): JetStreamUsage {
  const stats = { memory: 0, storage: 0, reserved_memory: 0, reserved_storage: 0, accounts, ha_assets: 0, api: { total: 0, errors: 0 } };
  return { stats, streams: 0, consumers: 0, messages: 0, bytes: 0 };
}

/** Usage as the JetStream layer will report it; until it does, an empty store in the global account. */
export function jetStreamUsage(server: Server): JetStreamUsage {
  return jszData(server, { accounts: false, streams: false, consumers: false, config: false, offset: 0, limit: 0 }) ?? emptyUsage(1);
}

export function jsz(req: MonitorRequest): Reply {
  req.count();
  const q = req.query;
  for (const name of ["accounts", "streams", "consumers", "config"]) boolParam(q, name);
  intParam(q, "offset");
  intParam(q, "limit");
  const leaderOnly = boolParam(q, "leader-only");
  boolParam(q, "raft");
  const server = req.server;
  const head = { server_id: server.id, now: goNow() };
  if (!server.jetStreamEnabled) {
    // A server without JetStream is never the meta leader, so a leader-only request is filtered out.
    if (leaderOnly) throw new BadRequest("filtered response: not leader");
    const u = emptyUsage(0);
    return json({ ...head, disabled: true, config: { max_memory: 0, max_storage: 0 }, ...u.stats, ...counts(u) });
  }
  const [accounts, streams, consumers, config] = ["accounts", "streams", "consumers", "config"].map((n) => boolParam(q, n));
  const acc = q.get("acc") ?? undefined;
  const d = jszData(server, { accounts: accounts!, streams: streams!, consumers: consumers!, config: config!, account: acc, offset: intParam(q, "offset"), limit: intParam(q, "limit") });
  const u = d ?? jetStreamUsage(server);
  return json({ ...head, config: jetStreamConfig(server), ...u.stats, ...counts(u), ...(d?.account_details && { account_details: d.account_details }) });
}

function counts(u: JetStreamUsage): Pick<JetStreamUsage, "streams" | "consumers" | "messages" | "bytes"> {
  return { streams: u.streams, consumers: u.consumers, messages: u.messages, bytes: u.bytes };
}
