/**
 * The RAFT shell on real files with an in-memory transport: crashes keep every acknowledged entry, and a
 * log cut short or with a flipped bit is detected at start, repaired from the leader, and never elected.
 */
import { test, afterEach } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeMessage } from "../../src/raft/codec.js";
import { NotLeaderError } from "../../src/raft/errors.js";
import { HardStateDamaged } from "../../src/raft/hard-state-file.js";
import { RaftGroup } from "../../src/raft/raft-group.js";
import type { NodeId } from "../../src/raft/types.js";
import { tempDir } from "../store/helpers.js";
import { ListMachine, MemoryHub, waitFor } from "./group-kit.js";

const IDS = ["A", "B", "C"];
const TIMING = { heartbeatMs: 20, electionMinMs: 200, electionMaxMs: 400 };

interface Member {
  group: RaftGroup;
  sm: ListMachine;
  /** Every leader this member was told of. */
  leaders: (NodeId | undefined)[];
}

const open: RaftGroup[] = [];
const roots: string[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

function newRoot(): string {
  const r = tempDir("tsnats-raft-");
  roots.push(r);
  return r;
}

async function start(hub: MemoryHub, root: string, id: NodeId): Promise<Member> {
  const sm = new ListMachine();
  const leaders: (NodeId | undefined)[] = [];
  const group = await RaftGroup.open({
    group: "G",
    id,
    voters: IDS,
    dir: join(root, id),
    transport: hub.transport(),
    stateMachine: sm,
    timing: TIMING,
    tickMs: 5,
    onLeaderChange: (l) => leaders.push(l),
    onError: (err) => {
      throw err;
    },
  });
  open.push(group);
  return { group, sm, leaders };
}

async function startAll(hub: MemoryHub, root: string, ids = IDS): Promise<Map<NodeId, Member>> {
  const m = new Map<NodeId, Member>();
  for (const id of ids) m.set(id, await start(hub, root, id));
  return m;
}

function leaderOf(members: Map<NodeId, Member>): Member | undefined {
  return [...members.values()].find((m) => m.group.role === "leader");
}

async function elect(members: Map<NodeId, Member>): Promise<Member> {
  await waitFor(() => leaderOf(members) !== undefined, 5000, "a leader");
  return leaderOf(members)!;
}

async function proposeAll(leader: Member, from: number, n: number): Promise<void> {
  const indexes = await Promise.all(Array.from({ length: n }, (_, i) => leader.group.propose(Buffer.from(`e${from + i}`))));
  assert.deepEqual([...indexes].sort((a, b) => a - b), indexes, "indexes follow the proposal order");
}

function expected(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `e${i}`);
}

async function stopAll(members: Map<NodeId, Member>, how: "close" | "crash"): Promise<void> {
  for (const m of members.values()) {
    await (how === "close" ? m.group.close() : m.group.crash());
    open.splice(open.indexOf(m.group), 1);
  }
}

test("proposals commit on the leader, apply everywhere, and survive a crash of every member", async () => {
  const root = newRoot();
  const hub = new MemoryHub();
  let members = await startAll(hub, root);
  const leader = await elect(members);
  await proposeAll(leader, 0, 50);
  assert.deepEqual(leader.sm.items, expected(50), "the leader applied each entry by the time its proposal resolved");
  await stopAll(members, "crash");

  members = await startAll(hub, root);
  const next = await elect(members);
  await proposeAll(next, 50, 10);
  for (const [id, m] of members) await waitFor(() => m.sm.items.length === 60, 3000, `${id} to apply 60 entries`);
  for (const m of members.values()) assert.deepEqual(m.sm.items, expected(60));
});

test("a stall of the whole process is not taken for silence: the leader and the term stay", async () => {
  const members = await startAll(new MemoryHub(), newRoot());
  const leader = await elect(members);
  const term = leader.group.term;
  // The event loop blocked for three election timeouts (a GC pause, a write stuck in the kernel):
  // the tickers run before the messages sent just before it are read.
  const until = performance.now() + 3 * TIMING.electionMaxMs;
  while (performance.now() < until);
  await new Promise((r) => setTimeout(r, TIMING.electionMaxMs));
  assert.equal(leader.group.role, "leader");
  assert.deepEqual([...members.values()].map((m) => m.group.term), [term, term, term]);
});

test("a follower's proposal is refused with the leader's id", async () => {
  const root = newRoot();
  const members = await startAll(new MemoryHub(), root);
  const leader = await elect(members);
  await waitFor(() => [...members.values()].every((m) => m.group.leader === leader.group.id), 3000, "every member to know the leader");
  const follower = [...members.values()].find((m) => m !== leader)!;
  await assert.rejects(follower.group.propose(Buffer.from("x")), (e: unknown) => e instanceof NotLeaderError && e.leader === leader.group.id);
});

