/**
 * /jsz, and the JetStream figures /varz shows. Without a running JetStream the answer is nats-server's
 * `disabled` shape. With it, configuration comes from the options (dynamic limits resolved the way
 * nats-server resolves them) and usage from the JetStream layer (streams, consumers, messages, bytes,
 * API counters, account details).
 */
import { statfsSync } from "node:fs";
import { tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import type { Server } from "../server/server.js";
import { jetStreamOf } from "../jetstream/jetstream.js";
import { jszData, type JszData, type JszQuery, type JszStats } from "../jetstream/jsz.js";
import { json, type MonitorRequest, type Reply } from "./endpoint.js";
import { goNow } from "./format.js";
import { BadRequest, boolParam, intParam } from "./query.js";

export interface JetStreamConfigInfo {
  max_memory: number;
  max_storage: number;
  store_dir?: string;
  domain?: string;
}

/** nats-server's fallback when the disk cannot be asked: 1 TB. */
const DEFAULT_MAX_STORE = 1024 ** 4;

/**
 * The disk budget a `-1` store limit resolved to, per JetStream options (a reload makes new ones): read
 * once, as nats-server resolves it when JetStream starts, so that every endpoint shows the same figure.
 */
const diskBudgets = new WeakMap<object, number>();

/** JetStream's running configuration: `-1` limits become 75% of memory and of the store's free disk. */
export function jetStreamConfig(server: Server): JetStreamConfigInfo {
  const js = server.opts.jetstream;
  const storeDir = join(js.storeDir || join(tmpdir(), "nats"), "jetstream");
  let disk = diskBudgets.get(js);
  if (disk === undefined && js.maxStore < 0) diskBudgets.set(js, (disk = diskBudget(storeDir)));
  const cfg: JetStreamConfigInfo = {
    max_memory: js.maxMemory >= 0 ? js.maxMemory : Math.floor(totalmem() * 0.75),
    max_storage: js.maxStore >= 0 ? js.maxStore : disk!,
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

const EMPTY_STATS: JszStats = { memory: 0, storage: 0, reserved_memory: 0, reserved_storage: 0, accounts: 0, ha_assets: 0, api: { total: 0, errors: 0 } };

/** JetStream's usage totals for /varz, or undefined when it does not run. */
export function jetStreamStats(server: Server): JszStats | undefined {
  return jszData(server, { accounts: false, streams: false, consumers: false, config: false, offset: 0, limit: 0 })?.stats;
}

/** /jsz's options (nats-server's JSzOptions). */
export interface JszOptions extends JszQuery {
  leaderOnly: boolean;
}

export function jsz(req: MonitorRequest): Reply {
  req.count();
  const q = req.query;
  const [accounts, streams, consumers, config] = ["accounts", "streams", "consumers", "config"].map((n) => boolParam(q, n)) as [boolean, boolean, boolean, boolean];
  const offset = intParam(q, "offset");
  const limit = intParam(q, "limit");
  const leaderOnly = boolParam(q, "leader-only");
  boolParam(q, "raft");
  const acc = q.get("acc") ?? "";
  return json(jszInfo(req.server, { accounts, streams, consumers, config, leaderOnly, offset, limit, ...(acc !== "" && { account: acc }) }));
}

/** The /jsz answer; throws BadRequest where nats-server filters the answer out. */
export function jszInfo(server: Server, o: JszOptions): Record<string, unknown> {
  const head = { server_id: server.id, now: goNow() };
  const d = jszData(server, o);
  if (d === undefined) {
    // A server without JetStream is never the meta leader, so a leader-only request is filtered out.
    if (o.leaderOnly) throw new BadRequest("filtered response: not leader");
    return { ...head, disabled: true, config: { max_memory: 0, max_storage: 0 }, ...EMPTY_STATS, ...counts(undefined) };
  }
  if (o.leaderOnly && jetStreamOf(server)?.meta?.isLeader === false) throw new BadRequest("filtered response: not leader");
  return { ...head, config: jetStreamConfig(server), ...d.stats, ...counts(d), ...(d.meta_cluster && { meta_cluster: d.meta_cluster }), ...(d.account_details && { account_details: d.account_details }) };
}

/** One account's JetStream detail (`$SYS.REQ.ACCOUNT.<acc>.JSZ`); throws BadRequest without JetStream there. */
export function jszAccount(server: Server, account: string, o: JszOptions): Record<string, unknown> {
  const d = jszData(server, { ...o, account, offset: 0, limit: 0 });
  if (d === undefined) throw new BadRequest("jetstream not enabled");
  const detail = d.account_details?.[0];
  if (detail === undefined) throw new BadRequest(`account ${JSON.stringify(account)} not jetstream enabled`);
  return detail;
}

function counts(d: JszData | undefined): Pick<JszData, "streams" | "consumers" | "messages" | "bytes"> {
  return { streams: d?.streams ?? 0, consumers: d?.consumers ?? 0, messages: d?.messages ?? 0, bytes: d?.bytes ?? 0 };
}
