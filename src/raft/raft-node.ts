/**
 * One member of a RAFT group, as a pure deterministic state machine: inputs are peer messages, ticks
 * carrying the virtual time, I/O completions, proposals and membership requests; every input returns
 * the effects the shell must carry out, in order (effects.ts). No timers, sockets, files, clock reads
 * or randomness inside: the election timeout is drawn from the injected RandomSource.
 *
 * Invariants (the RAFT properties this node is responsible for, asserted where they could break):
 * - Election safety: at most one vote per term, on disk before the vote is sent; so at most one leader
 *   per term. A node repairing damage (repairAbove set) grants no vote and never campaigns.
 * - Log matching: an append is accepted only when the log holds the leader's (prevIndex, prevTerm);
 *   entries are replaced only from the first conflicting one on, and never a committed one.
 * - Leader append-only: a leader never truncates or rewrites its log.
 * - Durable commit: the commit index never decreases, and a leader advances it only to an index of its
 *   own term that a majority of voters hold *durably* (fdatasynced and acknowledged as such), counting
 *   itself only up to its own durable index.
 * - Leader completeness follows from the vote rule (grant only to a log at least as up to date) and
 *   from durable commit: every committed entry sits on the disks of a majority.
 *
 * Damage: a node whose log or snapshot failed its checksum (or was cut short) starts with `damaged`:
 * the shell gives it only the verified entries. Those lost may have been counted toward a commit
 * (its acknowledgements are already out), so until it has committed an entry of a term above the one
 * it had then, it neither votes nor campaigns: any majority that elects a leader meanwhile intersects
 * every commit quorum outside the damaged nodes, so the leader holds every committed entry, and the
 * node catches up from it like any lagging peer.
 *
 * Pre-vote and leases: a node whose election timer fires first asks for pre-votes (no term change);
 * a peer that heard from a live leader within the minimum election timeout grants none, and ignores
 * real vote requests too unless they come from a leader transfer. A leader that has not heard from a
 * majority within that timeout steps down (check-quorum), so the lease never outlives the leader.
 * What pre-vote cannot undo: a node cut off just after it became a candidate comes back with a higher
 * term, and its answers to the leader's appends depose it once (as in etcd's RAFT); the term only
 * grows on a pre-vote majority, so this happens at most once per such cut.
 *
 * How the I/O shell drives it (the shell is not written yet; store/log/durable-log.ts is its log):
 * - Start: read the hard state (its own small file, util/atomic-file writeFileAtomic) and the log
 *   (DurableLog.open: snapshot frame + entries, each decoded to an Entry). If open() reported damage
 *   (damagedCopy), a checksum failed in the snapshot, or the log ends before the durable mark the
 *   shell keeps, pass `damaged` with the verified prefix only. Then call start().
 * - Effects, carried out in order:
 *   saveHardState   -> writeFileAtomic of {term, votedFor, repairAbove}, awaited before what follows;
 *   append          -> DurableLog.append(encoded entry), one per entry, in the page cache;
 *   truncateAfter   -> DurableLog.truncateAfter(index) (the cut is synced before later writes);
 *   sync            -> await DurableLog.sync() (group commit: one fdatasync serves every sync of the
 *                      loop turn), then node.durable(index, term) with the effect's values;
 *   saveSnapshot    -> await DurableLog.compact(index, encoded snapshot), then node.snapshotSaved;
 *   installSnapshot -> the state machine restores from snapshot.data; the log becomes that snapshot:
 *                      compact(index, ..) when the log reaches index, else a new log from
 *                      DurableLog.create(path, opts, snapshot) in place of the old; then snapshotSaved;
 *   apply           -> the stream/consumer/meta state machine applies the entries; a leader answers
 *                      the proposals among them (the PubAck);
 *   send            -> encoded per messages.ts on $NRG.V.<group> / $NRG.AE.<group> or the peer's
 *                      $NRG.R.<inbox> reply subject, in the system account, carried by routes;
 *   leaderChanged   -> LEADER_ELECTED advisories, /raftz, where follower proposals are forwarded.
 * - Inputs: tick(now) from one timer per group (every few ms up to heartbeatMs), receive() per decoded
 *   message, propose() with the proposals of one loop turn as one batch, changeVoters() for peer
 *   add/remove ($NRG.RP), transferLeadership() for stepdown and lame duck, takeSnapshot() when the
 *   state machine has a snapshot of what it applied.
 */
