/**
 * The RAFT core's rules, one at a time, on hand-driven groups (harness.ts): every message and every
 * fsync completion is delivered when the test says so.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { InvariantError } from "../../src/util/assert.js";
import type { Effect } from "../../src/raft/effects.js";
import type { Message } from "../../src/raft/messages.js";
import { RaftNode } from "../../src/raft/raft-node.js";
import type { Entry } from "../../src/raft/types.js";
import { Group, sent, TIMING } from "./harness.js";

const ids = ["a", "b", "c"];
const data = (...xs: string[]): Buffer[] => xs.map((x) => Buffer.from(x));
const normal = (entries: readonly Entry[]): string[] => entries.filter((e) => e.kind === "normal").map((e) => e.data.toString());

function elected(): Group {
  const g = new Group(ids);
  g.elect("a");
  assert.deepEqual(g.leaders(), ["a"]);
  return g;
}

describe("raft node: election", () => {
  it("elects one leader through pre-vote then vote, and writes its vote before sending it", () => {
    const g = new Group(ids);
    const first = g.tick("a", TIMING.electionMaxMs);
    // Pre-vote first: the term does not move until a majority would vote.
    assert.equal(g.get("a").node.currentTerm, 0);
    assert.deepEqual(sent(first).map((m) => m.type), ["preVote", "preVote"]);
    g.settle();
    assert.deepEqual(g.leaders(), ["a"]);
    assert.equal(g.get("a").node.currentTerm, 1);
    for (const id of ["b", "c"]) {
      const effects = g.get(id).effects;
      const saved = effects.findIndex((e) => e.type === "saveHardState" && e.state.votedFor === "a");
      const vote = effects.findIndex((e) => e.type === "send" && e.message.type === "voteResponse" && e.message.granted);
      assert.ok(saved >= 0 && saved < vote, `${id}: vote persisted before it is sent`);
      assert.equal(g.get(id).node.leaderId, "a");
    }
  });

  it("grants one vote per term", () => {
    const g = new Group(ids);
    const c = g.get("c").node;
    const vote = (from: string): Message => ({ type: "vote", from, to: "c", term: 1, lastIndex: 0, lastTerm: 0, transfer: false });
    const yes = (effects: Effect[]): boolean[] => sent(effects).flatMap((m) => (m.type === "voteResponse" ? [m.granted] : []));
    assert.deepEqual(yes(c.receive(vote("a"))), [true]);
    assert.deepEqual(yes(c.receive(vote("b"))), [false]);
    assert.deepEqual(yes(c.receive(vote("a"))), [true], "the same candidate may ask again");
  });

  it("does not vote for a log less up to date than its own", () => {
    const g = elected();
    g.take(g.get("a"), g.get("a").node.propose(data("x", "y")));
    g.settle();
    const c = g.get("c").node;
    const r = sent(c.receive({ type: "vote", from: "b", to: "c", term: 9, lastIndex: 1, lastTerm: 1, transfer: true }));
    assert.deepEqual(r.map((m) => m.type === "voteResponse" && m.granted), [false]);
  });

  it("a node that rejoins from a partition does not depose a healthy leader", () => {
    const g = elected();
    const term = g.get("a").node.currentTerm;
    // c is cut off: it times out again and again, but without a majority of pre-votes its term stays.
    g.advance(TIMING.electionMaxMs * 5, { drop: (m) => m.from === "c" || m.to === "c" });
    assert.equal(g.get("c").node.currentTerm, term);
    // Healed: c asks for pre-votes, b (which hears from a) refuses, and a stays leader in its term.
    g.tick("c", TIMING.electionMaxMs);
    g.advance(TIMING.electionMaxMs * 2);
    assert.deepEqual(g.leaders(), ["a"]);
    assert.equal(g.get("a").node.currentTerm, term);
    const b = g.get("b").effects.flatMap((e) => (e.type === "send" && e.message.type === "preVoteResponse" && e.message.to === "c" ? [e.message.granted] : []));
    assert.ok(b.length > 0 && b.every((granted) => !granted), "b granted no pre-vote while it heard from a");
  });

  it("a follower that hears from a live leader grants no pre-vote, and ignores a vote request", () => {
    const g = elected();
    const b = g.get("b").node;
    const pre = sent(b.receive({ type: "preVote", from: "c", to: "b", term: 2, lastIndex: 99, lastTerm: 1 }));
    assert.deepEqual(pre.map((m) => m.type === "preVoteResponse" && m.granted), [false]);
    const vote = b.receive({ type: "vote", from: "c", to: "b", term: 2, lastIndex: 99, lastTerm: 1, transfer: false });
    assert.deepEqual(vote, []);
    assert.equal(b.currentTerm, 1);
  });

  it("a leader that loses its majority steps down (check-quorum), and the rest elect a new one", () => {
    const g = elected();
    g.advance(TIMING.electionMaxMs * 5, { drop: (m) => m.from === "a" || m.to === "a" });
    assert.notEqual(g.get("a").node.role, "leader");
    const leaders = g.leaders();
    assert.equal(leaders.length, 1);
    assert.ok(g.get(leaders[0]!).node.currentTerm > 1);
  });

  it("keeps electing after its clock jumps back", () => {
    const g = new Group(ids);
    g.tick("a", -1_000_000);
    g.tick("a", 1_000_000 + TIMING.electionMaxMs);
    g.settle();
    assert.equal(g.leaders().length, 1);
  });
});

describe("raft node: replication and durable commit", () => {
  it("commits only once a majority holds the entry on disk, the leader counting its own durable index", () => {
    const g = elected();
    const a = g.get("a");
    g.take(a, a.node.propose(data("x")));
    const index = a.node.lastIndex;
    g.deliver();
    // The leader's own sync is still running: b alone on disk is not a majority.
    g.completeSyncs("b");
    g.deliver();
    assert.ok(a.node.commitIndex < index, "one durable follower and a non-durable leader are not a majority");
    g.completeSyncs("c");
    g.deliver();
    assert.equal(a.node.commitIndex, index, "b and c durable: a majority without the leader");
  });

  it("does not count a follower that received but has not synced", () => {
    const g = elected();
    const a = g.get("a");
    g.take(a, a.node.propose(data("x")));
    const index = a.node.lastIndex;
    g.deliver();
    g.deliver();
    assert.ok(a.node.commitIndex < index);
    g.completeSyncs("a");
    g.deliver();
    assert.ok(a.node.commitIndex < index, "leader durable, followers only received");
    g.completeSyncs("b");
    g.deliver();
    assert.equal(a.node.commitIndex, index);
    assert.deepEqual(normal(a.applied), ["x"]);
  });

  it("ignores a sync completion for entries truncated since it was asked", () => {
    const b = new RaftNode({ id: "z", hardState: { term: 1, votedFor: undefined, repairAbove: undefined }, snapshot: undefined, entries: [], voters: ids, damaged: false, random: () => 0.5, now: 0, timing: TIMING });
    const e = (index: number, term: number, x: string): Entry => ({ index, term, kind: "normal", data: Buffer.from(x) });
    b.receive({ type: "append", from: "a", to: "z", term: 1, prevIndex: 0, prevTerm: 0, entries: [e(1, 1, "p"), e(2, 1, "q")], commit: 0 });
    // A new leader of term 2 replaces entry 2 before the sync of the old one completes.
    const effects = b.receive({ type: "append", from: "c", to: "z", term: 2, prevIndex: 1, prevTerm: 1, entries: [e(2, 2, "r")], commit: 0 });
    assert.ok(effects.some((x) => x.type === "truncateAfter" && x.index === 1));
    const acks = sent(b.durable(2, 1)).filter((m) => m.type === "appendResponse");
    assert.equal(b.durableThrough, 0);
    assert.deepEqual(acks, []);
    const ok = sent(b.durable(2, 2)).filter((m) => m.type === "appendResponse");
    assert.deepEqual(ok.map((m) => m.type === "appendResponse" && m.durable), [2]);
  });

  it("pipelines batches: several appends per follower in flight before any answer", () => {
    const g = new Group(ids, { maxBatch: 2, maxInflight: 3 });
    g.elect("a");
    const a = g.get("a");
    const before = a.node.lastIndex;
    const effects = g.take(a, a.node.propose(data("1", "2", "3", "4", "5", "6", "7", "8")));
    const toB = sent(effects).filter((m) => m.to === "b" && m.type === "append");
    // A window of 3 batches of 2 entries: 6 entries out, the rest wait for answers.
    assert.deepEqual(toB.map((m) => (m.type === "append" ? m.entries.length : 0)), [2, 2, 2]);
    assert.deepEqual(toB.map((m) => (m.type === "append" ? m.prevIndex : 0)), [before, before + 2, before + 4]);
    g.settle();
    assert.deepEqual(normal(g.get("c").applied), ["1", "2", "3", "4", "5", "6", "7", "8"]);
  });

  it("a follower replaces uncommitted entries that conflict with the leader, and applies the same sequence", () => {
    const g = elected();
    const a = g.get("a");
    // a appends x but only a has it; then a is cut off and b leads term 2.
    g.take(a, a.node.propose(data("x")));
    g.completeSyncs("a");
    g.inFlight = [];
    g.advance(TIMING.electionMaxMs * 3, { only: ["b", "c"], drop: (m) => m.from === "a" || m.to === "a" });
    const leader = g.leaders().find((id) => id !== "a")!;
    g.take(g.get(leader), g.get(leader).node.propose(data("y")));
    g.settle((m) => m.from === "a" || m.to === "a");
    // Healed: a steps down on the higher term and takes the new leader's log.
    g.advance(TIMING.heartbeatMs * 3);
    g.settle();
    assert.ok(g.get("a").effects.some((e) => e.type === "truncateAfter"));
    assert.deepEqual(normal(g.get("a").applied), ["y"]);
    assert.deepEqual(normal(g.get("b").applied), ["y"]);
  });
});

describe("raft node: snapshots, membership, transfer", () => {
  it("compacts on a snapshot, and catches up a new peer from the snapshot plus the log", () => {
    const g = elected();
    const a = g.get("a");
    g.take(a, a.node.propose(data("1", "2", "3")));
    g.settle();
    const snapAt = a.node.commitIndex;
    g.take(a, a.node.takeSnapshot(snapAt, Buffer.from("state-1-2-3")));
    g.take(a, a.node.snapshotSaved(snapAt));
    assert.equal(a.node.snapshot.index, snapAt);
    assert.equal(a.node.entry(snapAt), undefined, "compacted");
    g.take(a, a.node.propose(data("4")));
    g.settle();
    const d = g.add("d");
    g.take(a, a.node.changeVoters(["a", "b", "c", "d"]));
    g.settle();
    g.advance(TIMING.heartbeatMs * 3);
    g.settle();
    const installs = d.effects.filter((e) => e.type === "installSnapshot");
    assert.equal(installs.length, 1);
    assert.equal(installs[0]!.type === "installSnapshot" && installs[0]!.snapshot.data.toString(), "state-1-2-3");
    g.take(d, d.node.snapshotSaved(snapAt));
    g.advance(TIMING.heartbeatMs * 3);
    g.settle();
    assert.deepEqual(normal(d.applied), ["4"], "after the snapshot, the log");
    assert.deepEqual([...d.node.voters], ["a", "b", "c", "d"]);
    assert.equal(d.node.commitIndex, a.node.commitIndex);
  });

  it("a new leader changes membership only once it has committed an entry of its term", () => {
    const g = new Group(ids);
    g.tick("a", TIMING.electionMaxMs);
    g.deliver();
    const a = g.get("a").node;
    assert.equal(a.role, "leader");
    assert.equal(a.canChangeVoters, false, "its no-op is not committed yet");
    g.settle();
    assert.equal(a.canChangeVoters, true);
  });

  it("changes membership one voter at a time, and a removed leader steps down once it commits", () => {
    const g = elected();
    const a = g.get("a");
    assert.throws(() => a.node.changeVoters(["a", "b", "c", "d", "e"]), InvariantError);
    g.take(a, a.node.changeVoters(["b", "c"]));
    assert.equal(a.node.canChangeVoters, false, "one change pending at a time");
    g.settle();
    assert.notEqual(a.node.role, "leader");
    g.advance(TIMING.electionMaxMs * 2, { only: ["b", "c"] });
    g.settle();
    const leaders = g.leaders();
    assert.equal(leaders.length, 1);
    assert.notEqual(leaders[0], "a");
    // a, no longer a voter, never campaigns.
    g.advance(TIMING.electionMaxMs * 3, { only: ["a"] });
    assert.equal(sent(g.get("a").effects).filter((m) => m.type === "preVote" && m.from === "a" && m.term > 1).length, 0);
  });

  it("hands leadership over on request, to a peer that holds the whole log", () => {
    const g = elected();
    const a = g.get("a");
    g.take(a, a.node.propose(data("x")));
    g.settle();
    g.take(a, a.node.transferLeadership("c"));
    assert.equal(a.node.canPropose, false, "no proposals while handing over");
    g.settle();
    assert.deepEqual(g.leaders(), ["c"]);
    assert.equal(g.get("c").node.currentTerm, 2);
  });
});

describe("raft node: damaged log", () => {
  it("a node started from a damaged log neither votes nor campaigns until it has caught up past the damage", () => {
    const g = elected();
    const a = g.get("a");
    g.take(a, a.node.propose(data("1", "2")));
    g.settle();
    // c restarts from a log whose tail failed its checksum: the shell gives only the verified entries.
    const cOld = g.get("c").node;
    const verified: Entry[] = [cOld.entry(1)!];
    const c = g.add("c", { hardState: { term: 1, votedFor: "a", repairAbove: undefined }, entries: verified, damaged: true, voters: ids });
    const saved = c.effects.find((e) => e.type === "saveHardState");
    assert.ok(saved && saved.type === "saveHardState" && saved.state.repairAbove === 1, "the repair is remembered across restarts");
    assert.equal(c.node.repairing, true);
    // It refuses a pre-vote even to an up-to-date candidate (no leader heard yet), and does not campaign.
    const preVote: Message = { type: "preVote", from: "b", to: "c", term: 2, lastIndex: 9, lastTerm: 1 };
    assert.deepEqual(sent(c.node.receive(preVote)).map((m) => m.type === "preVoteResponse" && m.granted), [false]);
    const ticked = g.tick("c", TIMING.electionMaxMs * 5);
    assert.deepEqual(sent(ticked).filter((m) => m.type === "preVote"), []);
    // The leader catches it up, but entries of the term it was damaged in do not end the repair:
    // those may be what it lost and had acknowledged.
    g.advance(TIMING.heartbeatMs * 3);
    g.settle();
    assert.equal(c.node.repairing, true);
    // A leader of a later term, elected without c's vote, commits its first entry: c is whole again.
    g.take(a, a.node.transferLeadership("b"));
    g.settle();
    assert.deepEqual(g.leaders(), ["b"]);
    g.advance(TIMING.heartbeatMs * 3);
    g.settle();
    assert.equal(c.node.repairing, false);
    assert.deepEqual(sent(c.node.receive({ ...preVote, term: 3 })).map((m) => m.type === "preVoteResponse" && m.granted), [false], "b's lease");
    assert.deepEqual(normal(c.applied), ["1", "2"]);
  });
});
