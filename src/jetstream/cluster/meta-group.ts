/**
 * The meta group `_meta_`: one RAFT group of every JetStream server of the cluster, replicating the
 * stream and consumer assignments (meta-state.ts). Every server applies every entry; what concerns
 * this server is carried out by the AssignmentApplier.
 *
 * Who is in it. Servers announce themselves (peer-directory.ts). A server with no meta state yet
 * either joins a group that exists (some peer announces itself a member with a leader: it opens its
 * member with that leader as the only voter it knows, and the leader adds it, one voter at a time, as
 * the log's configuration says), or, when no leader is known, bootstraps with every peer it sees
 * once all of them see the same set, that set has held for BOOTSTRAP_STABLE_MS (so every server
 * that bootstraps starts from the same voters), and it holds a majority of the expected size
 * (meta-bootstrap.ts: so a minority cut off from the rest never forms a second group). The bootstrap set
 * is saved in `peers.json` beside the log: the log holds later configurations, not the first.
 *
 * Files: `<store>/jetstream/$SYS/_js_/_meta_/` (the RAFT log and state, peers.json).
 *
 * Invariants:
 * - nothing is removed locally before this member has applied everything the leader had committed
 *   when it was first heard from (caught up); then the whole state is reconciled once, and each later
 *   change as it applies;
 * - only the leader proposes; others forward proposals to it on `$JSC.PROPOSE`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { NotLeaderError } from "../../raft/errors.js";
import { RaftGroup, type StateMachine } from "../../raft/raft-group.js";
import type { Entry, NodeId } from "../../raft/types.js";
import type { Account } from "../../server/account.js";
import type { Server } from "../../server/server.js";
import type { Subscription } from "../../server/subscription.js";
import { clusterUsage, UsageResponder, type UsageShare } from "./account-usage.js";
import { AssignmentApplier, type ApplierHost } from "./assignment-applier.js";
import { requestInternal } from "./internal-request.js";
import { handOverLeaderships } from "./leaving.js";
import { expectedMetaSize, mayBootstrap } from "./meta-bootstrap.js";
import { decodeMetaEntry, encodeMetaEntry, type MetaEntry } from "./meta-entries.js";
import { MetaState, type MetaChange } from "./meta-state.js";
import { NrgTransport } from "./nrg-transport.js";
import { PeerDirectory, type Announcement } from "./peer-directory.js";

export const META_GROUP = "_meta_";
const BOOTSTRAP_STABLE_MS = 1000;
const PROPOSE_SUBJECT = "$JSC.PROPOSE";
const FORWARD_TIMEOUT_MS = 2000;
/** Entries applied between compactions of the meta log (each snapshot is the whole state). */
const SNAPSHOT_EVERY = 512;

export interface MetaGroupOptions extends ApplierHost {
  /** `<store>/jetstream`. */
  readonly storeDir: string;
  readonly tags: readonly string[];
  readonly timing?: { heartbeatMs: number; electionMinMs: number; electionMaxMs: number };
}

export class MetaGroup {
  readonly state = new MetaState();
  readonly peers: PeerDirectory;
  readonly applier: AssignmentApplier;
  group: RaftGroup | undefined;
  private readonly dir: string;
  private readonly sys: Account;
  private usage: UsageResponder | undefined;
  private caughtUp = false;
  private sinceSnapshot = 0;
  /** Streams changed before catching up (removals among them), reconciled once caught up. */
  private readonly touched: (readonly [string, string])[] = [];
  /** The last entry of the log as opened (see checkCaughtUp). */
  private lastIndexAtOpen = 0;
  private stopped = false;
  /** The set seen, and since when (ms), while waiting to bootstrap. */
  private seenSet = "";
  private seenSince = 0;
  private opening = false;
  private timer: NodeJS.Timeout | undefined;
  private proposeSub: Subscription | undefined;
  private readonly leaderListeners = new Set<(leader: NodeId | undefined) => void>();

  constructor(private readonly opts: MetaGroupOptions) {
    this.dir = join(opts.storeDir, "$SYS", "_js_", META_GROUP);
    this.applier = new AssignmentApplier(opts, this.state, (id) => this.peers.nameOf(id));
    this.peers = new PeerDirectory(opts.server, () => this.announcement(), () => this.step());
    const sys = opts.server.accounts.system;
    if (sys === undefined) throw new Error("clustered JetStream needs the system account");
    this.sys = sys;
  }

  get selfId(): NodeId {
    return this.opts.selfId;
  }

  get server(): Server {
    return this.opts.server;
  }

  get clusterName(): string {
    return this.opts.clusterName;
  }

  get isLeader(): boolean {
    return this.group?.role === "leader";
  }

  get leader(): NodeId | undefined {
    return this.group?.leader;
  }

  get leaderName(): string | undefined {
    const l = this.leader;
    return l === undefined ? undefined : l === this.selfId ? this.server.name : this.peers.nameOf(l);
  }