import { assert } from "../util/assert.js";
import type { Effect } from "./effects.js";
import type { Append, AppendResponse, InstallSnapshot, Message, PreVote, Vote } from "./messages.js";
import { Progress } from "./progress.js";
import { isQuorum, quorumIndex } from "./quorum.js";
import { RaftLog } from "./raft-log.js";
import type { Entry, HardState, Index, NodeId, RandomSource, Snapshot, Term } from "./types.js";

export type Role = "follower" | "preCandidate" | "candidate" | "leader";

export interface RaftTiming {
  heartbeatMs: number;
  /** Election timeouts are drawn in [electionMinMs, electionMaxMs); the minimum is also the lease. */
  electionMinMs: number;
  electionMaxMs: number;
}

export interface RaftNodeOptions {
  id: NodeId;
  hardState: HardState;
  /** The snapshot read back, or undefined for a log never compacted (then `voters` is the group). */
  snapshot: Snapshot | undefined;
  /** The verified entries after the snapshot, as read back. */
  entries: readonly Entry[];
  /** The group's initial voters, used when neither the snapshot nor the log holds a configuration. */
  voters: readonly NodeId[];
  /** The log or snapshot failed verification: entries after `entries` were lost. */
  damaged: boolean;
  random: RandomSource;
  now: number;
  timing?: Partial<RaftTiming>;
  /** Entries per append message, and batches in flight per peer. */
  maxBatch?: number;
  maxInflight?: number;
}

const DEFAULT_TIMING: RaftTiming = { heartbeatMs: 100, electionMinMs: 1000, electionMaxMs: 2000 };

export class RaftNode {
  readonly id: NodeId;
  private readonly log: RaftLog;
  private readonly random: RandomSource;
  private readonly timing: RaftTiming;
  private readonly maxBatch: number;
  private readonly maxInflight: number;

  private term: Term;
  private votedFor: NodeId | undefined;
  private repairAbove: Term | undefined;
  private roleNow: Role = "follower";
  private leader: NodeId | undefined;
  private commit: Index;
  /** Fdatasynced prefix of this node's own log. */
  private durableIndex: Index;
  /** Follower: how far the log is known to equal the current leader's. */
  private matchLimit: Index = 0;
  private votes = new Set<NodeId>();
  private progress = new Map<NodeId, Progress>();
  private transfer: { to: NodeId; deadline: number; sent: boolean } | undefined;
  /** A snapshot being written: our own compaction, or one installed from the leader. */
  private saving: { snapshot: Snapshot; installed: boolean } | undefined;

  /** Virtual time: advances by the ticks' forward steps only, so a clock jumping back stalls nothing. */
  private now = 0;
  private lastClock: number;
  private electionDeadline = 0;
  private heartbeatDue = 0;
  private quorumCheckDue = 0;
  private leaderHeardAt = -Infinity;
  private out: Effect[] = [];
  private readonly damagedAtStart: boolean;

  constructor(o: RaftNodeOptions) {
    this.id = o.id;
    this.random = o.random;
    this.timing = { ...DEFAULT_TIMING, ...o.timing };
    assert(this.timing.electionMinMs < this.timing.electionMaxMs && this.timing.heartbeatMs < this.timing.electionMinMs, "raft: timing out of order");
    this.maxBatch = o.maxBatch ?? 64;
    this.maxInflight = o.maxInflight ?? 4;
    this.log = new RaftLog(o.snapshot ?? { index: 0, term: 0, voters: o.voters, data: Buffer.alloc(0) });
    this.log.append(o.entries);
    this.term = Math.max(o.hardState.term, this.log.lastTerm);
    this.votedFor = o.hardState.term === this.term ? o.hardState.votedFor : undefined;
    this.repairAbove = o.hardState.repairAbove;
    this.damagedAtStart = o.damaged;
    if (o.damaged) this.repairAbove = Math.max(this.repairAbove ?? 0, this.term);
    this.commit = this.log.snapshot.index;
    this.durableIndex = this.log.snapshot.index;
    this.lastClock = o.now;
  }

  // ---- observation (for the shell and tests) ----

