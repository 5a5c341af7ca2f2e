/**
 * Who takes over on STREAM.LEADER.STEPDOWN, CONSUMER.LEADER.STEPDOWN and META.LEADER.STEPDOWN, and
 * nats-server's answers (jetstream_api.go getStepDownPreferredPlacement, 2.11+) when nobody suits.
 *
 * A successor must be able to lead at once: a voter of the group other than this leader, online in
 * the peer directory, heard from within HEARD_WITHIN_MS, and holding every committed entry. Without
 * one the leader stays and says so (nats-server steps down anyway and lets an election decide, which a
 * lagging or unreachable peer cannot win, so the same leader comes back after an election's pause).
 *
 * The request body, read only when it is a JSON object or array (nats-server ignores any other body):
 * `{"placement": {"cluster", "tags", "preferred"}}`. `preferred` names the successor (a voter, not the
 * leader itself; when it cannot lead now, another that can is chosen, as nats-server does); otherwise
 * `cluster` and `tags` narrow the candidates.
 */
import type { RaftGroup } from "../../raft/raft-group.js";
import type { NodeId } from "../../raft/types.js";
import type { ApiRequest } from "../api/router.js";
import { jsError, jsErrorText, type ApiError } from "../errors.js";
import type { PeerFacts } from "./placement.js";

/** A peer that answered within this is reachable (5 of the default 100 ms heartbeats). */
const HEARD_WITHIN_MS = 500;

export interface StepdownPlacement {
  readonly cluster?: string;
  readonly tags?: readonly string[];
  readonly preferred?: string;
}

/** What the leader knows of its group. */
export interface GroupView {
  readonly self: NodeId;
  readonly selfName: string;
  readonly voters: readonly NodeId[];
  readonly commitIndex: number;
  /** Per other voter: how far its log matches the leader's, ms since it answered. */
  readonly progress: readonly { readonly id: NodeId; readonly matched: number; readonly heardAgoMs: number }[];
}

export function viewOf(group: RaftGroup, selfName: string): GroupView {
  return { self: group.id, selfName, voters: group.voters, commitIndex: group.commitIndex, progress: group.peerProgress() };
}

/** The body's placement (undefined when the body says nothing), or 10025 for a malformed one. */
export function stepdownPlacement(req: ApiRequest): StepdownPlacement | undefined {
  const text = req.body.toString("utf8").trimStart();
  if (!text.startsWith("{") && !text.startsWith("[")) return undefined;
  const body = req.json<{ placement?: unknown }>();
  const p = body.placement;
  if (p === undefined || p === null) return undefined;
  if (typeof p !== "object" || Array.isArray(p)) throw jsError("JSInvalidJSONErr");
  const { cluster, tags, preferred } = p as Record<string, unknown>;
  if ((cluster !== undefined && typeof cluster !== "string") || (preferred !== undefined && typeof preferred !== "string")) throw jsError("JSInvalidJSONErr");
  if (tags !== undefined && tags !== null && !(Array.isArray(tags) && tags.every((t) => typeof t === "string"))) throw jsError("JSInvalidJSONErr");
  return {
    ...(cluster !== undefined && cluster !== "" && { cluster }),
    ...(Array.isArray(tags) && tags.length > 0 && { tags: tags as string[] }),
    ...(preferred !== undefined && preferred !== "" && { preferred }),
  };
}

/** The voter to hand the leadership to, or nats-server's 10005 error. */
export function chooseSuccessor(g: GroupView, peer: (id: NodeId) => PeerFacts | undefined, placement: StepdownPlacement | undefined): NodeId | ApiError {
  const progress = new Map(g.progress.map((p) => [p.id, p]));
  const canLead = (id: NodeId): boolean => {
    const p = progress.get(id);
    const f = peer(id);
    return p !== undefined && f !== undefined && !f.offline && p.heardAgoMs < HEARD_WITHIN_MS && p.matched >= g.commitIndex;
  };
  const others = g.voters.filter((v) => v !== g.self);
  let candidates = others.filter(canLead);
  if (placement?.preferred !== undefined) {
    const name = placement.preferred;
    if (g.selfName === name) return jsErrorText("JSClusterNoPeersErrF", `preferred server "${name}" is already leader`);
    const preferred = others.find((v) => peer(v)?.name === name);
    if (preferred === undefined) return jsErrorText("JSClusterNoPeersErrF", `preferred server "${name}" not known`);
    if (canLead(preferred)) return preferred;
  } else if (placement !== undefined) {
    const tags = (placement.tags ?? []).map((t) => t.toLowerCase());
    candidates = candidates.filter((v) => {
      const f = peer(v)!;
      return (placement.cluster === undefined || f.cluster === placement.cluster) && tags.every((t) => f.tags.some((x) => x.toLowerCase() === t));
    });
  }
  if (candidates.length === 0) return jsErrorText("JSClusterNoPeersErrF", "no replacement peer connected");
  // The most caught-up first: the transfer completes soonest.
  return candidates.reduce((a, b) => (progress.get(b)!.matched > progress.get(a)!.matched ? b : a));
}
