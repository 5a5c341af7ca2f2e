/**
 * Carries out on this server what the meta group decided: a stream placed here is opened (R1: a plain
 * local stream; R>1: its replica, through the stream side's OpenStreamReplica), updated, resized or
 * removed; a consumer assigned to a replicated stream held here is opened on the followers. Each step
 * compares the agreed state with what exists locally and acts on the difference (a reconcile), so a
 * step repeated, or replayed after a restart, changes nothing.
 *
 * Invariants:
 * - steps run one at a time, in the order asked (a removal never overtakes the create before it);
 * - a local stream is removed only when the agreed state no longer places it here, or places a
 *   different stream (another creation time) under its name, and only a stream the meta group has
 *   named; nothing is removed before the meta group is caught up (meta-group.ts calls all() then);
 * - the answer to a create or update goes out from the server that holds the stream's leader, once.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { NodeId } from "../../raft/types.js";
import type { Server } from "../../server/server.js";
import { goJson } from "../../util/go-json.js";
import { consumerEnv } from "../api/consumer-env.js";
import { addConsumer } from "../consumer/factory.js";
import { Consumer } from "../consumer/consumer.js";
import { snapshotOf } from "../consumer/state.js";
import { isApiError, jsErrorText, type ApiError } from "../errors.js";
import type { JsAccount } from "../js-account.js";
import { decodeConsumerConfig } from "../consumer/config.js";
import { decodeStreamConfig, normalizeStreamConfig, sameStreamConfig, type StreamConfig } from "../stream/config.js";
import { streamInfoJson } from "../stream/info.js";
import { addStream, deleteStream, RAFT_DIR, updateStream } from "../stream/manager.js";
import type { Stream } from "../stream/stream.js";
import { API_PREFIX } from "../js-account.js";
import { requestInternal } from "./internal-request.js";
import type { Requester, StreamAssignment } from "./meta-entries.js";
import { streamKey, type MetaState } from "./meta-state.js";
import type { AdoptedStream, ClusterInfo, OpenStreamReplica, StreamReplica } from "./stream-replica.js";

const TYPE_PREFIX = "io.nats.jetstream.api.v1.";
/** An entry's requester older than this is a replay: nobody waits for that answer any more. */
const ANSWER_WITHIN_MS = 15_000;
/** How long a replica removed from a stream's placement waits for its group to let it go. */
const LEAVE_WITHIN_MS = 10_000;

/** What the applier needs of the server's JetStream (jetstream.ts). */
export interface ApplierHost {
  readonly server: Server;
  readonly selfId: NodeId;
  readonly clusterName: string;
  jsAccount(account: string): JsAccount | undefined;
  readonly openReplica: OpenStreamReplica | undefined;
  /** A stream's leadership changed here (advisories). */
  replicaLeaderChanged(jsa: JsAccount, replica: StreamReplica, isLeader: boolean): void;
}

export class AssignmentApplier {
  /** The replicas of R>1 streams held here, by stream key. */
  readonly replicas = new Map<string, StreamReplica>();
  private chain: Promise<void> = Promise.resolve();
  private readonly stops = new Map<string, () => void>();

  constructor(
    private readonly host: ApplierHost,
    private readonly state: MetaState,
    /** A peer's server name as the peer directory knows it. */
    private readonly peerName: (id: NodeId) => string | undefined,
  ) {}

  /** Queues a reconcile of one stream (and its consumers); `requester` is answered when it is fresh. */
  stream(account: string, name: string, requester?: Requester): Promise<void> {
    return this.enqueue(() => this.reconcileStream(account, name, requester));
  }

  consumer(account: string, stream: string, name: string): Promise<void> {
    return this.enqueue(() => this.reconcileConsumer(account, stream, name));
  }

