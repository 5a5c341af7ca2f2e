/**
 * Who answers a $JS.API request in a cluster. Every JetStream server hears every request (the API
 * subscriptions are announced over routes) and exactly one answers, as in nats-server:
 * - the meta leader: account info, STREAM.CREATE/UPDATE/DELETE/NAMES/LIST, META.*, SERVER.REMOVE
 *   (meta-api.ts), and "stream not found" for any call about a stream that has no assignment;
 * - the stream's leader (an R1 stream's one server): STREAM.INFO, MSG.GET/DELETE, PURGE, snapshots,
 *   STREAM.LEADER.STEPDOWN, STREAM.PEER.REMOVE, and every CONSUMER.* call (a consumer of a
 *   replicated stream is led by the stream's leader: see the design). CONSUMER.CREATE and DELETE run
 *   there, where the stream's state is, and are recorded in the meta group once done: a deliberate
 *   difference from nats-server, whose meta leader assigns consumers first;
 * - one of the servers that hold the stream: DIRECT.GET, through their queue group (direct-get-subs.ts),
 *   not through this catch-all; the meta leader answers 503 for a stream nobody holds;
 * - anything else (unknown calls): the meta leader.
 * The rest stay silent.
 */
import { Route } from "../../server/route.js";
import type { Publisher } from "../../server/subscription.js";
import { goJson } from "../../util/go-json.js";
import { nowNanos } from "../../util/nanos.js";
import { noResponders } from "../api/direct-get.js";
import { ApiRouter, type ApiRequest } from "../api/router.js";
import { isApiError, jsError } from "../errors.js";
import { API_PREFIX, type ApiDispatcher, type JsAccount } from "../js-account.js";
import type { MetaGroup } from "./meta-group.js";
import type { ClusterInfo } from "./stream-replica.js";
import { placePeers } from "./placement.js";
import { chooseSuccessor, stepdownPlacement, viewOf } from "./stepdown.js";

type Answerer = { kind: "meta" } | { kind: "stream"; stream: string } | { kind: "direct"; stream: string } | { kind: "clusterStream"; stream: string };

/** Which server answers a call, from the tokens after `$JS.API.`. */
export function answererOf(t: readonly string[]): Answerer {
  const [a, b, c, d] = t;
  if (a === "STREAM") {
    if (b === "CREATE" || b === "UPDATE" || b === "DELETE" || b === "NAMES" || b === "LIST") return { kind: "meta" };
    if (b === "LEADER" || b === "PEER") return { kind: "clusterStream", stream: d ?? "" };
    if (b === "MSG") return { kind: "stream", stream: d ?? "" };
    if (b === "RESTORE") return { kind: "meta" };
    return { kind: "stream", stream: c ?? "" };
  }
  if (a === "CONSUMER") {
    if (b === "DURABLE" || b === "MSG") return { kind: "stream", stream: d ?? "" };
    if (b === "LEADER") return { kind: "clusterStream", stream: d ?? "" };
    return { kind: "stream", stream: c ?? "" };
  }
  if (a === "DIRECT") return { kind: "direct", stream: c ?? "" };
  return { kind: "meta" };
}

export class ClusterDispatcher implements ApiDispatcher {
  /** The meta leader's calls. */
  readonly metaRouter = new ApiRouter();
  /** STREAM.LEADER.STEPDOWN, STREAM.PEER.REMOVE, CONSUMER.LEADER.STEPDOWN on the stream's leader. */
  readonly leaderRouter = new ApiRouter();

  constructor(
    /** The stand-alone router: every call about a stream, run where the stream is. */
    private readonly local: ApiRouter,
    private readonly meta: MetaGroup,
  ) {
    registerLeaderCalls(this.leaderRouter, meta);
    const hook = (req: ApiRequest, type: string, body: Record<string, unknown>, failed: boolean): void => this.onResponse(req, type, body, failed);
    local.responseHook = hook;
    this.leaderRouter.responseHook = hook;
  }

  dispatch(jsa: JsAccount, subject: string, apiSubject: string, reply: string | undefined, payload: Buffer, hdrLen: number, client: Publisher | undefined): void {
    const who = answererOf(apiSubject.slice(API_PREFIX.length).split("."));
    const applier = this.meta.applier;
    switch (who.kind) {
      case "meta":
        if (this.meta.isLeader) (this.metaRouter.responseType(apiSubject) !== undefined ? this.metaRouter : this.local).dispatch(jsa, subject, apiSubject, reply, payload, hdrLen, client);
        // No meta leader: the server the requester is connected to says so, as nats-server does.
        else if (this.meta.leader === undefined && !(client instanceof Route) && reply !== undefined) this.unavailable(jsa, apiSubject, reply);
        return;
      case "direct":
        if (reply !== undefined && this.meta.isLeader && !this.heldAnywhere(jsa, who.stream)) noResponders(jsa, reply);
        return;
      case "stream":
      case "clusterStream": {
        const router = who.kind === "stream" ? this.local : this.leaderRouter;
        if (applier.leads(jsa, who.stream)) {
          // A new leader answers once it has applied its log: before, its consumers' state is a follower's.
          const ready = applier.whenServing(jsa, who.stream);
          if (ready === undefined) router.dispatch(jsa, subject, apiSubject, reply, payload, hdrLen, client);
          else {
            const body = Buffer.from(payload); // a view of a socket read
            void ready.then((serving) => serving && router.dispatch(jsa, subject, apiSubject, reply, body, hdrLen, client));
          }
        }
        // Nobody holds a stream the meta group does not know: its leader says so.
        else if (this.meta.isLeader && this.meta.state.stream(jsa.account.name, who.stream) === undefined && !jsa.streams.has(who.stream)) router.dispatch(jsa, subject, apiSubject, reply, payload, hdrLen, client);
        return;
      }
    }
  }