  get role(): Role {
    return this.roleNow;
  }
  get currentTerm(): Term {
    return this.term;
  }
  get leaderId(): NodeId | undefined {
    return this.leader;
  }
  get commitIndex(): Index {
    return this.commit;
  }
  get durableThrough(): Index {
    return this.durableIndex;
  }
  get lastIndex(): Index {
    return this.log.lastIndex;
  }
  get voters(): readonly NodeId[] {
    return this.log.voters();
  }
  get repairing(): boolean {
    return this.repairAbove !== undefined;
  }
  /** Leader only (empty otherwise): per other voter, how far its log matches and ms since it answered. */
  peerProgress(): { id: NodeId; matched: Index; heardAgoMs: number }[] {
    if (this.roleNow !== "leader") return [];
    return [...this.progress].map(([id, p]) => ({ id, matched: p.matched, heardAgoMs: this.now - p.heardAt }));
  }
  termAt(index: Index): Term | undefined {
    return this.log.termAt(index);
  }
  entry(index: Index): Entry | undefined {
    return this.log.entry(index);
  }
  get snapshot(): Snapshot {
    return this.log.snapshot;
  }
  /** A leader accepts proposals, except while handing leadership over. */
  get canPropose(): boolean {
    return this.roleNow === "leader" && this.transfer === undefined;
  }
  /**
   * One membership change at a time: the last one must be committed first, and so must an entry of
   * this leader's term. Without the latter, two leaders of successive terms can each append a change
   * to the same old configuration (one removing x, the other y) whose majorities do not intersect:
   * the simulator found that, a committed entry missing from a later leader (seed 600189, 3 nodes,
   * 10000 steps).
   */
  get canChangeVoters(): boolean {
    return this.canPropose && this.log.configIndex() <= this.commit && this.log.termAt(this.commit) === this.term;
  }

  // ---- inputs ----

  /** First input after construction: persists what start-up decided, resyncs what was read back. */
  start(): Effect[] {
    if (this.damagedAtStart) this.saveHardState();
    this.resetElectionTimer();
    if (this.log.lastIndex > this.durableIndex) this.emit({ type: "sync", index: this.log.lastIndex, term: this.log.lastTerm });
    return this.drain();
  }

  tick(clock: number): Effect[] {
    this.now += Math.max(0, clock - this.lastClock);
    this.lastClock = clock;
    if (this.roleNow === "leader") this.leaderTick();
    else if (this.now >= this.electionDeadline) {
      if (this.canCampaign()) this.campaign();
      else this.resetElectionTimer();
    }
    return this.drain();
  }

  receive(m: Message): Effect[] {
    if (m.to === this.id) this.handle(m);
    return this.drain();
  }

  /** The log is fdatasynced through `index`, which held an entry of `term` when the sync was asked. */
  durable(index: Index, term: Term): Effect[] {
    // A sync asked before a truncation covered entries that are gone: the term tells them apart,
    // because two logs holding the same (index, term) are equal up to there (log matching).
    if (index > this.durableIndex && this.log.termAt(index) === term) {
      this.durableIndex = index;
      if (this.roleNow === "leader") this.maybeCommit();
      else this.acknowledge();
    }
    return this.drain();
  }

  propose(data: readonly Buffer[]): Effect[] {
    assert(this.canPropose, "raft: propose on a node that does not accept proposals");
    this.appendAsLeader(data.map((d, i) => ({ index: this.log.lastIndex + 1 + i, term: this.term, kind: "normal", data: d })));
    return this.drain();
  }

  /** Adds or removes one voter: `voters` is the whole new set. */
  changeVoters(voters: readonly NodeId[]): Effect[] {
    assert(this.canChangeVoters, "raft: membership change while not leader or while one is pending");
    const old = this.log.voters();
    const added = voters.filter((v) => !old.includes(v)).length;
    const removed = old.filter((v) => !voters.includes(v)).length;
    assert(added + removed === 1 && new Set(voters).size === voters.length, "raft: a membership change adds or removes exactly one voter");
    this.appendAsLeader([{ index: this.log.lastIndex + 1, term: this.term, kind: "config", data: Buffer.alloc(0), voters: [...voters] }]);
    return this.drain();
  }