  /**
   * Every assigned stream, and the streams named in `also` (changed while not caught up, or assigned
   * before a snapshot replaced the state), against the agreed state. A local stream the meta group
   * never named is left alone: nothing says it is stale.
   */
  all(also: Iterable<readonly [string, string]> = []): Promise<void> {
    return this.enqueue(async () => {
      const keys = new Map<string, readonly [string, string]>();
      for (const sa of this.state.streams.values()) keys.set(streamKey(sa.account, sa.config.name as string), [sa.account, sa.config.name as string]);
      for (const [account, name] of also) keys.set(streamKey(account, name), [account, name]);
      for (const [account, name] of keys.values()) {
        await this.reconcileStream(account, name, undefined);
        for (const c of this.state.consumersOf(account, name).keys()) await this.reconcileConsumer(account, name, c);
      }
      for (const acc of this.host.server.accounts.accounts.values()) {
        for (const name of this.host.jsAccount(acc.name)?.streams.keys() ?? []) {
          if (!keys.has(streamKey(acc.name, name))) this.host.server.logger.warn(`JetStream cluster: stream '${acc.name} > ${name}' is held here but not assigned by the meta group; left as it is`);
        }
      }
    });
  }

  /**
   * The cluster member of a local stream's info (a consumer's too: it is led by its stream's leader): R1
   * streams are led by their one server. Each replica is named by its server name: a stream group learns
   * its peers' names by asking them, and meanwhile shows their node ids, which the peer directory knows.
   */
  clusterInfo(jsa: JsAccount, name: string): ClusterInfo {
    const r = this.replicas.get(streamKey(jsa.account.name, name));
    if (r === undefined) return { name: this.host.clusterName, leader: this.host.server.name };
    const info = r.clusterInfo();
    if (info.replicas === undefined) return info;
    return { ...info, replicas: info.replicas.map((x) => (x.peer !== undefined && x.name === x.peer ? { ...x, name: this.peerName(x.peer) ?? x.name } : x)) };
  }

  /** Whether this server answers for a stream it holds: R1 always, R>1 when its replica leads. */
  leads(jsa: JsAccount, name: string): boolean {
    if (!jsa.streams.has(name)) return false;
    const r = this.replicas.get(streamKey(jsa.account.name, name));
    return r === undefined || r.isLeader;
  }

  /** Undefined when the leader here serves now (or the stream is not replicated); see StreamReplica.whenServing. */
  whenServing(jsa: JsAccount, name: string): Promise<boolean> | undefined {
    return this.replicas.get(streamKey(jsa.account.name, name))?.whenServing();
  }

  /** The stream is open here (as a plain stream or a replica). */
  holds(account: string, name: string): boolean {
    return this.host.jsAccount(account)?.streams.has(name) ?? false;
  }

  replica(account: string, name: string): StreamReplica | undefined {
    return this.replicas.get(streamKey(account, name));
  }

