/**
 * The cluster's JetStream servers as this server hears of them: each clustered JetStream server
 * announces itself (name, RAFT id, cluster, tags, whether it is in the meta group and whom it sees) on
 * `$JSC.PEER` in the system account every ANNOUNCE_MS, and once more, marked gone, when it shuts down.
 * A peer not heard from within OFFLINE_MS is offline: placement skips it, /jsz reports it.
 * (nats-server learns the same from its $SYS statsz and the meta group's peer entries.)
 */
import type { NodeId } from "../../raft/types.js";
import type { Account } from "../../server/account.js";
import type { Server } from "../../server/server.js";
import type { Subscription } from "../../server/subscription.js";
import type { PeerFacts } from "./placement.js";

const SUBJECT = "$JSC.PEER";
export const ANNOUNCE_MS = 250;
const OFFLINE_MS = 3000;

export interface Announcement {
  readonly name: string;
  readonly id: NodeId;
  readonly cluster: string;
  readonly tags: readonly string[];
  /** This server already has meta group state (it joined before, or bootstrapped). */
  readonly member: boolean;
  /** The meta leader it knows of. */
  readonly leader?: NodeId;
  /** The peers it has heard from (online), itself included: servers bootstrap when their views agree. */
  readonly sees: readonly NodeId[];
  readonly gone?: boolean;
}

export interface PeerRecord extends PeerFacts {
  readonly announcement: Announcement;
  /** ms (Date.now) when last heard. */
  readonly lastSeen: number;
}

export class PeerDirectory {
  private readonly peers = new Map<NodeId, PeerRecord>();
  private readonly sys: Account;
  private sub: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Stopped: this server announced it is gone, and says nothing more. */
  private left = false;

  constructor(
    private readonly server: Server,
    /** This server's current announcement. */
    private readonly self: () => Announcement,
    private readonly onChange: () => void,
  ) {
    const sys = server.accounts.system;
    if (sys === undefined) throw new Error("clustered JetStream needs the system account (no_system_account is set)");
    this.sys = sys;
  }

  start(): void {
    this.left = false;
    this.sub = this.server.subscribeInternal(this.sys, SUBJECT, (_s, _r, payload, hdrLen) => {
      let a: Announcement;
      try {
        a = JSON.parse((hdrLen > 0 ? payload.subarray(hdrLen) : payload).toString("utf8")) as Announcement;
      } catch {
        return;
      }
      this.heard(a);
    });
    this.timer = setInterval(() => this.announce(), ANNOUNCE_MS);
    this.timer.unref();
    this.announce();
  }

  stop(): void {
    this.left = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.sub) {
      this.server.publishInternal(this.sys, SUBJECT, undefined, JSON.stringify({ ...this.self(), gone: true }));
      this.server.unsubscribeInternal(this.sys, this.sub);
    }
    this.sub = undefined;
  }

  /** Not after stop: a leadership handed over while leaving would announce this server online again. */
  announce(): void {
    if (this.left) return;
    this.server.publishInternal(this.sys, SUBJECT, undefined, JSON.stringify(this.self()));
  }

  private heard(a: Announcement): void {
    const prev = this.peers.get(a.id);
    const offline = a.gone === true;
    this.peers.set(a.id, { id: a.id, name: a.name, cluster: a.cluster, tags: a.tags, offline, announcement: a, lastSeen: Date.now() });
    if (prev === undefined || prev.offline !== offline || prev.announcement.sees.length !== a.sees.length || prev.announcement.member !== a.member) this.onChange();
  }

  /** Every peer ever heard of, with `offline` as of now. */
  all(): PeerRecord[] {
    const now = Date.now();
    return [...this.peers.values()].map((p) => (p.offline || now - p.lastSeen <= OFFLINE_MS ? p : { ...p, offline: true }));
  }

  get(id: NodeId): PeerRecord | undefined {
    return this.all().find((p) => p.id === id);
  }

  byName(name: string): PeerRecord | undefined {
    return this.all().find((p) => p.name === name);
  }

  online(): PeerRecord[] {
    return this.all().filter((p) => !p.offline);
  }

  nameOf(id: NodeId): string | undefined {
    return this.peers.get(id)?.name;
  }
}