  /** Hands leadership to `to` (or the most up-to-date voter) once it holds the whole log. */
  transferLeadership(to?: NodeId): Effect[] {
    if (this.roleNow !== "leader" || this.transfer) return this.drain();
    let target = to;
    if (target === undefined) {
      let best = -1;
      for (const v of this.log.voters()) {
        const p = this.progress.get(v);
        if (v !== this.id && p && p.matched > best) (target = v), (best = p.matched);
      }
    }
    if (target === undefined || target === this.id || !this.log.voters().includes(target)) return this.drain();
    this.transfer = { to: target, deadline: this.now + this.timing.electionMinMs, sent: false };
    this.advanceTransfer();
    this.sendAppends(target, true);
    return this.drain();
  }

  /** The state machine has a snapshot of what it applied through `index`: compact the log. */
  takeSnapshot(index: Index, data: Buffer): Effect[] {
    assert(index <= this.commit, () => `raft: snapshot at ${index} past commit ${this.commit}`);
    if (index > this.log.snapshot.index && this.saving === undefined) {
      const snapshot: Snapshot = { index, term: this.log.termAt(index)!, voters: this.log.votersAt(index), data };
      this.saving = { snapshot, installed: false };
      this.emit({ type: "saveSnapshot", snapshot });
    }
    return this.drain();
  }

  snapshotSaved(index: Index): Effect[] {
    const s = this.saving;
    if (s && s.snapshot.index === index) {
      this.saving = undefined;
      if (!s.installed) this.log.compact(s.snapshot);
      if (this.log.termAt(index) === s.snapshot.term) this.durableIndex = Math.max(this.durableIndex, index);
      if (s.installed) this.acknowledge();
    }
    return this.drain();
  }

  // ---- messages ----

  private handle(m: Message): void {
    switch (m.type) {
      case "preVote":
        return this.onPreVote(m);
      case "vote":
        if (!m.transfer && this.leaseActive()) return; // a live leader is not deposed by a returning node
        break;
    }
    // A granted pre-vote carries the term we would campaign for: it does not make us a follower of it.
    const grantedPreVote = m.type === "preVoteResponse" && m.granted;
    if (m.term > this.term && !grantedPreVote) {
      const fromLeader = m.type === "append" || m.type === "snapshot" || m.type === "timeoutNow";
      this.becomeFollower(m.term, fromLeader ? m.from : undefined);
    }
    switch (m.type) {
      case "preVoteResponse":
        if (this.roleNow === "preCandidate" && m.term === this.term + 1 && m.granted) {
          this.votes.add(m.from);
          if (isQuorum(this.log.voters(), this.votes)) this.startElection(false);
        }
        return;
      case "vote":
        return this.onVote(m);
      case "voteResponse":
        if (this.roleNow === "candidate" && m.term === this.term && m.granted) {
          this.votes.add(m.from);
          if (isQuorum(this.log.voters(), this.votes)) this.becomeLeader();
        }
        return;
      case "append":
        return this.onAppend(m);
      case "snapshot":
        return this.onSnapshot(m);
      case "appendResponse":
        return this.onAppendResponse(m);
      case "timeoutNow":
        if (m.term === this.term && this.canCampaign()) this.startElection(true);
        return;
    }
  }

  private onPreVote(m: PreVote): void {
    const granted = m.term > this.term && !this.leaseActive() && this.repairAbove === undefined && this.upToDate(m.lastIndex, m.lastTerm);
    this.send({ type: "preVoteResponse", from: this.id, to: m.from, term: granted ? m.term : this.term, granted });
  }

  private onVote(m: Vote): void {
    let granted = false;
    if (m.term === this.term && this.repairAbove === undefined && (this.votedFor === undefined || this.votedFor === m.from) && this.upToDate(m.lastIndex, m.lastTerm)) {
      granted = true;
      if (this.votedFor === undefined) {
        this.votedFor = m.from;
        this.saveHardState();
      }
      this.resetElectionTimer();
    }
    this.send({ type: "voteResponse", from: this.id, to: m.from, term: this.term, granted });
  }

