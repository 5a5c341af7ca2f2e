/**
 * What /jsz shows of JetStream, in nats-server's field names and order: usage totals and, on request,
 * per-account details with their streams (config, state) and consumers. The monitor layer adds the
 * envelope (server_id, now, config) and parses the query.
 */
import type { Server } from "../server/server.js";
import { nanosToRfc3339 } from "../util/nanos.js";
import { jetStreamOf } from "./jetstream.js";
import type { JsAccount } from "./js-account.js";
import { streamConfigJson } from "./stream/config.js";
import { streamStateJson } from "./stream/info.js";
import { metaClusterJson } from "./cluster/cluster-monitoring.js";

export interface JszQuery {
  accounts: boolean;
  streams: boolean;
  consumers: boolean;
  config: boolean;
  /** Only this account (`acc=`). */
  account?: string;
  offset: number;
  /** 0 = no limit. */
  limit: number;
}

export interface JszStats {
  memory: number;
  storage: number;
  reserved_memory: number;
  reserved_storage: number;
  accounts: number;
  ha_assets: number;
  api: { total: number; errors: number };
}

export interface JszData {
  stats: JszStats;
  streams: number;
  consumers: number;
  messages: number;
  bytes: number;
  /** Clustered JetStream: the meta group as this server sees it. */
  meta_cluster?: Record<string, unknown>;
  /** Present when accounts, streams or an account were asked for. */
  account_details?: Record<string, unknown>[];
}

/** The /jsz figures of `server`, or undefined when it runs no JetStream. */
export function jszData(server: Server, q: JszQuery): JszData | undefined {
  const js = jetStreamOf(server);
  if (js === undefined) return undefined;
  const enabled = [...js.accounts.values()].filter((a) => a.enabled);
  const d: JszData = {
    stats: { memory: 0, storage: 0, reserved_memory: 0, reserved_storage: 0, accounts: enabled.length, ha_assets: 0, api: { total: js.apiStats.total, errors: js.apiStats.errors } },
    streams: 0,
    consumers: 0,
    messages: 0,
    bytes: 0,
  };
  for (const jsa of enabled) {
    const u = jsa.usage();
    d.stats.memory += u.memory;
    d.stats.storage += u.storage;
    d.stats.reserved_memory += u.reservedMemory;
    d.stats.reserved_storage += u.reservedStorage;
    d.streams += u.streams;
    d.consumers += u.consumers;
    d.messages += u.messages;
    d.bytes += u.bytes;
  }
  if (js.meta !== undefined) {
    // nats-server counts the meta group and every replicated stream's group as HA assets.
    d.stats.ha_assets = 1 + js.meta.applier.replicas.size;
    d.meta_cluster = metaClusterJson(js.meta);
  }
  if (q.accounts || q.streams || q.consumers || q.account !== undefined) {
    let list = enabled.filter((a) => q.account === undefined || a.account.name === q.account);
    list = list.sort((a, b) => (a.account.name < b.account.name ? -1 : 1));
    const page = q.limit > 0 ? list.slice(q.offset, q.offset + q.limit) : list.slice(q.offset);
    d.account_details = page.map((jsa) => accountDetail(server, jsa, q));
  }
  return d;
}

function accountDetail(server: Server, jsa: JsAccount, q: JszQuery): Record<string, unknown> {
  const u = jsa.usage();
  const o: Record<string, unknown> = {
    name: jsa.account.name,
    id: jsa.account.name,
    memory: u.memory,
    storage: u.storage,
    reserved_memory: u.reservedMemory,
    reserved_storage: u.reservedStorage,
    accounts: 0,
    ha_assets: 0,
    api: { total: jsa.apiStats.total, errors: jsa.apiStats.errors },
  };
  if (q.streams || q.consumers) {
    const streams = [...jsa.streams.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    if (streams.length > 0) {
      o.stream_detail = streams.map((s) => {
        const cluster = jetStreamOf(server)?.meta?.applier.clusterInfo(jsa, s.name) ?? { leader: server.name };
        const sd: Record<string, unknown> = { name: s.name, created: nanosToRfc3339(s.created), cluster };
        if (q.config) sd.config = streamConfigJson(s.cfg);
        sd.state = streamStateJson(s);
        if (q.consumers && s.consumers.size > 0) {
          sd.consumer_detail = [...s.consumers.values()].map((c) => {
            const info = (c as { info?: () => Record<string, unknown> }).info;
            const ci = typeof info === "function" ? info.call(c) : { stream_name: s.name, name: c.name, config: c.config };
            if (!q.config) delete ci["config"];
            return ci;
          });
        }
        return sd;
      });
    }
  }
  return o;
}