  /** Caught up with the leader: what this member reports is the cluster's agreed state. */
  get current(): boolean {
    return this.caughtUp;
  }

  onLeaderChange(fn: (leader: NodeId | undefined) => void): () => void {
    this.leaderListeners.add(fn);
    return () => this.leaderListeners.delete(fn);
  }

  start(): void {
    this.proposeSub = this.server.subscribeInternal(this.sys, PROPOSE_SUBJECT, (_s, reply, payload, hdrLen) => this.onForwarded(reply, Buffer.from((hdrLen > 0 ? payload.subarray(hdrLen) : payload))));
    this.peers.start();
    this.usage = new UsageResponder(this.server, this.sys, (account) => this.opts.jsAccount(account));
    this.timer = setInterval(() => this.step(), 100);
    this.timer.unref();
    if (existsSync(join(this.dir, "peers.json"))) {
      const voters = JSON.parse(readFileSync(join(this.dir, "peers.json"), "utf8")) as NodeId[];
      void this.open(voters);
    }
  }

  /** The account's usage summed over the online JetStream servers (the meta leader's account info). */
  clusterUsage(account: string): Promise<UsageShare | undefined> {
    return clusterUsage(this.server, this.sys, account, this.peers.online().length);
  }

  /**
   * The start of a clean shutdown, while the routes are up: the peers hear this server leave (they
   * count it offline at once) and the leaderships it holds move to them.
   */
  async leave(): Promise<void> {
    this.peers.stop();
    const groups = [...(this.group ? [this.group] : []), ...[...this.applier.replicas.values()].map((r) => r.group)];
    await handOverLeaderships(groups, this.server.name, (id) => this.peers.get(id));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.proposeSub) this.server.unsubscribeInternal(this.sys, this.proposeSub);
    this.usage?.stop();
    this.peers.stop();
    await this.applier.stop();
    // A shutdown goes on when the last state cannot be saved (reported): the log holds what was synced.
    await this.group?.close().catch((e: unknown) => this.server.logger.error(`JetStream meta group: closing: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Proposes on the leader, or forwards to it; resolves once committed (and applied on the leader). */
  async propose(e: MetaEntry): Promise<void> {
    const data = encodeMetaEntry(e);
    if (this.group !== undefined && this.isLeader) {
      await this.group.propose(data);
      return;
    }
    const answer = await requestInternal(this.server, this.sys, PROPOSE_SUBJECT, data, FORWARD_TIMEOUT_MS);
    if (answer === undefined) throw new NotLeaderError(this.leader);
    const text = answer.toString("utf8");
    if (text !== "+OK") throw new Error(text.replace(/^-ERR /, ""));
  }

  /** META.LEADER.STEPDOWN: hands the leadership to `to` (stepdown.ts chose it). */
  stepDown(to: NodeId): void {
    this.group?.transferLeadership(to);
  }

  /** Removes a server from the meta group (SERVER.REMOVE): the voter first, then the record. */
  async removePeer(peer: NodeId): Promise<boolean> {
    const g = this.group;
    if (g === undefined || !this.isLeader) return false;
    if (g.voters.includes(peer)) {
      if (!g.canChangeVoters) return false;
      g.changeVoters(g.voters.filter((v) => v !== peer));
    }
    await this.propose({ op: "removePeer", peer });
    return true;
  }

  private announcement(): Announcement {
    return {
      name: this.server.name,
      id: this.selfId,
      cluster: this.opts.clusterName,
      tags: this.opts.tags,
      member: this.group !== undefined,
      ...(this.leader !== undefined && { leader: this.leader }),
      sees: this.peers.online().map((p) => p.id).sort(),
    };
  }

  /** Bootstraps or joins (no group yet), adds joined peers (leader), and checks the catch-up. */
  private step(): void {
    if (this.stopped) return;
    if (this.group === undefined) return this.maybeBootstrap();
    if (this.isLeader) this.addJoinedPeer();
    this.checkCaughtUp();
  }

  private maybeBootstrap(): void {
    if (this.opening) return;
    const online = this.peers.online();
    const member = online.find((p) => p.announcement.member && p.announcement.leader !== undefined);
    if (member !== undefined) {
      void this.open([member.announcement.leader!]);
      return;
    }
    const ids = online.map((p) => p.id).sort();
    if (!ids.includes(this.selfId) || !mayBootstrap(ids.length, this.expectedSize())) return;
    const set = ids.join(",");
    const now = Date.now();
    if (set !== this.seenSet) {
      this.seenSet = set;
      this.seenSince = now;
      return;
    }
    if (now - this.seenSince < BOOTSTRAP_STABLE_MS) return;
    // Peers that bootstrapped already did so with this same set (they saw it too): no leader yet.
    if (!online.every((p) => p.announcement.sees.join(",") === set)) return;
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, "peers.json"), JSON.stringify(ids));
    void this.open(ids);
  }

  /** The meta group's expected first size, from the configured routes (known once routes listen). */
  private expectedSize(): number {
    const routes = this.server.routes;
    return expectedMetaSize(this.server.opts.cluster?.routes ?? [], { host: routes?.host ?? "", port: routes?.port ?? 0 });
  }

  private async open(voters: NodeId[]): Promise<void> {
    if (this.opening || this.group !== undefined) return;
    this.opening = true;
    const sm: StateMachine = {
      apply: (entries) => this.apply(entries),
      restore: (data) => {
        const before = [...this.state.streams.values()].map((sa) => [sa.account, sa.config.name as string] as const);
        this.state.restore(data);
        if (this.caughtUp) void this.applier.all(before);
        else for (const k of before) this.touched.push(k);
      },
      snapshot: () => this.state.snapshot(),
    };
    try {
      if (!existsSync(join(this.dir, "peers.json"))) {
        mkdirSync(this.dir, { recursive: true });
        writeFileSync(join(this.dir, "peers.json"), JSON.stringify(voters));
      }
      const group = await RaftGroup.open({
        group: META_GROUP,
        id: this.selfId,
        voters,
        dir: this.dir,
        transport: new NrgTransport(this.server),
        stateMachine: sm,
        ...(this.opts.timing && { timing: this.opts.timing }),
        onError: (err) => this.server.logger.error(`JetStream meta group stopped: ${err instanceof Error ? err.message : String(err)}`),
        onLeaderChange: (leader) => {
          if (leader === this.selfId) this.server.logger.info("JetStream cluster: this server is the meta leader");
          for (const fn of this.leaderListeners) fn(leader);
          this.peers.announce();
          this.checkCaughtUp();
        },
      });
      if (this.stopped) {
        await group.close();
        return;
      }
      this.group = group;
      this.lastIndexAtOpen = group.lastIndex;
      this.peers.announce();
    } finally {
      this.opening = false;
    }
  }

  private apply(entries: readonly Entry[]): void {
    const changes: MetaChange[] = [];
    for (const e of entries) {
      if (e.kind !== "normal") continue;
      changes.push(...this.state.apply(decodeMetaEntry(e.data)));
    }
    this.sinceSnapshot += entries.length;
    if (this.sinceSnapshot >= SNAPSHOT_EVERY) {
      // After this call stack: the group records the apply first.
      this.sinceSnapshot = 0;
      setImmediate(() => this.group?.takeSnapshot());
    }
    // The batch may be what completes the catch-up (a new leader's first entries with a request).
    if (!this.caughtUp && entries.length > 0) this.checkCaughtUp(entries[entries.length - 1]!.index);
    if (this.caughtUp) {
      for (const c of changes) this.carryOut(c);
    } else {
      for (const c of changes) if (c.kind === "stream") this.touched.push([c.account, c.name]);
      queueMicrotask(() => this.checkCaughtUp());
    }
  }

  private carryOut(c: MetaChange): void {
    switch (c.kind) {
      case "stream":
        void this.applier.stream(c.account, c.name, c.requester);
        return;
      case "consumer":
        void this.applier.consumer(c.account, c.stream, c.name);
        return;
      case "peerRemoved":
        return;
    }
  }

  /**
   * Caught up: a leader is known and everything this member's log held at open is committed and
   * applied here. (A restarted member learns the commit index only once the leader's appends match
   * its log; until then its state may lack streams it holds, which must not be taken for removals.)
   */
  private checkCaughtUp(appliedThrough?: number): void {
    const g = this.group;
    if (this.caughtUp || g === undefined || g.leader === undefined) return;
    const applied = Math.max(g.applied, appliedThrough ?? 0);
    if (g.commitIndex === 0 || g.commitIndex < this.lastIndexAtOpen || applied < g.commitIndex) return;
    this.caughtUp = true;
    void this.applier.all(this.touched.splice(0));
  }

  /** The leader adds one peer that opened its member but is not a voter yet. */
  private addJoinedPeer(): void {
    const g = this.group!;
    for (const p of this.peers.online()) {
      if (!p.announcement.member || g.voters.includes(p.id) || this.state.removedPeers.has(p.id) || p.cluster !== this.opts.clusterName) continue;
      if (!g.canChangeVoters) return;
      g.changeVoters([...g.voters, p.id]);
      this.server.logger.info(`JetStream cluster: adding peer ${p.name} to the meta group`);
      return;
    }
  }

  private onForwarded(reply: string | undefined, data: Buffer): void {
    const g = this.group;
    if (g === undefined || !this.isLeader || reply === undefined) return;
    g.propose(data).then(
      () => this.server.publishInternal(this.sys, reply, undefined, "+OK"),
      (e: unknown) => this.server.publishInternal(this.sys, reply, undefined, `-ERR ${e instanceof Error ? e.message : String(e)}`),
    );
  }
}