/** Runs 30 entries through A, B, C, closes them, damages C's log with `damage`, and checks the repair. */
async function repairCase(damage: (logPath: string) => void): Promise<{ root: string }> {
  const root = newRoot();
  const hub = new MemoryHub();
  let members = await startAll(hub, root);
  await proposeAll(await elect(members), 0, 30);
  await waitFor(() => members.get("C")!.sm.items.length === 30, 3000, "C to apply 30 entries");
  await stopAll(members, "close");
  damage(join(root, "C", "log"));

  // C's acknowledgements counted toward commits, so without A nobody may lead: C must not vote.
  members = await startAll(hub, root, ["B", "C"]);
  const c = members.get("C")!;
  assert.equal(c.group.repairing, true, "C knows its log is damaged");
  await new Promise((r) => setTimeout(r, 3 * TIMING.electionMaxMs));
  assert.equal(leaderOf(members), undefined, "no leader with the damaged member's vote");
  assert.ok(c.sm.items.length < 30, "C serves nothing it does not hold");

  members.set("A", await start(hub, root, "A"));
  const leader = await elect(members);
  assert.notEqual(leader.group.id, "C");
  await proposeAll(leader, 30, 5);
  await waitFor(() => c.sm.items.length === 35 && !c.group.repairing, 5000, "C to catch up and end its repair");
  for (const m of members.values()) await waitFor(() => m.sm.items.length === 35, 3000, "every member to apply 35");
  for (const m of members.values()) assert.deepEqual(m.sm.items, expected(35));
  assert.ok(!c.leaders.includes("C"), "C was never leader");
  return { root };
}

test("a log cut short below the synced mark is detected, never elected, and repaired from the leader", async () => {
  await repairCase((path) => truncateSync(path, Math.floor(statSync(path).size / 2)));
});

test("a flipped bit in a follower's log is detected, kept aside, and repaired from the leader", async () => {
  const { root } = await repairCase((path) => {
    const buf = readFileSync(path);
    buf[Math.floor(buf.length * 0.4)]! ^= 0x10;
    writeFileSync(path, buf);
  });
  assert.ok(readdirSync(join(root, "C")).some((f) => f.startsWith("log.damaged-")), "the damaged file is kept aside");
});

test("a lost log file (the state says entries were synced) is damage, repaired from the leader", async () => {
  await repairCase((path) => unlinkSync(path));
});

test("a member behind the leader's snapshot installs it; members restart from their compacted logs", async () => {
  const root = newRoot();
  const hub = new MemoryHub();
  const members = await startAll(hub, root);
  const leader = await elect(members);
  await proposeAll(leader, 0, 10);
  const lagging = [...members.values()].find((m) => m !== leader)!;
  const lagId = lagging.group.id;
  await lagging.group.close();
  open.splice(open.indexOf(lagging.group), 1);
  await proposeAll(leader, 10, 30);
  leader.group.takeSnapshot();
  // The frame after the 8-byte file header is a snapshot (kind 2 at byte 8 of the frame) once compacted.
  await waitFor(() => readFileSync(join(root, leader.group.id, "log"))[16] === 2, 3000, "the leader's compacted log");

  members.set(lagId, await start(hub, root, lagId));
  const back = members.get(lagId)!;
  await waitFor(() => back.sm.items.length === 40, 5000, "the lagging member to install the snapshot");
  assert.deepEqual(back.sm.items, expected(40));
  await proposeAll(leaderOf(members)!, 40, 5);
  await waitFor(() => back.sm.items.length === 45, 3000, "the member to follow after the install");

  await stopAll(members, "close");
  const again = await startAll(hub, root);
  const l2 = await elect(again);
  await proposeAll(l2, 45, 1);
  for (const m of again.values()) await waitFor(() => m.sm.items.length === 46, 3000, "every member to apply 46");
  for (const m of again.values()) assert.deepEqual(m.sm.items, expected(46));
});

test("a state file that fails its checksum stops the member from starting (a vote is never guessed)", async () => {
  const root = newRoot();
  const hub = new MemoryHub();
  const members = await startAll(hub, root);
  await proposeAll(await elect(members), 0, 3);
  await stopAll(members, "close");
  const path = join(root, "B", "state");
  const buf = readFileSync(path);
  buf[1]! ^= 0x01;
  writeFileSync(path, buf);
  await assert.rejects(start(hub, root, "B"), (e: unknown) => e instanceof HardStateDamaged);
});

test("one turn's messages leave together, less those a later one of the turn supersedes", async () => {
  const hub = new MemoryHub(true);
  const members = await startAll(hub, newRoot());
  await waitFor(() => [...members.values()].some((m) => m.group.role === "leader"), 3000, "a leader");
  const leader = [...members.values()].find((m) => m.group.role === "leader")!;
  const proposals: Promise<number>[] = [];
  for (let turn = 0; turn < 20; turn++) {
    for (let i = 0; i < 10; i++) proposals.push(leader.group.propose(Buffer.from(`${turn}.${i}`)));
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(proposals);
  await waitFor(() => [...members.values()].every((m) => m.sm.items.length === 200), 3000, "every member applied all");
  // Per sender, receiver and run of sends (one flush): at most one successful answer, and no empty append before another append.
  const seen = new Map<string, { answers: number; appends: number[] }>();
  for (const s of hub.log) {
    const m = decodeMessage(s.bytes);
    const k = `${s.turn} ${s.from} ${s.to}`;
    const e = seen.get(k) ?? { answers: 0, appends: [] };
    seen.set(k, e);
    if (m.type === "appendResponse" && m.success) e.answers++;
    if (m.type === "append") e.appends.push(m.entries.length);
  }
  for (const [k, e] of seen) {
    assert.ok(e.answers <= 1, `turn/from/to ${k}: ${e.answers} successful answers`);
    assert.ok(e.appends.slice(0, -1).every((n) => n > 0), `turn/from/to ${k}: an empty append before another (${e.appends.join(",")})`);
  }
});
