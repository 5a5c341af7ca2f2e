/**
 * JetStream for one server: the store directory, the server-wide limits, the API router, and one
 * JsAccount per account. Started by index.ts when the options enable it; stopped by the server's
 * shutdown hook (every store flushed and closed).
 *
 * Clustered (JetStream on and a `cluster` block with a port): the meta group (cluster/meta-group.ts)
 * decides which streams exist where, and cluster/cluster-api.ts which server answers each API call.
 * Replicated streams are not recovered from disk here but reopened from their assignments.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { JetStreamOptions } from "../config/options.js";
import type { Account } from "../server/account.js";
import type { Server } from "../server/server.js";
import { BlockCache, DEFAULT_CACHE_BYTES } from "../store/index.js";
import { registerConsumerRoutes } from "./api/consumer-routes.js";
import { ApiRouter } from "./api/router.js";
import { DirectGetSubs } from "./cluster/direct-get-subs.js";
import { registerStreamRoutes } from "./api/stream-routes.js";
import type { JetStreamConfig } from "./js-config.js";
import { JsAccount, type ApiStats, type JetStreamHost } from "./js-account.js";
import { UNLIMITED, limitsFromConfig, limitsFromJwt, type JsAccountLimits } from "./limits.js";
import { recoverStreams } from "./stream/manager.js";
import type { Stream } from "./stream/stream.js";
import { raftNodeId } from "../raft/node-id.js";
import type { Options } from "../config/options.js";
import { ClusterDispatcher } from "./cluster/cluster-api.js";
import { registerMetaApi } from "./cluster/meta-api.js";
import { MetaGroup } from "./cluster/meta-group.js";
import { replicaLeaderAdvisories } from "./cluster/cluster-advisories.js";
import type { StreamReplica } from "./cluster/stream-replica.js";
import { openStreamReplica } from "./cluster/stream-group.js";
import type { ApiDispatcher } from "./js-account.js";

const instances = new WeakMap<Server, JetStream>();

/** The JetStream of a server, when it runs one. */
export function jetStreamOf(server: Server): JetStream | undefined {
  return instances.get(server);
}

export class JetStream implements JetStreamHost {
  readonly router = new ApiRouter();
  readonly accounts = new Map<Account, JsAccount>();
  readonly apiStats: ApiStats = { total: 0, errors: 0, inflight: 0 };
  private stopping: Promise<void> | undefined;
  readonly clustered: boolean;
  readonly dispatcher: ApiDispatcher;
  /** The meta group, when clustered. */
  readonly meta: MetaGroup | undefined;
  /** Clustered: each account's DIRECT.GET queue subscriptions. */
  private readonly directGets = new Map<JsAccount, DirectGetSubs>();

  private constructor(
    readonly server: Server,
    readonly config: JetStreamConfig,
  ) {
    registerStreamRoutes(this.router);
    registerConsumerRoutes(this.router);
    this.clustered = isClustered(server.opts);
    if (!this.clustered) {
      this.dispatcher = this.router;
      this.meta = undefined;
      return;
    }
    const opts = server.opts;
    const meta = new MetaGroup({
      server,
      selfId: raftNodeId(server.name),
      clusterName: opts.cluster?.name ?? "",
      storeDir: config.storeDir,
      tags: opts.serverTags,
      openReplica: openStreamReplica,
      jsAccount: (name) => {
        const acc = server.accounts.get(name);
        return acc === undefined ? undefined : this.accounts.get(acc);
      },
      replicaLeaderChanged: replicaLeaderAdvisories,
    });
    const dispatcher = new ClusterDispatcher(this.router, meta);
    registerMetaApi(dispatcher.metaRouter, meta, { ...(opts.jetstream.uniqueTag && { uniqueTag: opts.jetstream.uniqueTag }) });
    this.meta = meta;
    this.dispatcher = dispatcher;
  }

  get storeDir(): string {
    return this.config.storeDir;
  }

  get domain(): string | undefined {
    return this.config.domain;
  }

