/**
 * RAFT traffic over the server's own messaging (raft/transport.ts implemented on the server): internal
 * subscriptions and publishes in the system account, which routes carry to the other servers like any
 * message (the system account's internal interest is announced to route peers).
 *
 * Subjects: a message for member `to` of `group` goes to `$NRG.<channel>.<group>.<to>` with the
 * sender's reply subject `$NRG.R.<group>.<from>`; each member listens on `$NRG.*.<group>.<self>`.
 * nats-server broadcasts votes and appends on `$NRG.V.<group>` / `$NRG.AE.<group>` to every peer;
 * our core addresses each message to one peer (a leader's appends differ per follower), so the
 * member's id ends the subject. Peers are addressed by raftNodeId(server name), so no table of peers
 * is kept: interest over the routes finds the server that holds the member.
 */
import type { Channel, RaftTransport } from "../../raft/transport.js";
import type { NodeId } from "../../raft/types.js";
import type { Account } from "../../server/account.js";
import type { Server } from "../../server/server.js";

export class NrgTransport implements RaftTransport {
  private readonly account: Account;

  constructor(private readonly server: Server) {
    const sys = server.accounts.system;
    if (sys === undefined) throw new Error("RAFT needs the system account (no_system_account is set)");
    this.account = sys;
  }

  listen(group: string, self: NodeId, onBytes: (bytes: Buffer) => void): () => void {
    // The payload is a view of a socket read: copied, because the log keeps entries that point into it.
    const sub = this.server.subscribeInternal(this.account, `$NRG.*.${group}.${self}`, (_subject, _reply, payload, hdrLen) => onBytes(Buffer.from(hdrLen > 0 ? payload.subarray(hdrLen) : payload)));
    return () => this.server.unsubscribeInternal(this.account, sub);
  }

  send(group: string, from: NodeId, to: NodeId, channel: Channel, bytes: Buffer): void {
    this.server.publishInternal(this.account, `$NRG.${channel}.${group}.${to}`, `$NRG.R.${group}.${from}`, bytes);
  }

  /** The member's subscription is known here while a route to its server is up (its close removes it). */
  reachable(group: string, to: NodeId): boolean {
    return this.account.sublist.hasInterest(`$NRG.AE.${group}.${to}`);
  }
}
