/**
 * What monitoring shows of clustered JetStream, in nats-server's shapes: /jsz's `meta_cluster`, the
 * meta layer's and this server's streams' health for /healthz (nats-server's texts), and /raftz's
 * view of the meta and stream groups (nats-server 2.11's RaftzGroup).
 */
import type { RaftGroup } from "../../raft/raft-group.js";
import { formatGoDuration } from "../../util/duration.js";
import type { ReplicaInfo } from "./stream-replica.js";
import { META_GROUP, type MetaGroup } from "./meta-group.js";

/** A peer is current when heard from within this (ms), as nats-server's lost-quorum interval. */
const CURRENT_MS = 10_000;

/** /jsz `meta_cluster`. */
export function metaClusterJson(meta: MetaGroup): Record<string, unknown> {
  const g = meta.group;
  const voters = g?.voters ?? [];
  const leader = meta.leader;
  const o: Record<string, unknown> = { name: meta.clusterName };
  const leaderName = meta.leaderName;
  if (leaderName !== undefined) o.leader = leaderName;
  if (leader !== undefined) o.peer = leader;
  const progress = new Map((g?.peerProgress() ?? []).map((p) => [p.id, p]));
  const replicas: ReplicaInfo[] = [];
  for (const id of voters) {
    if (id === leader || id === meta.selfId) continue;
    const p = meta.peers.get(id);
    const heardAgo = progress.get(id)?.heardAgoMs ?? (p === undefined ? Infinity : Date.now() - p.lastSeen);
    const r: ReplicaInfo = { name: p?.name ?? id, current: heardAgo < CURRENT_MS && !(p?.offline ?? true), active: Number.isFinite(heardAgo) ? Math.round(heardAgo * 1e6) : 0, ...(p?.offline && { offline: true }), peer: id };
    replicas.push(r);
  }
  // A follower lists the leader among the replicas it knows, as nats-server does.
  if (o.leader !== undefined && leader !== meta.selfId) {
    const p = meta.peers.get(leader!);
    replicas.unshift({ name: p?.name ?? leader!, current: true, active: p === undefined ? 0 : Math.round((Date.now() - p.lastSeen) * 1e6), peer: leader! });
  }
  if (replicas.length > 0) o.replicas = replicas;
  o.cluster_size = voters.length;
  o.quorum_needed = Math.floor(voters.length / 2) + 1;
  o.pending = 0;
  return o;
}

/**
 * Why this server is not a healthy member of clustered JetStream (nats-server's /healthz texts), or
 * undefined. `metaOnly`: the meta layer only, not the streams placed here.
 */
export function clusterHealthProblem(meta: MetaGroup, metaOnly: boolean): string | undefined {
  if (meta.group === undefined || meta.leader === undefined) return "JetStream has not established contact with a meta leader";
  if (!meta.current) return "JetStream is not current with the meta leader";
  if (metaOnly) return undefined;
  for (const sa of meta.state.streams.values()) {
    if (!sa.placement.peers.includes(meta.selfId)) continue;
    const name = sa.config.name as string;
    if (!meta.applier.holds(sa.account, name)) return `JetStream stream '${sa.account} > ${name}' is not current: stream not found`;
    const r = meta.applier.replica(sa.account, name);
    if (r === undefined || r.isLeader) continue;
    const ci = r.clusterInfo();
    const self = ci.replicas?.find((x) => x.name === meta.server.name);
    if (ci.leader === undefined) return `JetStream stream '${sa.account} > ${name}' is not current: group has no leader`;
    if (self !== undefined && !self.current) return `JetStream stream '${sa.account} > ${name}' is not current: replica is catching up`;
  }
  return undefined;
}

/**
 * /raftz: the RAFT groups of `account` on this server, by group name, filtered to `group` when given,
 * as nats-server 2.11 files them: the meta group under the system account, each stream's group under
 * the stream's account (its traffic goes through the system account, `traffic_account`).
 */
export function clusterRaftz(meta: MetaGroup, systemAccount: string, account: string, group: string): Record<string, Record<string, unknown>> | undefined {
  const found: Record<string, Record<string, unknown>> = {};
  const g = meta.group;
  if (g !== undefined && account === systemAccount && (group === "" || group === META_GROUP)) found[META_GROUP] = raftzGroup(meta, g, meta.current, systemAccount);
  for (const r of meta.applier.replicas.values()) {
    const name = r.placement.group;
    if (r.stream.jsa.account.name !== account || (group !== "" && group !== name)) continue;
    found[name] = raftzGroup(meta, r.group, r.group.leader !== undefined || r.group.commitIndex > 0, systemAccount);
  }
  return Object.keys(found).length === 0 ? undefined : { [account]: found };
}

/** One group in nats-server 2.11's RaftzGroup shape. */
function raftzGroup(meta: MetaGroup, g: RaftGroup, everHadLeader: boolean, systemAccount: string): Record<string, unknown> {
  const progress = new Map(g.peerProgress().map((p) => [p.id, p]));
  const peers: Record<string, unknown> = {};
  for (const id of g.voters) {
    if (id === g.id) continue;
    const p = progress.get(id);
    const rec = meta.peers.get(id);
    peers[id] = {
      name: rec?.name ?? "",
      known: true,
      ...(p !== undefined && p.matched > 0 && { last_replicated_index: p.matched }),
      ...(p !== undefined ? { last_seen: formatGoDuration(p.heardAgoMs) } : rec !== undefined && { last_seen: formatGoDuration(Date.now() - rec.lastSeen) }),
    };
  }
  const state = g.role === "leader" ? "LEADER" : g.role === "follower" ? "FOLLOWER" : "CANDIDATE";
  return {
    id: g.id,
    state,
    size: g.voters.length,
    quorum_needed: Math.floor(g.voters.length / 2) + 1,
    committed: g.commitIndex,
    applied: g.applied,
    ...(g.repairing && { catching_up: true }),
    ...(g.leader !== undefined && { leader: g.leader }),
    ever_had_leader: everHadLeader,
    term: g.term,
    pterm: g.term,
    pindex: g.lastIndex,
    system_account: true,
    traffic_account: systemAccount,
    ipq_proposal_len: 0,
    ipq_entry_len: 0,
    ipq_resp_len: 0,
    ipq_apply_len: 0,
    peers,
  };
}
