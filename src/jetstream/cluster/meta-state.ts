/**
 * What the meta group agrees on, as a pure state machine: the streams and consumers that exist in the
 * cluster and where streams live, and the peers removed from the cluster. apply(entry) returns what
 * changed, so that each server can carry out the changes that concern it (meta-group.ts).
 *
 * Invariants:
 * - a consumer assignment exists only while its stream's assignment does (a stream's removal takes
 *   its consumers with it, and a consumer of a missing stream is not recorded);
 * - a removal names the creation time of what it removes: it never removes a later stream that
 *   reuses the name (a removal proposed against an older state is a no-op).
 */
import type { NodeId } from "../../raft/types.js";
import { assert } from "../../util/assert.js";
import type { ConsumerAssignment, MetaEntry, Requester, StreamAssignment } from "./meta-entries.js";

/** A change to carry out where it applies: a stream (with its consumers) or one consumer. */
export type MetaChange =
  | { readonly kind: "stream"; readonly account: string; readonly name: string; readonly requester?: Requester }
  | { readonly kind: "consumer"; readonly account: string; readonly stream: string; readonly name: string }
  | { readonly kind: "peerRemoved"; readonly peer: NodeId };

interface Snapshot {
  streams: StreamAssignment[];
  consumers: ConsumerAssignment[];
  removedPeers: NodeId[];
}

export function streamKey(account: string, name: string): string {
  return `${account}\u0000${name}`;
}

export class MetaState {
  readonly streams = new Map<string, StreamAssignment>();
  /** By stream key, then consumer name. */
  readonly consumers = new Map<string, Map<string, ConsumerAssignment>>();
  readonly removedPeers = new Set<NodeId>();

  stream(account: string, name: string): StreamAssignment | undefined {
    return this.streams.get(streamKey(account, name));
  }

  consumersOf(account: string, stream: string): Map<string, ConsumerAssignment> {
    return this.consumers.get(streamKey(account, stream)) ?? new Map();
  }

  /** The streams of one account, by name. */
  accountStreams(account: string): StreamAssignment[] {
    const out: StreamAssignment[] = [];
    for (const sa of this.streams.values()) if (sa.account === account) out.push(sa);
    return out.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  }

  /** How many streams each peer holds a replica of (placement prefers the least loaded). */
  assetsByPeer(): Map<NodeId, number> {
    const n = new Map<NodeId, number>();
    for (const sa of this.streams.values()) for (const p of sa.placement.peers) n.set(p, (n.get(p) ?? 0) + 1);
    return n;
  }

  apply(e: MetaEntry): MetaChange[] {
    switch (e.op) {
      case "stream": {
        const key = streamKey(e.sa.account, name(e.sa));
        const prev = this.streams.get(key);
        // A new stream of a reused name starts without the old one's consumers.
        if (prev !== undefined && prev.created !== e.sa.created) this.consumers.delete(key);
        this.streams.set(key, e.sa);
        return [{ kind: "stream", account: e.sa.account, name: name(e.sa), ...(e.requester && { requester: e.requester }) }];
      }
      case "removeStream": {
        const key = streamKey(e.account, e.name);
        const prev = this.streams.get(key);
        if (prev === undefined || prev.created !== e.created) return [];
        this.streams.delete(key);
        this.consumers.delete(key);
        return [{ kind: "stream", account: e.account, name: e.name }];
      }
      case "consumer": {
        const key = streamKey(e.ca.account, e.ca.stream);
        if (!this.streams.has(key)) return [];
        let m = this.consumers.get(key);
        if (m === undefined) this.consumers.set(key, (m = new Map()));
        m.set(e.ca.name, e.ca);
        return [{ kind: "consumer", account: e.ca.account, stream: e.ca.stream, name: e.ca.name }];
      }
      case "removeConsumer": {
        const m = this.consumers.get(streamKey(e.account, e.stream));
        if (m === undefined || !m.delete(e.name)) return [];
        return [{ kind: "consumer", account: e.account, stream: e.stream, name: e.name }];
      }
      case "removePeer":
        this.removedPeers.add(e.peer);
        return [{ kind: "peerRemoved", peer: e.peer }];
    }
  }

  snapshot(): Buffer {
    const snap: Snapshot = { streams: [...this.streams.values()], consumers: [...this.consumers.values()].flatMap((m) => [...m.values()]), removedPeers: [...this.removedPeers] };
    return Buffer.from(JSON.stringify(snap));
  }

  restore(data: Buffer): void {
    this.streams.clear();
    this.consumers.clear();
    this.removedPeers.clear();
    if (data.length === 0) return;
    const snap = JSON.parse(data.toString("utf8")) as Snapshot;
    for (const sa of snap.streams) this.streams.set(streamKey(sa.account, name(sa)), sa);
    for (const ca of snap.consumers) {
      const key = streamKey(ca.account, ca.stream);
      assert(this.streams.has(key), () => `meta snapshot: consumer ${ca.name} of a missing stream ${ca.stream}`);
      let m = this.consumers.get(key);
      if (m === undefined) this.consumers.set(key, (m = new Map()));
      m.set(ca.name, ca);
    }
    for (const p of snap.removedPeers) this.removedPeers.add(p);
  }
}

export function name(sa: StreamAssignment): string {
  return sa.config.name as string;
}