  /** Stops the replicas (files kept): server shutdown. */
  async stop(): Promise<void> {
    await this.chain;
    for (const stop of this.stops.values()) stop();
    this.stops.clear();
    for (const r of this.replicas.values()) await r.stop();
    this.replicas.clear();
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.chain.then(step).catch((e) => this.host.server.logger.error(`JetStream cluster: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    this.chain = run;
    return run;
  }

  private async reconcileStream(account: string, name: string, requester: Requester | undefined): Promise<void> {
    const jsa = this.host.jsAccount(account);
    if (jsa === undefined) return;
    const key = streamKey(account, name);
    const sa = this.state.stream(account, name);
    const placedHere = sa !== undefined && sa.placement.peers.includes(this.host.selfId);
    let local = jsa.streams.get(name);
    if (local !== undefined && (!placedHere || !sameCreated(local.created, sa.created))) {
      await this.removeLocal(jsa, key, local);
      local = undefined;
    }
    if (!placedHere) return;
    let cfg: StreamConfig;
    try {
      cfg = normalizeStreamConfig(decodeStreamConfig({ ...sa.config }));
    } catch (e) {
      return this.answer(jsa, requester, undefined, isApiError(e) ? e : jsErrorText("JSStreamGeneralErrorF", String(e)));
    }
    try {
      // One peer and no group: a plain local stream. (A stream shrunk to one replica keeps its group,
      // whose log holds what its store may not have synced yet.)
      if (sa.placement.peers.length === 1 && !this.replicas.has(key) && !existsSync(join(jsa.streamDir(name), RAFT_DIR))) {
        if (local === undefined) {
          const s = await addStream(jsa, cfg, sa.created);
          jsa.advisory(`STREAM.CREATED.${name}`, "stream_action", { stream: name, action: "create" });
          return this.answer(jsa, requester, s);
        }
        if (!sameStreamConfig(local.cfg, cfg)) await updateStream(jsa, { ...sa.config }, name);
        return this.answer(jsa, requester, local);
      }
      await this.reconcileReplica(jsa, key, sa, cfg, requester);
    } catch (e) {
      this.answer(jsa, requester, undefined, isApiError(e) ? e : jsErrorText("JSStreamGeneralErrorF", e instanceof Error ? e.message : String(e)));
      throw e;
    }
  }

  private async reconcileReplica(jsa: JsAccount, key: string, sa: StreamAssignment, cfg: StreamConfig, requester: Requester | undefined): Promise<void> {
    let r = this.replicas.get(key);
    if (r === undefined) {
      const open = this.host.openReplica;
      if (open === undefined) throw jsErrorText("JSStreamGeneralErrorF", "replicated streams are not available on this server");
      // A one-replica stream held here that grew: its replica takes over the store as it is.
      const plain = jsa.streams.get(cfg.name);
      let adopt: AdoptedStream | undefined;
      if (plain !== undefined) {
        const consumers: AdoptedStream["consumers"] = {};
        for (const c of plain.consumers.values()) if (c instanceof Consumer) consumers[c.name] = { ...snapshotOf(c.state), ackNone: c.state.ackNone };
        await plain.stop(true);
        jsa.streams.delete(plain.name);
        jsa.streamsChanged();
        adopt = { store: plain.store, consumers };
      }
      r = await open(jsa, cfg, sa.created, sa.placement, adopt);
      this.replicas.set(key, r);
      const replica = r;
      this.stops.set(
        key,
        r.onLeaderChange((isLeader) => {
          this.host.replicaLeaderChanged(jsa, replica, isLeader);
          // Membership changes are the leader's: a new leader finishes one its predecessor left.
          if (isLeader) void this.enqueue(() => this.syncPeers(jsa, replica));
        }),
      );
      // The stream's consumers open with it (a stream that grew from one replica had them as plain
      // consumers: the adopting replica brings them back before its store's snapshot is taken, which
      // waits for its first election).
      for (const c of this.state.consumersOf(jsa.account.name, cfg.name).keys()) await this.reconcileConsumer(jsa.account.name, cfg.name, c);
    } else {
      // Peers first: a config change is proposed through the group, which must not wait for them.
      if (r.isLeader) await r.setPeers(sa.placement.peers);
      if (!sameStreamConfig(r.stream.cfg, cfg)) await r.update(cfg);
    }
    if (requester !== undefined && fresh(requester)) {
      // The replica that leads answers; a group still electing answers when it has a leader. Not
      // awaited: the steps after this one (the stream's consumers) must not wait for an election.
      // A grown stream answers once its new peers are in the group, as nats-server lists them.
      const replica = r;
      void leaderWithin(replica, 5000)
        .then(async (leads) => leads && (await votersWithin(replica, sa.placement.peers, 5000), true))
        .then((leads) => {
          // Up to 10 s later: the replica may have been removed or the server stopped meanwhile, and a
          // stopped replica's store is closed (its state is not to be read).
          if (leads && this.replicas.get(key) === replica) this.answer(jsa, requester, replica.stream);
        });
    }
  }

  /** The agreed peers of a replica that leads (the group's voters follow, one change at a time). */
  private async syncPeers(jsa: JsAccount, r: StreamReplica): Promise<void> {
    const sa = this.state.stream(jsa.account.name, r.stream.name);
    if (sa === undefined || !r.isLeader || !sa.placement.peers.includes(this.host.selfId)) return;
    await r.setPeers(sa.placement.peers);
  }

  private async removeLocal(jsa: JsAccount, key: string, local: Stream): Promise<void> {
    const r = this.replicas.get(key);
    if (r !== undefined) {
      const sa = this.state.stream(jsa.account.name, local.name);
      if (sa !== undefined) await this.leaveGroup(jsa, r, sa.placement.peers);
      else if (r.isLeader) r.stepDown();
      this.replicas.delete(key);
      this.stops.get(key)?.();
      this.stops.delete(key);
      await r.delete();
      jsa.advisory(`STREAM.DELETED.${local.name}`, "stream_action", { stream: local.name, action: "delete" });
      return;
    }
    await deleteStream(jsa, local);
  }

  /**
   * A replica removed from a stream that stays votes on until the group's leader has taken it out of
   * the group: two of three leaving at once (R3 to R1) would otherwise leave the one that stays
   * without a majority to commit their removal. While it leads, it hands the leadership to a peer
   * that stays (the next leader removes it).
   */
  private async leaveGroup(jsa: JsAccount, r: StreamReplica, stays: readonly NodeId[]): Promise<void> {
    const self = this.host.server.name;
    const deadline = Date.now() + LEAVE_WITHIN_MS;
    while (Date.now() < deadline) {
      if (r.isLeader) {
        const next = r.group.voters.find((v) => stays.includes(v));
        if (next === undefined) return;
        r.stepDown(next);
      } else {
        const answer = await requestInternal(this.host.server, jsa.account, `${API_PREFIX}STREAM.INFO.${r.stream.name}`, "", 1000);
        const ci = answer === undefined ? undefined : (JSON.parse(answer.toString("utf8")) as { cluster?: ClusterInfo }).cluster;
        // Replicas are listed by server name once it is known, by peer id until then.
        if (ci?.leader !== undefined && ci.leader !== self && !(ci.replicas ?? []).some((x) => x.name === self || x.peer === this.host.selfId)) return;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    this.host.server.logger.warn(`JetStream cluster: stream '${jsa.account.name} > ${r.stream.name}': removed here before its group let this replica go`);
  }

  /** A consumer of a replicated stream opens on the followers from its assignment. */
  private async reconcileConsumer(account: string, stream: string, name: string): Promise<void> {
    const jsa = this.host.jsAccount(account);
    const s = jsa?.streams.get(stream);
    if (jsa === undefined || s === undefined || !this.replicas.has(streamKey(account, stream))) return;
    const ca = this.state.consumersOf(account, stream).get(name);
    const local = s.consumers.get(name);
    if (ca === undefined) {
      if (local instanceof Consumer && !local.isClosed) await local.delete();
      return;
    }
    if (local !== undefined) return;
    const cfg = decodeConsumerConfig({ ...ca.config });
    await addConsumer(s, consumerEnv(jsa, s), cfg, "", false);
  }

  /** Answers the requester of a create or update, if it still waits and this server leads the stream. */
  private answer(jsa: JsAccount, requester: Requester | undefined, s: Stream | undefined, error?: ApiError): void {
    if (requester === undefined || !fresh(requester)) return;
    const type = TYPE_PREFIX + (requester.action === "update" ? "stream_update_response" : "stream_create_response");
    let body: Record<string, unknown>;
    if (error !== undefined || s === undefined) body = { type, error: error ?? jsErrorText("JSStreamGeneralErrorF", "stream not opened") };
    else {
      body = { type, ...streamInfoJson(s, { links: requester.action === "update" }), cluster: this.clusterInfo(jsa, s.name) };
      if (requester.action === "create") body.did_create = true;
    }
    this.host.server.publishInternal(jsa.account, requester.reply, undefined, goJson(body));
  }
}

function fresh(r: Requester): boolean {
  return Date.now() - r.at < ANSWER_WITHIN_MS;
}

/** Creation times come back from meta.json through RFC 3339: equal to the microsecond. */
function sameCreated(a: number, b: number): boolean {
  return Math.abs(a - b) < 1000;
}

function leaderWithin(r: StreamReplica, ms: number): Promise<boolean> {
  if (r.isLeader) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stop();
      resolve(false);
    }, ms);
    const stop = r.onLeaderChange((isLeader) => {
      if (!isLeader) return;
      clearTimeout(timer);
      stop();
      resolve(true);
    });
  });
}

/** Waits (at most `ms`) until every peer of the placement is a voter of the replica's group. */
async function votersWithin(r: StreamReplica, peers: readonly NodeId[], ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !peers.every((p) => r.group.voters.includes(p))) await new Promise((res) => setTimeout(res, 20));
}