  /**
   * Starts JetStream on `server`: recovers every stream found on disk and serves $JS.API in the global
   * account (and in the accounts the server already has).
   */
  static async start(server: Server, opts: JetStreamOptions): Promise<JetStream> {
    const config: JetStreamConfig = {
      storeDir: join(opts.storeDir, "jetstream"),
      maxMemory: opts.maxMemory,
      maxStore: opts.maxStore,
      domain: opts.domain || undefined,
      syncIntervalMs: opts.syncIntervalMs,
      syncAlways: opts.syncAlways === true,
      blockCache: new BlockCache(opts.storeCacheBytes ?? DEFAULT_CACHE_BYTES),
    };
    await mkdir(config.storeDir, { recursive: true });
    const js = new JetStream(server, config);
    instances.set(server, js);
    for (const acc of server.accounts.accounts.values()) await js.enableAccount(acc, configuredLimits(server, acc));
    // Accounts made later (operator mode, on first use) get JetStream as they appear.
    const registry = server.accounts;
    const previous = registry.onCreate;
    registry.onCreate = (a) => {
      previous?.(a);
      void js.enableAccount(a, configuredLimits(server, a));
    };
    // An account JWT (on first use, or updated) brings its JetStream limits.
    registry.onClaims = (a) => void js.enableAccount(a, configuredLimits(server, a));
    js.meta?.start();
    server.jetStreamEnabled = true;
    server.rebuildInfo();
    server.onShutdownStart(() => js.meta?.leave());
    server.onShutdown(() => js.stop());
    const where = config.storeDir;
    server.logger.info(`Starting JetStream`);
    server.logger.info(`  Store Directory: "${where}"`);
    if (config.domain) server.logger.info(`  Domain:          ${config.domain}`);
    server.logger.info(`  Store cache:     ${Math.round(config.blockCache.budget / 1048576)} MiB for loaded blocks`);
    server.logger.info(`  Sync:            ${config.syncIntervalMs !== undefined && !config.syncAlways ? `every ${config.syncIntervalMs}ms (acks before sync)` : "fdatasync before every ack (group commit)"}`);
    return js;
  }

  /**
   * Serves JetStream in `account` with `limits` (undefined: the account exists but has no JetStream, its
   * requests get 10039). Calling it again for a known account updates its limits.
   */
  async enableAccount(account: Account, limits: JsAccountLimits | undefined): Promise<JsAccount> {
    let jsa = this.accounts.get(account);
    const wasEnabled = jsa?.enabled ?? false;
    if (jsa !== undefined) jsa.limits = limits;
    else {
      jsa = new JsAccount(this, account, limits);
      this.accounts.set(account, jsa);
      jsa.listen();
      if (this.clustered) this.directGets.set(jsa, new DirectGetSubs(jsa, this.router));
    }
    // An operator-mode account is made before its JWT's limits arrive: its streams are recovered then.
    if (limits !== undefined && !wasEnabled) {
      // A replicated stream's directory (it has raft/) is left to its replica, opened from its assignment.
      const streams = await recoverStreams(jsa);
      for (const s of streams) {
        for (const hook of this.router.recoveredHooks) await hook(jsa, s);
        s.checkInterest();
      }
      if (streams.length > 0) this.server.logger.info(`  Recovered ${streams.length} stream(s) in account ${account.name}`);
    }
    return jsa;
  }

  accountOf(account: Account): JsAccount | undefined {
    return this.accounts.get(account);
  }

  /** Stops every stream (consumers persist their state, stores flush and close). */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const jsa of this.accounts.values()) jsa.unlisten();
      for (const d of this.directGets.values()) d.stop();
      const replicas = new Set<Stream>([...(this.meta?.applier.replicas.values() ?? [])].map((r: StreamReplica) => r.stream));
      await this.meta?.stop();
      for (const jsa of this.accounts.values()) {
        for (const s of jsa.streams.values()) {
          if (replicas.has(s)) continue;
          await s.stop(true);
          await s.store.stop();
        }
      }
      instances.delete(this.server);
    })();
    return this.stopping;
  }
}

/**
 * Which accounts get JetStream, as nats-server decides: with no configured accounts, the global one;
 * otherwise the configured accounts whose `jetstream` setting enables it (with their limits), plus the
 * global account. The system account never has JetStream.
 */
function configuredLimits(server: Server, account: Account): JsAccountLimits | undefined {
  if (account === server.accounts.system) return undefined;
  if (account === server.globalAccount) return { ...UNLIMITED };
  if (server.auth.operatorMode) return limitsFromJwt(server.accounts.jetstreamSetting(account.name));
  const def = server.opts.accounts?.find((a) => a.name === account.name);
  if (def === undefined) return { ...UNLIMITED };
  return limitsFromConfig(def.jetstream);
}

/** Clustered JetStream: JetStream with a cluster block that listens for routes (nats-server's rule). */
function isClustered(opts: Options): boolean {
  return opts.jetstream.enabled && opts.cluster !== undefined && opts.cluster.port !== 0;
}
