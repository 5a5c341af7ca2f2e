/**
 * Creating, updating and recovering consumers: nats-server's addConsumer rules (defaults, checks,
 * create/update actions, workqueue partitioning, limits), the choice of store, and the restart path
 * that rebuilds every consumer of a recovered stream from its directory.
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Server } from "../../server/server.js";
import { randomBase62 } from "../../util/base62.js";
import { nowNanos } from "../../util/nanos.js";
import {
  applyDefaults,
  checkConfig,
  configsEqual,
  filtersOf,
  filtersOverlap,
  isDurable,
  prune,
  updateRefusal,
  type ConsumerConfig,
  type ConsumerLimits,
  type StreamFacts,
} from "./config.js";
import { ConsumerState } from "./state.js";
import { FileConsumerStore, MemoryConsumerStore, type ConsumerStore } from "./store.js";
import { Consumer, type ConsumerHost } from "./consumer.js";
import type { StreamHandle } from "../contracts.js";
import { jsError } from "../errors.js";

/** Everything about a stream's surroundings that consumer creation needs. */
export interface ConsumerEnv extends ConsumerHost {
  /** `<stream dir>/obs` for file streams, undefined for memory streams. */
  readonly obsDir: string | undefined;
  readonly limits: ConsumerLimits;
  /** The account's max_consumers, -1 for none. */
  readonly accountMaxConsumers: number;
  /** sync_interval of the server (lazy sync), undefined for sync-before-ack. */
  readonly syncIntervalMs: number | undefined;
}

export type CreateAction = "create" | "update" | "";

/** What the consumer checks need from a stream's config. */
export function streamFacts(stream: StreamHandle): StreamFacts {
  const c = stream.config as Record<string, unknown>;
  const subjects = Array.isArray(c.subjects) ? (c.subjects as string[]) : [];
  return {
    subjects,
    retention: stream.config.retention,
    replicas: typeof c.num_replicas === "number" && c.num_replicas > 0 ? c.num_replicas : 1,
  };
}

/** CONSUMER.CREATE / DURABLE.CREATE after the subject checks: creates, or updates an existing one. */
export async function addConsumer(stream: StreamHandle, env: ConsumerEnv, requested: ConsumerConfig, action: CreateAction, pedantic: boolean): Promise<Consumer> {
  if (!stream.alive) throw jsError("JSStreamInvalidErr");
  let cfg = applyDefaults(requested, env.limits, pedantic);
  const facts = streamFacts(stream);
  checkConfig(cfg, facts, env.limits);
  const wq = facts.retention === "workqueue";
  let name = cfg.durable_name ?? cfg.name;
  if (name !== undefined) {
    const existing = stream.consumers.get(name);
    if (existing instanceof Consumer && !existing.isClosed) {
      if (action === "create" && !configsEqual(existing.config, withName(cfg, existing))) throw jsError("JSConsumerAlreadyExists");
      if (wq && !partitionUnique(stream, name, filtersOf(cfg))) throw jsError("JSConsumerWQConsumerNotUniqueErr");
      const next = withName(cfg, existing);
      const refusal = updateRefusal(existing.config, next, existing.isActive);
      if (refusal !== undefined) throw refusal;
      await existing.update(next);
      return existing;
    }
  }
  if (action === "update") throw jsError("JSConsumerDoesNotExist");
  const sc = stream.config as Record<string, unknown>;
  let max = typeof sc.max_consumers === "number" ? sc.max_consumers : 0;
  if (max <= 0 || (env.accountMaxConsumers > 0 && env.accountMaxConsumers < max)) max = env.accountMaxConsumers;
  if (max > 0 && stream.consumers.size >= max) throw jsError("JSMaximumConsumersLimitErr");
  if (wq && !cfg.direct) {
    if (cfg.ack_policy !== "explicit") throw jsError("JSConsumerWQRequiresExplicitAckErr");
    if (cfg.deliver_policy !== "all") throw jsError("JSConsumerWQConsumerNotDeliverAllErr");
    if (stream.consumers.size > 0) {
      const filters = filtersOf(cfg);
      if (filters.length === 0) throw jsError("JSConsumerWQMultipleUnfilteredErr");
      if (!partitionUnique(stream, name ?? "", filters)) throw jsError("JSConsumerWQConsumerNotUniqueErr");
    }
  }
  if (name === undefined) {
    do name = ephemeralName();
    while (stream.consumers.has(name));
    cfg = prune({ ...cfg, name });
  }
  const state = new ConsumerState();
  const created = nowNanos();
  let store: ConsumerStore;
  const persist = isDurable(cfg) && !cfg.mem_storage && env.obsDir !== undefined;
  if (persist) {
    try {
      store = await FileConsumerStore.create(join(env.obsDir!, name), { name, created, config: cfg }, state, storeOptions(env, stream, name));
    } catch (e) {
      throw jsError("JSConsumerStoreFailedErrF", { err: e instanceof Error ? e.message : String(e) });
    }
  } else {
    store = new MemoryConsumerStore();
  }
  if (!stream.alive || stream.consumers.has(name)) {
    await store.delete();
    throw stream.alive ? jsError("JSConsumerNameExistErr") : jsError("JSStreamInvalidErr");
  }
  const c = new Consumer(stream, name, cfg, created, store, env, state);
  c.selectStart();
  stream.consumers.set(name, c);
  c.begin();
  c.advisories.created();
  return c;
}