  private onAppend(m: Append): void {
    if (m.term < this.term) return this.send({ type: "appendResponse", from: this.id, to: m.from, term: this.term, success: false, matched: 0, durable: 0 });
    this.followLeader(m.from);
    if (this.saving?.installed) return; // the leader resends once the snapshot is on disk
    let prevIndex = m.prevIndex;
    let entries = m.entries;
    const snapIndex = this.log.snapshot.index;
    if (prevIndex < snapIndex) {
      // What the snapshot covers is committed, so equal to the leader's: skip it.
      entries = entries.filter((e) => e.index > snapIndex);
      if (entries.length === 0 && prevIndex + m.entries.length <= snapIndex) {
        this.matchLimit = Math.max(this.matchLimit, prevIndex + m.entries.length);
        return this.acknowledge();
      }
      prevIndex = snapIndex;
    } else if (prevIndex > this.log.lastIndex || this.log.termAt(prevIndex) !== m.prevTerm) {
      return this.reject(m.from, prevIndex);
    }
    const conflict = entries.find((e) => this.log.termAt(e.index) !== e.term);
    if (conflict) {
      if (conflict.index <= this.log.lastIndex) this.truncate(conflict.index - 1);
      const fresh = entries.slice(entries.indexOf(conflict));
      this.log.append(fresh);
      this.emit({ type: "append", entries: fresh });
      this.emit({ type: "sync", index: this.log.lastIndex, term: this.log.lastTerm });
    }
    this.matchLimit = Math.max(this.matchLimit, prevIndex + entries.length);
    const commit = Math.min(m.commit, this.matchLimit);
    if (commit > this.commit) this.advanceCommit(commit);
    this.acknowledge();
  }

  /**
   * Tells the leader where to retry: after our last entry when the log is short, else before the run
   * of the term we disagree on (never below the commit index: committed entries equal the leader's).
   */
  private reject(leader: NodeId, prevIndex: Index): void {
    let hint = this.log.lastIndex;
    if (prevIndex <= this.log.lastIndex) {
      const t = this.log.termAt(prevIndex);
      hint = prevIndex - 1;
      while (hint > this.commit && this.log.termAt(hint) === t) hint--;
    }
    this.send({ type: "appendResponse", from: this.id, to: leader, term: this.term, success: false, matched: hint, durable: 0 });
  }

  private onSnapshot(m: InstallSnapshot): void {
    if (m.term < this.term) return this.send({ type: "appendResponse", from: this.id, to: m.from, term: this.term, success: false, matched: 0, durable: 0 });
    this.followLeader(m.from);
    const s = m.snapshot;
    if (s.index <= this.commit || this.saving?.installed) {
      this.matchLimit = Math.max(this.matchLimit, this.commit);
      return this.acknowledge();
    }
    const keeps = this.log.termAt(s.index) === s.term;
    // Our old entries up to the commit index equal the leader's, so what of them is durable stays so.
    if (!keeps) this.durableIndex = Math.min(this.durableIndex, this.commit);
    this.log.install(s);
    this.commit = s.index;
    this.matchLimit = Math.max(this.matchLimit, s.index);
    this.saving = { snapshot: s, installed: true };
    this.emit({ type: "installSnapshot", snapshot: s });
    this.checkRepaired();
  }

  private onAppendResponse(m: AppendResponse): void {
    if (this.roleNow !== "leader" || m.term !== this.term) return;
    const p = this.progress.get(m.from);
    if (!p) return;
    p.heardAt = this.now;
    if (m.success) {
      if (m.matched > p.matched) (p.matched = m.matched), (p.progressAt = this.now);
      p.durable = Math.max(p.durable, m.durable);
      if (p.next <= p.matched) p.next = p.matched + 1;
      if (p.matched >= this.log.snapshot.index) p.snapshotSentAt = undefined;
      this.maybeCommit();
      this.advanceTransfer();
    } else {
      // The peer's log ends or diverges before what we sent (a restart, or damage repaired).
      p.matched = Math.min(p.matched, m.matched);
      p.rewind(this.now);
      p.next = m.matched + 1;
    }
    this.sendAppends(m.from, false);
  }

  // ---- roles ----

  private becomeFollower(term: Term, leader: NodeId | undefined): void {
    if (term > this.term) {
      this.term = term;
      this.votedFor = undefined;
      this.saveHardState();
    }
    this.roleNow = "follower";
    this.votes.clear();
    this.progress.clear();
    this.transfer = undefined;
    this.matchLimit = 0;
    this.setLeader(leader);
    this.resetElectionTimer();
  }

  private followLeader(leader: NodeId): void {
    if (this.roleNow !== "follower" || this.leader !== leader) this.becomeFollower(this.term, leader);
    this.leaderHeardAt = this.now;
    this.resetElectionTimer();
  }

