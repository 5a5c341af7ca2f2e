/**
 * The $JS.API calls the meta leader answers in a cluster (cluster-api.ts decides who answers): account
 * info, STREAM.CREATE/UPDATE/DELETE/NAMES/LIST, META.LEADER.STEPDOWN and SERVER.REMOVE. Creates and
 * updates are checked here against the agreed state, proposed as assignments, and answered by the
 * server that then holds the stream's leader (assignment-applier.ts); lists gather each stream's info
 * from its leader, as nats-server's meta leader does.
 */
import { subjectsOverlap } from "../../subjects/validate.js";
import { randomBase62 } from "../../util/base62.js";
import { goJson } from "../../util/go-json.js";
import { nowNanos } from "../../util/nanos.js";
import { offsetOf, optString } from "../api/paging.js";
import type { ApiRequest, ApiRouter } from "../api/router.js";
import { accountInfoJson } from "../api/stream-crud.js";
import { isApiError, jsError } from "../errors.js";
import { API_PREFIX } from "../js-account.js";
import { checkStreamUpdate, decodeStreamConfig, normalizeStreamConfig, sameStreamConfig, streamConfigJson, type StreamConfig } from "../stream/config.js";
import { requestInternal } from "./internal-request.js";
import type { StreamAssignment } from "./meta-entries.js";
import type { MetaGroup } from "./meta-group.js";
import { name as saName } from "./meta-state.js";
import { placePeers } from "./placement.js";
import { chooseSuccessor, stepdownPlacement, viewOf } from "./stepdown.js";
import type { StreamPlacement } from "./stream-replica.js";

const NAMES_LIMIT = 1024;
const LIST_LIMIT = 256;
const GATHER_TIMEOUT_MS = 2000;
const TYPE_PREFIX = "io.nats.jetstream.api.v1.";

export interface MetaApiOptions {
  readonly uniqueTag?: string;
}

export function registerMetaApi(r: ApiRouter, meta: MetaGroup, opts: MetaApiOptions): void {
  r.add("INFO", "account_info_response", async (req) => {
    const streams = meta.state.accountStreams(req.jsa.account.name);
    let consumers = 0;
    for (const sa of streams) consumers += meta.state.consumersOf(sa.account, saName(sa)).size;
    return accountInfoJson(req.jsa, { streams: streams.length, consumers }, await meta.clusterUsage(req.jsa.account.name));
  });

  r.add("STREAM.CREATE.*", "stream_create_response", async (req) => {
    const cfg = configOf(req);
    if (cfg.sealed) throw jsError("JSStreamInvalidConfigF", { err: "stream configuration for create can not be sealed" });
    const account = req.jsa.account.name;
    const existing = meta.state.stream(account, cfg.name);
    if (existing !== undefined) {
      if (!sameStreamConfig(configOfAssignment(existing), cfg)) throw jsError("JSStreamNameExistErr");
      return relayInfo(req, cfg.name, "stream_create_response");
    }
    const limits = req.jsa.effectiveLimits;
    const others = meta.state.accountStreams(account);
    if (limits.maxStreams >= 0 && others.length >= limits.maxStreams) throw jsError("JSMaximumStreamsLimitErr");
    checkOverlap(cfg, others, undefined);
    const peers = placePeers(meta.peers.all(), {
      replicas: cfg.num_replicas,
      ...(cfg.placement?.cluster !== undefined && { cluster: cfg.placement.cluster }),
      ...(cfg.placement?.tags !== undefined && { tags: cfg.placement.tags }),
      ...(cfg.placement?.preferred !== undefined && { preferred: cfg.placement.preferred }),
      defaultCluster: meta.clusterName,
      ...(opts.uniqueTag && { uniqueTag: opts.uniqueTag }),
      assets: meta.state.assetsByPeer(),
      exclude: meta.state.removedPeers,
    });
    if (isApiError(peers)) throw peers;
    const placement: StreamPlacement = { group: `S-${randomBase62(8)}`, peers, cluster: cfg.placement?.cluster ?? meta.clusterName };
    const sa: StreamAssignment = { account, config: streamConfigJson(cfg), created: nowNanos(), placement };
    await proposeOr503(meta, { op: "stream", sa, ...(req.reply !== undefined && { requester: { reply: req.reply, action: "create", at: Date.now() } }) });
    return undefined;
  });

  r.add("STREAM.UPDATE.*", "stream_update_response", async (req) => {
    const cfg = configOf(req);
    const account = req.jsa.account.name;
    const sa = meta.state.stream(account, cfg.name);
    if (sa === undefined) throw jsError("JSStreamNotFoundErr");
    const prev = configOfAssignment(sa);
    checkStreamUpdate(prev, cfg);
    checkOverlap(cfg, meta.state.accountStreams(account), cfg.name);
    let peers = [...sa.placement.peers];
    if (cfg.num_replicas > peers.length) {
      const more = placePeers(meta.peers.all(), {
        replicas: cfg.num_replicas - peers.length,
        cluster: sa.placement.cluster,
        ...(cfg.placement?.tags !== undefined && { tags: cfg.placement.tags }),
        defaultCluster: meta.clusterName,
        ...(opts.uniqueTag && { uniqueTag: opts.uniqueTag }),
        assets: meta.state.assetsByPeer(),
        exclude: new Set([...meta.state.removedPeers, ...peers]),
      });
      if (isApiError(more)) throw more;
      peers = [...peers, ...more];
    } else if (cfg.num_replicas < peers.length) {
      peers = peers.slice(0, cfg.num_replicas);
    }
    // Growing from one replica: the others join the group its one peer leads (stream-replica.ts).
    const from = sa.placement.peers.length === 1 && peers.length > 1 ? { from: sa.placement.peers } : {};
    const next: StreamAssignment = { ...sa, config: streamConfigJson(cfg), placement: { ...sa.placement, peers, ...from } };
    await proposeOr503(meta, { op: "stream", sa: next, ...(req.reply !== undefined && { requester: { reply: req.reply, action: "update", at: Date.now() } }) });
    return undefined;
  });

  r.add("STREAM.DELETE.*", "stream_delete_response", async (req) => {
    req.requireEmpty();
    const sa = meta.state.stream(req.jsa.account.name, req.tokens[2] ?? "");
    if (sa === undefined) throw jsError("JSStreamNotFoundErr");
    await proposeOr503(meta, { op: "removeStream", account: sa.account, name: saName(sa), created: sa.created });
    return { success: true };
  });

  r.add("STREAM.NAMES", "stream_names_response", (req) => {
    const body = req.json();
    const all = listed(meta, req, optString(body, "subject"));
    const offset = Math.min(offsetOf(body), all.length);
    const page = all.slice(offset, offset + NAMES_LIMIT).map(saName);
    return { total: all.length, offset, limit: NAMES_LIMIT, streams: page.length > 0 ? page : null };
  });

  r.add("STREAM.LIST", "stream_list_response", async (req) => {
    const body = req.json();
    const all = listed(meta, req, optString(body, "subject"));
    const offset = Math.min(offsetOf(body), all.length);
    const page = all.slice(offset, offset + LIST_LIMIT);
    const infos = await Promise.all(page.map((sa) => gatherInfo(req, saName(sa))));
    const streams: Record<string, unknown>[] = [];
    const missing: string[] = [];
    infos.forEach((info, i) => (info === undefined ? missing.push(saName(page[i]!)) : streams.push(info)));
    const o: Record<string, unknown> = { total: all.length, offset, limit: LIST_LIMIT, streams };
    if (missing.length > 0) o.missing = missing;
    return o;
  });

  r.add("META.LEADER.STEPDOWN", "meta_leader_stepdown_response", (req) => {
    const placement = stepdownPlacement(req);
    const g = meta.group;
    if (g === undefined) throw jsError("JSClusterNotAvailErr");
    const to = chooseSuccessor(viewOf(g, meta.server.name), (id) => meta.peers.get(id), placement);
    if (isApiError(to)) throw to;
    meta.stepDown(to);
    return { success: true };
  });

  r.add("SERVER.REMOVE", "meta_server_remove_response", async (req) => {
    const body = req.json();
    const name = optString(body, "peer");
    const id = optString(body, "peer_id");
    const peer = id !== undefined && id !== "" ? meta.peers.get(id) : meta.peers.byName(name ?? "");
    if (peer === undefined || !(meta.group?.voters.includes(peer.id) ?? false)) throw jsError("JSClusterServerNotMemberErr");
    if (!(await meta.removePeer(peer.id))) throw jsError("JSClusterNotAvailErr");
    return { success: true };
  });
}