/** Keeps the generated name of a legacy ephemeral when the request did not repeat it. */
function withName(cfg: ConsumerConfig, existing: Consumer): ConsumerConfig {
  if (cfg.name === undefined && existing.config.name !== undefined && !isDurable(cfg)) return prune({ ...cfg, name: existing.config.name });
  return cfg;
}

/** Workqueue streams: no two consumers may see the same subject. */
function partitionUnique(stream: StreamHandle, name: string, filters: string[]): boolean {
  for (const [n, c] of stream.consumers) {
    if (n === name) continue;
    const other = filtersOf(c.config as ConsumerConfig);
    if (filtersOverlap(filters, other)) return false;
  }
  return true;
}

/** nats-server names legacy ephemerals with 8 random characters. */
function ephemeralName(): string {
  return randomBase62(8);
}

function storeOptions(env: ConsumerEnv, stream: StreamHandle, name: string): { syncIntervalMs?: number; onError: (e: unknown) => void } {
  const server: Server = env.server;
  return {
    ...(env.syncIntervalMs !== undefined ? { syncIntervalMs: env.syncIntervalMs } : {}),
    onError: (e) => server.logger.error(`JetStream consumer '${stream.account.name} > ${stream.name} > ${name}' state could not be written: ${e instanceof Error ? e.message : String(e)}`),
  };
}

/** After a restart: every consumer kept under `<stream dir>/obs`, with its state, serving again. */
export async function recoverConsumers(stream: StreamHandle, env: ConsumerEnv): Promise<Consumer[]> {
  const dir = env.obsDir;
  if (dir === undefined) return [];
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: Consumer[] = [];
  for (const entry of names.sort()) {
    const cdir = join(dir, entry);
    try {
      const meta = FileConsumerStore.readMeta(cdir);
      if (meta === undefined || stream.consumers.has(meta.name)) continue;
      const state = new ConsumerState();
      state.ackNone = meta.config.ack_policy === "none";
      const store = await FileConsumerStore.open(cdir, state, storeOptions(env, stream, meta.name));
      if (store.damagedCopy !== undefined) {
        env.server.logger.error(
          `JetStream consumer '${stream.account.name} > ${stream.name} > ${meta.name}' state log is damaged: resuming from the state before the damage (messages acknowledged after it may be delivered again); the damaged file is kept as ${store.damagedCopy}`,
        );
      }
      const c = new Consumer(stream, meta.name, meta.config, meta.created, store, env, state);
      c.reconcileWithStream();
      stream.consumers.set(meta.name, c);
      c.begin();
      out.push(c);
    } catch (e) {
      env.server.logger.warn(`JetStream: cannot recover consumer '${stream.account.name} > ${stream.name} > ${entry}': ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return out;
}
