/**
 * Where a new stream's replicas go, as a pure function of the known peers (nats-server's rules): only
 * online peers of the requested cluster (default: the meta leader's), carrying every requested tag;
 * with `unique_tag` set, no two replicas on peers that share that tag's value; among those, the peers
 * with the fewest streams first. The preferred peer, when it fits, is first (the preferred leader).
 */
import type { NodeId } from "../../raft/types.js";
import { jsErrorText, type ApiError } from "../errors.js";

export interface PeerFacts {
  readonly id: NodeId;
  readonly name: string;
  readonly cluster: string;
  readonly tags: readonly string[];
  readonly offline: boolean;
}

export interface PlacementRequest {
  readonly replicas: number;
  /** The stream config's placement. */
  readonly cluster?: string;
  readonly tags?: readonly string[];
  readonly preferred?: string;
  /** The cluster to use when the request names none. */
  readonly defaultCluster: string;
  /** The server's `unique_tag` prefix (e.g. "az:"), if any. */
  readonly uniqueTag?: string;
  /** Streams already held per peer. */
  readonly assets: ReadonlyMap<NodeId, number>;
  /** Peers that must not be picked (a peer being replaced, removed servers). */
  readonly exclude?: ReadonlySet<NodeId>;
}

/** The chosen peers, preferred leader first; or nats-server's 10005 error. */
export function placePeers(peers: readonly PeerFacts[], req: PlacementRequest): NodeId[] | ApiError {
  const cluster = req.cluster ?? req.defaultCluster;
  const tags = (req.tags ?? []).map((t) => t.toLowerCase());
  const candidates = peers
    .filter((p) => !p.offline && p.cluster === cluster && !req.exclude?.has(p.id))
    .filter((p) => tags.every((t) => p.tags.some((x) => x.toLowerCase() === t)))
    .sort((a, b) => (req.assets.get(a.id) ?? 0) - (req.assets.get(b.id) ?? 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const preferred = req.preferred === undefined ? -1 : candidates.findIndex((p) => p.name === req.preferred);
  if (preferred > 0) candidates.unshift(...candidates.splice(preferred, 1));
  const chosen: PeerFacts[] = [];
  const usedUnique = new Set<string>();
  for (const p of candidates) {
    if (chosen.length === req.replicas) break;
    if (req.uniqueTag) {
      const v = uniqueValue(p, req.uniqueTag);
      if (v === undefined || usedUnique.has(v)) continue;
      usedUnique.add(v);
    }
    chosen.push(p);
  }
  if (chosen.length < req.replicas) {
    const detail = tags.length > 0 && candidates.length === 0 ? `, tags not matched [${tags.map((t) => `'${t}'`).join(", ")}]` : "";
    return jsErrorText("JSClusterNoPeersErrF", `no suitable peers for placement${detail}`);
  }
  return chosen.map((p) => p.id);
}

function uniqueValue(p: PeerFacts, prefix: string): string | undefined {
  const lower = prefix.toLowerCase();
  const t = p.tags.find((x) => x.toLowerCase().startsWith(lower));
  return t?.slice(prefix.length).toLowerCase();
}