function configOf(req: ApiRequest): StreamConfig {
  if (req.body.toString("utf8").trim() === "") throw jsError("JSInvalidJSONErr");
  const cfg = decodeStreamConfig(req.json());
  if (cfg.name !== req.tokens[2]) throw jsError("JSStreamMismatchErr");
  return normalizeStreamConfig(cfg);
}

export function configOfAssignment(sa: StreamAssignment): StreamConfig {
  return normalizeStreamConfig(decodeStreamConfig({ ...sa.config }));
}

function checkOverlap(cfg: StreamConfig, others: readonly StreamAssignment[], self: string | undefined): void {
  for (const other of others) {
    if (saName(other) === self || saName(other) === cfg.name) continue;
    const theirs = (other.config.subjects as string[] | undefined) ?? [];
    for (const a of cfg.subjects ?? []) for (const b of theirs) if (subjectsOverlap(a, b)) throw jsError("JSStreamSubjectOverlapErr");
  }
}

function listed(meta: MetaGroup, req: ApiRequest, subject: string | undefined): StreamAssignment[] {
  const all = meta.state.accountStreams(req.jsa.account.name);
  if (subject === undefined || subject === "") return all;
  return all.filter((sa) => ((sa.config.subjects as string[] | undefined) ?? []).some((x) => subjectsOverlap(x, subject)));
}

async function proposeOr503(meta: MetaGroup, e: Parameters<MetaGroup["propose"]>[0]): Promise<void> {
  try {
    await meta.propose(e);
  } catch {
    throw jsError("JSClusterNotAvailErr");
  }
}

/** A stream's info as its leader answers STREAM.INFO, without the response's own members. */
async function gatherInfo(req: ApiRequest, name: string): Promise<Record<string, unknown> | undefined> {
  const answer = await requestInternal(req.jsa.server, req.jsa.account, `${API_PREFIX}STREAM.INFO.${name}`, "", GATHER_TIMEOUT_MS);
  if (answer === undefined) return undefined;
  const o = JSON.parse(answer.toString("utf8")) as Record<string, unknown>;
  if (o.error !== undefined) return undefined;
  delete o.type;
  delete o.total;
  delete o.offset;
  delete o.limit;
  return o;
}

/** An idempotent create: the existing stream's info, from its leader, as the create's answer. */
async function relayInfo(req: ApiRequest, name: string, type: string): Promise<undefined> {
  const info = await gatherInfo(req, name);
  if (info === undefined) throw jsError("JSClusterNotAvailErr");
  if (req.reply !== undefined) req.jsa.server.publishInternal(req.jsa.account, req.reply, undefined, goJson({ type: TYPE_PREFIX + type, ...info }));
  return undefined;
}