  /** Some server holds the stream, or a mirror_direct mirror of it: their queue group answers. */
  private heldAnywhere(jsa: JsAccount, stream: string): boolean {
    const account = jsa.account.name;
    if (this.meta.state.stream(account, stream) !== undefined) return true;
    return this.meta.state.accountStreams(account).some((sa) => sa.config.mirror_direct === true && (sa.config.mirror as { name?: unknown } | undefined)?.name === stream);
  }

  private unavailable(jsa: JsAccount, apiSubject: string, reply: string): void {
    const type = this.metaRouter.responseType(apiSubject) ?? this.local.responseType(apiSubject);
    if (type === undefined) return;
    jsa.countApi(true);
    jsa.server.publishInternal(jsa.account, reply, undefined, goJson({ type, error: jsError("JSClusterNotAvailErr") }));
  }

  /** Adds `cluster` to infos, and records consumer creates and deletes in the meta group. */
  private onResponse(req: ApiRequest, type: string, body: Record<string, unknown>, failed: boolean): void {
    if (failed) return;
    const t = req.tokens;
    const jsa = req.jsa;
    const short = type.slice(type.lastIndexOf(".") + 1);
    switch (short) {
      case "stream_info_response":
        body.cluster = this.clusterInfo(jsa, t[2]!);
        return;
      case "consumer_info_response":
      case "consumer_create_response": {
        const stream = body.stream_name as string;
        body.cluster = this.clusterInfo(jsa, stream);
        if (short === "consumer_create_response") this.record(jsa, stream, body);
        return;
      }
      case "consumer_list_response": {
        const stream = t[2]!;
        for (const c of (body.consumers as Record<string, unknown>[] | undefined) ?? []) c.cluster = this.clusterInfo(jsa, stream);
        return;
      }
      case "consumer_delete_response": {
        const stream = t[2]!;
        const name = t[3]!;
        this.meta.propose({ op: "removeConsumer", account: jsa.account.name, stream, name }).catch((e) => this.warn(`recording the deletion of consumer ${stream} > ${name}`, e));
        return;
      }
    }
  }

  private clusterInfo(jsa: JsAccount, stream: string): ClusterInfo {
    return this.meta.applier.clusterInfo(jsa, stream);
  }

  private record(jsa: JsAccount, stream: string, info: Record<string, unknown>): void {
    const name = info.name as string;
    const config = info.config as Record<string, unknown>;
    const known = this.meta.state.consumersOf(jsa.account.name, stream).get(name);
    if (known !== undefined && JSON.stringify(known.config) === JSON.stringify(config)) return;
    this.meta
      .propose({ op: "consumer", ca: { account: jsa.account.name, stream, name, config, created: nowNanos() } })
      .catch((e) => this.warn(`recording consumer ${stream} > ${name}`, e));
  }

  private warn(what: string, e: unknown): void {
    this.meta.server.logger.warn(`JetStream cluster: ${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function registerLeaderCalls(r: ApiRouter, meta: MetaGroup): void {
  r.add("STREAM.LEADER.STEPDOWN.*", "stream_leader_stepdown_response", (req) => {
    const s = streamHere(req);
    handOver(meta, req, s);
    return { success: true };
  });

  r.add("CONSUMER.LEADER.STEPDOWN.*.*", "consumer_leader_stepdown_response", (req) => {
    const s = streamHere(req);
    if (req.jsa.streams.get(s)?.consumers.get(req.tokens[4]!) === undefined) throw jsError("JSConsumerNotFoundErr");
    // A consumer of a replicated stream is led by the stream's leader: its group steps down.
    handOver(meta, req, s);
    return { success: true };
  });

  r.add("STREAM.PEER.REMOVE.*", "stream_remove_peer_response", async (req) => {
    const body = req.json();
    const name = typeof body.peer === "string" ? body.peer : "";
    const s = streamHere(req);
    const sa = meta.state.stream(req.jsa.account.name, s);
    const peer = meta.peers.byName(name);
    if (sa === undefined || peer === undefined || !sa.placement.peers.includes(peer.id)) throw jsError("JSClusterPeerNotMemberErr");
    const rest = sa.placement.peers.filter((p) => p !== peer.id);
    const replacement = placePeers(meta.peers.all(), {
      replicas: 1,
      cluster: sa.placement.cluster,
      defaultCluster: meta.clusterName,
      assets: meta.state.assetsByPeer(),
      exclude: new Set([...meta.state.removedPeers, ...sa.placement.peers]),
    });
    if (isApiError(replacement)) throw replacement;
    try {
      await meta.propose({ op: "stream", sa: { ...sa, placement: { ...sa.placement, peers: [...rest, ...replacement] } } });
    } catch {
      throw jsError("JSClusterNotAvailErr");
    }
    return { success: true };
  });
}

/** Hands a replicated stream's leadership to a successor that can lead now (an R1 stream has none to hand). */
function handOver(meta: MetaGroup, req: ApiRequest, stream: string): void {
  const placement = stepdownPlacement(req);
  const r = meta.applier.replica(req.jsa.account.name, stream);
  if (r === undefined) return;
  const to = chooseSuccessor(viewOf(r.group, meta.server.name), (id) => meta.peers.get(id), placement);
  if (isApiError(to)) throw to;
  r.stepDown(to);
}

function streamHere(req: ApiRequest): string {
  // STREAM.LEADER.STEPDOWN.<stream>, STREAM.PEER.REMOVE.<stream>, CONSUMER.LEADER.STEPDOWN.<stream>.<consumer>
  const name = req.tokens[3]!;
  if (!req.jsa.streams.has(name)) throw jsError("JSStreamNotFoundErr");
  return name;
}
