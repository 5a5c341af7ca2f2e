/**
 * What a RAFT group needs from the network, owned here so that the layer that has the network (the
 * server's routes, wired in jetstream/cluster/nrg-transport.ts) implements it without raft/ importing
 * it. Bytes only: messages are encoded by codec.ts.
 *
 * Delivery is best effort: a message may be lost, late or duplicated (the core resends what matters).
 * Addresses are subject tokens: a group name and node ids are plain [A-Za-z0-9_-] tokens.
 */
import type { Message } from "./messages.js";
import type { NodeId } from "./types.js";

/**
 * Which kind of traffic, as nats-server names its subjects: V for elections, AE for the leader's
 * appends (entries, snapshots, leader transfer), R for the answers to either.
 */
export type Channel = "V" | "AE" | "R";

export interface RaftTransport {
  /** Delivers every message for `self` in `group` to `onBytes` until the returned function is called. */
  listen(group: string, self: NodeId, onBytes: (bytes: Buffer) => void): () => void;
  send(group: string, from: NodeId, to: NodeId, channel: Channel, bytes: Buffer): void;
  /**
   * False once nothing would carry a message to `to` (the route to its server closed); true while a
   * path exists, or when the transport cannot tell. Asked every tick about the leader: it must be cheap.
   */
  reachable?(group: string, to: NodeId): boolean;
}

export function channelOf(m: Message): Channel {
  switch (m.type) {
    case "preVote":
    case "vote":
      return "V";
    case "append":
    case "snapshot":
    case "timeoutNow":
      return "AE";
    default:
      return "R";
  }
}

const TOKEN = /^[A-Za-z0-9_-]+$/;

/** A group name or node id can be a token of a subject. */
export function isAddressToken(s: string): boolean {
  return TOKEN.test(s);
}