  private canCampaign(): boolean {
    return this.repairAbove === undefined && this.log.voters().includes(this.id) && !this.saving?.installed;
  }

  private campaign(): void {
    this.roleNow = "preCandidate";
    this.setLeader(undefined);
    this.votes = new Set([this.id]);
    this.resetElectionTimer();
    if (isQuorum(this.log.voters(), this.votes)) return this.startElection(false);
    for (const v of this.log.voters()) {
      if (v !== this.id) this.send({ type: "preVote", from: this.id, to: v, term: this.term + 1, lastIndex: this.log.lastIndex, lastTerm: this.log.lastTerm });
    }
  }

  private startElection(transfer: boolean): void {
    this.term++;
    this.votedFor = this.id;
    this.saveHardState();
    this.roleNow = "candidate";
    this.setLeader(undefined);
    this.votes = new Set([this.id]);
    this.resetElectionTimer();
    if (isQuorum(this.log.voters(), this.votes)) return this.becomeLeader();
    for (const v of this.log.voters()) {
      if (v !== this.id) this.send({ type: "vote", from: this.id, to: v, term: this.term, lastIndex: this.log.lastIndex, lastTerm: this.log.lastTerm, transfer });
    }
  }

  private becomeLeader(): void {
    assert(this.votedFor === this.id && this.repairAbove === undefined, "raft: leader without its own vote, or repairing");
    this.roleNow = "leader";
    this.setLeader(this.id);
    this.votes.clear();
    this.progress.clear();
    this.syncProgress();
    this.heartbeatDue = this.now + this.timing.heartbeatMs;
    this.quorumCheckDue = this.now + this.timing.electionMinMs;
    // A leader commits only entries of its own term; the no-op lets it commit what came before.
    this.appendAsLeader([{ index: this.log.lastIndex + 1, term: this.term, kind: "noop", data: Buffer.alloc(0) }]);
  }

  private leaderTick(): void {
    if (this.now >= this.quorumCheckDue) {
      this.quorumCheckDue = this.now + this.timing.electionMinMs;
      const heard = new Set([this.id]);
      for (const [id, p] of this.progress) if (this.now - p.heardAt < this.timing.electionMinMs) heard.add(id);
      if (!isQuorum(this.log.voters(), heard)) return this.becomeFollower(this.term, undefined);
    }
    if (this.transfer && this.now >= this.transfer.deadline) this.transfer = undefined;
    if (this.now >= this.heartbeatDue) {
      this.heartbeatDue = this.now + this.timing.heartbeatMs;
      for (const [id, p] of this.progress) {
        if (p.inFlight() > 0 && this.now - p.progressAt >= 2 * this.timing.heartbeatMs) p.rewind(this.now);
        this.sendAppends(id, true);
      }
    }
  }

  // ---- leader: replication and commit ----

  private appendAsLeader(entries: Entry[]): void {
    this.log.append(entries);
    this.emit({ type: "append", entries });
    this.emit({ type: "sync", index: this.log.lastIndex, term: this.log.lastTerm });
    if (entries.some((e) => e.kind === "config")) this.syncProgress();
    for (const id of this.progress.keys()) this.sendAppends(id, false);
  }

  /** One Progress per voter other than us, as the configuration in force says. */
  private syncProgress(): void {
    const voters = this.log.voters();
    for (const id of this.progress.keys()) if (!voters.includes(id)) this.progress.delete(id);
    for (const v of voters) if (v !== this.id && !this.progress.has(v)) this.progress.set(v, new Progress(this.log.lastIndex + 1, this.now));
  }

  /** Sends what the window allows; with `heartbeat`, at least an empty append (it carries the commit). */
  private sendAppends(to: NodeId, heartbeat: boolean): void {
    const p = this.progress.get(to);
    if (!p) return;
    const snap = this.log.snapshot;
    if (p.next <= snap.index) {
      if (p.snapshotSentAt === undefined || this.now - p.snapshotSentAt >= this.timing.electionMinMs) {
        p.snapshotSentAt = this.now;
        this.send({ type: "snapshot", from: this.id, to, term: this.term, snapshot: snap });
      }
      return;
    }
    let sent = false;
    while (p.next <= this.log.lastIndex && p.inFlight() < this.maxBatch * this.maxInflight) {
      const last = Math.min(this.log.lastIndex, p.next + this.maxBatch - 1);
      this.sendAppend(to, p.next - 1, this.log.slice(p.next, last));
      p.next = last + 1;
      sent = true;
    }
    if (!sent && heartbeat) this.sendAppend(to, p.next - 1, []);
  }

  private sendAppend(to: NodeId, prevIndex: Index, entries: Entry[]): void {
    this.send({ type: "append", from: this.id, to, term: this.term, prevIndex, prevTerm: this.log.termAt(prevIndex)!, entries, commit: this.commit });
  }

  private maybeCommit(): void {
    const voters = this.log.voters();
    const n = quorumIndex(voters, (id) => (id === this.id ? this.durableIndex : (this.progress.get(id)?.durable ?? 0)));
    if (n <= this.commit || this.log.termAt(n) !== this.term) return;
    const holders = voters.filter((id) => (id === this.id ? this.durableIndex : (this.progress.get(id)?.durable ?? 0)) >= n);
    assert(holders.length > voters.length / 2, () => `raft: commit ${n} without a durable majority`);
    this.advanceCommit(n);
    if (!voters.includes(this.id) && this.log.configIndex() <= this.commit) this.becomeFollower(this.term, undefined); // removed
    else for (const id of this.progress.keys()) this.sendAppends(id, true); // followers learn the commit now
  }

  private advanceTransfer(): void {
    const t = this.transfer;
    if (!t || t.sent) return;
    if ((this.progress.get(t.to)?.matched ?? 0) >= this.log.lastIndex) {
      t.sent = true;
      this.send({ type: "timeoutNow", from: this.id, to: t.to, term: this.term });
    }
  }

  // ---- shared steps ----

  private advanceCommit(index: Index): void {
    assert(index > this.commit && index <= this.log.lastIndex, () => `raft: commit from ${this.commit} to ${index} (last ${this.log.lastIndex})`);
    const from = Math.max(this.commit, this.log.snapshot.index) + 1;
    this.commit = index;
    if (from <= index) this.emit({ type: "apply", entries: this.log.slice(from, index) });
    this.checkRepaired();
  }

  /** Repaired once we hold, committed, an entry of a term above the one the damage was found in. */
  private checkRepaired(): void {
    if (this.repairAbove !== undefined && (this.log.termAt(this.commit) ?? 0) > this.repairAbove) {
      this.repairAbove = undefined;
      this.saveHardState();
    }
  }

  private truncate(index: Index): void {
    assert(this.roleNow !== "leader", "raft: a leader never truncates its log");
    assert(index >= this.commit && index >= this.matchLimit, () => `raft: truncation at ${index} below commit ${this.commit} / match ${this.matchLimit}`);
    this.log.truncateAfter(index);
    this.durableIndex = Math.min(this.durableIndex, index);
    this.emit({ type: "truncateAfter", index });
  }

  /** Follower: report how far we match the leader and how much of that is durable. */
  private acknowledge(): void {
    if (this.roleNow !== "follower" || this.leader === undefined) return;
    this.send({ type: "appendResponse", from: this.id, to: this.leader, term: this.term, success: true, matched: this.matchLimit, durable: Math.min(this.durableIndex, this.matchLimit) });
  }

  private upToDate(lastIndex: Index, lastTerm: Term): boolean {
    return lastTerm > this.log.lastTerm || (lastTerm === this.log.lastTerm && lastIndex >= this.log.lastIndex);
  }

  private leaseActive(): boolean {
    if (this.roleNow === "leader") return true;
    return this.leader !== undefined && this.now - this.leaderHeardAt < this.timing.electionMinMs;
  }

  private setLeader(leader: NodeId | undefined): void {
    if (leader !== this.leader) {
      this.leader = leader;
      this.emit({ type: "leaderChanged", leader, term: this.term });
    }
  }

  private resetElectionTimer(): void {
    const { electionMinMs: min, electionMaxMs: max } = this.timing;
    this.electionDeadline = this.now + min + Math.floor(this.random() * (max - min));
  }

  private saveHardState(): void {
    this.emit({ type: "saveHardState", state: { term: this.term, votedFor: this.votedFor, repairAbove: this.repairAbove } });
  }

  private send(message: Message): void {
    this.emit({ type: "send", message });
  }

  private emit(e: Effect): void {
    this.out.push(e);
  }

  private drain(): Effect[] {
    const out = this.out;
    this.out = [];
    return out;
  }
}
