/**
 * Replicated streams on 3 in-process servers over real routes, replicas opened directly with
 * StreamGroup.open: publishes from any server acked only after commit, the same messages on every
 * replica, dedup and expected-sequence checks that give one answer under concurrency, purge and
 * delete through the group.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { jetstream, JetStreamApiError, type PubAck } from "@nats-io/jetstream";
import { headers } from "@nats-io/transport-node";
import { jetStreamOf } from "../../../src/jetstream/jetstream.js";
import { streamConfigJson } from "../../../src/jetstream/stream/config.js";
import { updateStream } from "../../../src/jetstream/stream/manager.js";
import { tempDir } from "../../store/helpers.js";
import { contents, lastSeq, streamConfig, TestCluster, waitFor } from "./stream-group-kit.js";

async function cluster(t: { after(fn: () => Promise<void>): void }): Promise<TestCluster> {
  const root = tempDir("tsnats-sg-");
  const c = await TestCluster.start(root);
  t.after(async () => {
    await c.close();
    rmSync(root, { recursive: true, force: true });
  });
  return c;
}

test("publishes to any server are acked after commit and every replica holds the same messages", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "ORDERS", subjects: ["orders.>"] }));
  await c.elect();
  const jss = await Promise.all(c.nodes.map(async (n) => jetstream(await c.connect(n))));
  const acks: PubAck[] = [];
  await Promise.all(
    jss.map(async (js, i) => {
      for (let k = 0; k < 100; k++) acks.push(await js.publish(`orders.${i}`, `m${i}-${k}`));
    }),
  );
  const seqs = acks.map((a) => a.seq).sort((a, b) => a - b);
  assert.deepEqual(seqs, Array.from({ length: 300 }, (_, i) => i + 1), "300 distinct sequences");
  assert.ok(acks.every((a) => a.stream === "ORDERS" && !a.duplicate));
  for (const n of c.nodes) await waitFor(() => lastSeq(n) === 300, 5000, `${n.name} to apply 300`);
  const leaderContents = contents(c.leader()!);
  assert.equal(leaderContents.length, 300);
  for (const n of c.nodes) assert.deepEqual(contents(n), leaderContents, `${n.name} holds the leader's messages, times included`);

  // Without a majority nothing commits, so nothing is acked.
  const leader = c.leader()!;
  for (const f of c.followers()) await c.stopNode(f);
  const js = jetstream(await c.connect(leader));
  await assert.rejects(js.publish("orders.x", "lonely", { timeout: 1500 }), "no ack without a majority");
  assert.equal(lastSeq(leader), 300, "the leader applied nothing uncommitted");
});

test("Nats-Msg-Id and Nats-Expected-Last-Sequence under concurrency: one answer for all replicas", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "D", subjects: ["d.>"], duplicate_window: 60e9 }));
  await c.elect();
  const jss = await Promise.all(c.nodes.map(async (n) => jetstream(await c.connect(n))));
  const dup = await Promise.all(jss.flatMap((js) => Array.from({ length: 5 }, () => js.publish("d.x", "same", { msgID: "id-1" }))));
  const stored = dup.filter((a) => !a.duplicate);
  assert.equal(stored.length, 1, "exactly one publish stored");
  assert.ok(dup.every((a) => a.seq === stored[0]!.seq), "every answer names the stored sequence");

  // Every server's publisher expects the last sequence to be 1: exactly one wins.
  const results = await Promise.allSettled(jss.map((js) => js.publish("d.y", "cas", { expect: { lastSequence: 1 } })));
  const won = results.filter((r) => r.status === "fulfilled");
  assert.equal(won.length, 1, "one compare-and-set wins");
  for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof JetStreamApiError && /wrong last sequence/i.test(r.reason.message), String(r.reason));
  for (const n of c.nodes) await waitFor(() => lastSeq(n) === 2, 5000, `${n.name} to apply 2`);
  for (const n of c.nodes) assert.deepEqual(contents(n), contents(c.leader()!));
  for (const n of c.nodes) assert.equal(n.replica!.stream.lastMsgId, "", "the last message had no id, on every replica");
});

test("purge and message delete go through the group and apply on every replica", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "P", subjects: ["p.>"] }));
  const leader = await c.elect();
  const js = jetstream(await c.connect(c.followers()[0]!));
  for (let i = 1; i <= 20; i++) {
    const h = headers();
    h.set("k", String(i));
    await js.publish(`p.${i % 2 === 0 ? "even" : "odd"}`, `v${i}`, { headers: h });
  }
  const s = leader.replica!.stream;
  assert.equal(await s.deleteMsg(3, true), true);
  assert.equal(await s.deleteMsg(3, true), false, "a second delete finds nothing");
  assert.equal(await s.purge({ filter: "p.even", keep: 2 }), 8);
  assert.equal(await s.purge({ seq: 6 }), 2, "1 and 5 go (2 and 4 purged, 3 deleted already)");
  for (const n of c.nodes) await waitFor(() => n.replica!.stream.store.state().msgs === s.store.state().msgs, 5000, `${n.name} to apply the purges`);
  for (const n of c.nodes) assert.deepEqual(contents(n), contents(leader));
  const follower = c.followers()[0]!.replica!.stream;
  await assert.rejects(follower.purge({}), (e: unknown) => e instanceof Error && /can not handle request/.test(e.message), "a follower does not purge");
});

test("the leader's server closes mid-publish: a new leader within ~2 s, nothing acked lost, no duplicates with Nats-Msg-Id retries", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "F", subjects: ["f.>"], duplicate_window: 120e9 }));
  const old = await c.elect();
  const survivor = c.followers()[0]!;
  const js = jetstream(await c.connect(survivor));
  const acked = new Map<string, number>();
  const total = 400;
  let closedAt = 0;
  let firstAckAfter = 0;
  let killing: Promise<void> | undefined;
  for (let i = 0; i < total; i++) {
    const id = `m-${i}`;
    for (;;) {
      try {
        const a = await js.publish("f.x", id, { msgID: id, timeout: 1000 });
        acked.set(id, a.seq);
        if (closedAt > 0 && firstAckAfter === 0) firstAckAfter = performance.now();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    if (i === 150) {
      closedAt = performance.now();
      killing = c.stopNode(old);
    }
  }
  await killing;
  const leader = await c.elect();
  const failoverMs = firstAckAfter - closedAt;
  console.log(`# failover: first PubAck ${failoverMs.toFixed(0)} ms after the leader's close began (election 0.5-1 s)`);
  assert.notEqual(leader, old);
  assert.ok(failoverMs < 3000, `publishing resumed within 3 s, not ${failoverMs} ms`);
  assert.equal(acked.size, total);
  for (const n of c.live()) await waitFor(() => lastSeq(n) === lastSeq(leader), 5000, `${n.name} to catch up`);
  for (const n of c.live()) assert.deepEqual(contents(n), contents(leader));
  const store = leader.replica!.stream.store;
  const seen = new Map<string, number>();
  for (let m = store.loadNextMsg(">", 0); m !== undefined; m = store.loadNextMsg(">", m.seq + 1)) {
    const id = m.data.toString();
    assert.ok(!seen.has(id), `${id} stored twice (seq ${seen.get(id)} and ${m.seq})`);
    seen.set(id, m.seq);
  }
  for (const [id, seq] of acked) assert.equal(seen.get(id), seq, `acked ${id} at ${seq} is there`);
});

test("a follower restarted on its files catches up from the log, with nothing twice", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "R", subjects: ["r.>"] }));
  const leader = await c.elect();
  const js = jetstream(await c.connect(leader));
  for (let i = 0; i < 100; i++) await js.publish("r.a", `a${i}`);
  const f = c.followers()[0]!;
  await waitFor(() => lastSeq(f) === 100, 5000, "the follower to apply 100");
  await c.stopNode(f);
  for (let i = 0; i < 50; i++) await js.publish("r.b", `b${i}`);
  await c.restartServer(f);
  const r = await c.open(f);
  await waitFor(() => lastSeq(f) === 150, 5000, "the restarted follower to catch up");
  assert.deepEqual(contents(f), contents(leader));
  assert.equal(r.fetched, 0, "the log alone brought it up to date");
});

test("a follower behind the leader's snapshot installs it by fetching the messages, then follows the log", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "S", subjects: ["s.>"], max_msgs: 150 }));
  const leader = await c.elect();
  const js = jetstream(await c.connect(leader));
  for (let i = 0; i < 50; i++) await js.publish("s.a", `a${i}`);
  const f = c.followers()[0]!;
  await waitFor(() => lastSeq(f) === 50, 5000, "the follower to apply 50");
  await c.stopNode(f);
  for (let i = 0; i < 200; i++) await js.publish("s.b", `b${i}`);
  await leader.replica!.snapshotNow();
  for (let i = 0; i < 10; i++) await js.publish("s.c", `c${i}`);
  await c.restartServer(f);
  const r = await c.open(f);
  await waitFor(() => lastSeq(f) === 260, 10000, "the restarted follower to install the snapshot and follow");
  assert.deepEqual(contents(f), contents(leader), "the same messages (max_msgs 150 applied alike)");
  assert.ok(r.fetched > 0, "it fetched what the snapshot stands for");
  for (let i = 0; i < 5; i++) await js.publish("s.d", `d${i}`);
  await waitFor(() => lastSeq(f) === 265, 5000, "the follower to follow the log after the install");
  assert.deepEqual(contents(f), contents(leader));
});

/** The files of a node's replica: its store's block files and its RAFT log. */
function blockFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".blk"))
    .map((f) => join(dir, f));
}

/** Flips a bit at byte `at` (a fraction of the file when below 1). */
function flipBit(path: string, at: number): void {
  const buf = readFileSync(path);
  buf[at < 1 ? Math.floor(buf.length * at) : at]! ^= 0x10;
  writeFileSync(path, buf);
}

test("a follower whose store has a flipped bit cuts it, refetches from the leader, and ends equal", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "DMG", subjects: ["dmg.>"] }));
  const leader = await c.elect();
  const js = jetstream(await c.connect(leader));
  for (let i = 0; i < 300; i++) await js.publish("dmg.a", `payload-${i}-${"x".repeat(40)}`);
  const f = c.followers()[0]!;
  await waitFor(() => lastSeq(f) === 300, 5000, "the follower to apply 300");
  // Both compact their logs: the follower's store is then the only copy of its messages there is.
  await f.replica!.snapshotNow();
  await leader.replica!.snapshotNow();
  const streamDir = join(f.storeDir, "jetstream", "$G", "streams", "DMG");
  await c.stopNode(f);
  const blocks = blockFiles(join(streamDir, "msgs"));
  assert.ok(blocks.length > 0, "the store has block files");
  flipBit(blocks[0]!, 12000);
  await c.restartServer(f);
  const r = await c.open(f);
  for (let i = 0; i < 5; i++) await js.publish("dmg.b", `b${i}`);
  await waitFor(() => lastSeq(f) === 305 && f.replica!.stream.store.state().msgs === 305, 10000, "the follower to repair and follow");
  assert.deepEqual(contents(f), contents(leader));
  assert.ok(r.fetched > 0, "the damaged messages came from the leader");
});

test("a follower whose RAFT log has a flipped bit repairs from the leader and is never elected meanwhile", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "LOG", subjects: ["log.>"] }));
  const leader = await c.elect();
  const js = jetstream(await c.connect(leader));
  for (let i = 0; i < 200; i++) await js.publish("log.a", `m${i}`);
  const f = c.followers()[0]!;
  await waitFor(() => lastSeq(f) === 200, 5000, "the follower to apply 200");
  await c.stopNode(f);
  flipBit(join(f.storeDir, "jetstream", "$G", "streams", "LOG", "raft", "log"), 0.4);
  await c.restartServer(f);
  const r = await c.open(f);
  let led = false;
  r.onLeaderChange((isLeader) => (led ||= isLeader));
  for (let i = 0; i < 10; i++) await js.publish("log.b", `b${i}`);
  await waitFor(() => lastSeq(f) === 210, 10000, "the follower to repair and follow");
  assert.deepEqual(contents(f), contents(leader));
  assert.equal(led, false, "the damaged replica did not lead");
});

test("a config update goes through the group: every replica applies the new limits at the same point", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "U", subjects: ["u.>"] }));
  const leader = await c.elect();
  const js = jetstream(await c.connect(leader));
  for (let i = 0; i < 10; i++) await js.publish("u.a", `a${i}`);
  const next = streamConfig({ name: "U", subjects: ["u.>", "v.>"], max_msgs: 5 });
  // The meta group calls update on every replica; the leader proposes, the others follow the log.
  await Promise.all(c.nodes.map((n) => n.replica!.update(next)));
  await js.publish("v.b", "b");
  for (const n of c.nodes) await waitFor(() => lastSeq(n) === 11, 5000, `${n.name} to apply 11`);
  for (const n of c.nodes) {
    assert.equal(n.replica!.stream.cfg.max_msgs, 5, `${n.name} has the new config`);
    assert.deepEqual(contents(n), contents(leader));
    assert.equal(n.replica!.stream.store.state().msgs, 5);
  }

  // STREAM.UPDATE's own path (the API handler's updateStream) proposes too, on the leader.
  const jsa = jetStreamOf(leader.server.server)!.accountOf(leader.server.server.globalAccount)!;
  await updateStream(jsa, { ...streamConfigJson(next), max_msgs: 3 }, "U");
  for (const n of c.nodes) await waitFor(() => n.replica!.stream.cfg.max_msgs === 3 && n.replica!.stream.store.state().msgs === 3, 5000, `${n.name} to apply max_msgs 3`);
  for (const n of c.nodes) assert.deepEqual(contents(n), contents(leader));
  const fjsa = jetStreamOf(c.followers()[0]!.server.server)!.accountOf(c.followers()[0]!.server.server.globalAccount)!;
  await assert.rejects(updateStream(fjsa, { ...streamConfigJson(next), max_msgs: 2 }, "U"), /can not handle request/, "a follower does not update");
});

test("peers change one at a time: a replica removed, then a fresh one added that catches up", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "M", subjects: ["m.>"] }));
  const leader = await c.elect();
  const js = jetstream(await c.connect(leader));
  for (let i = 0; i < 30; i++) await js.publish("m.a", `a${i}`);
  const gone = c.followers()[0]!;
  const stays = c.nodes.filter((n) => n !== gone);
  const two = stays.map((n) => c.placement.peers[c.nodes.indexOf(n)]!);
  await Promise.all(c.live().map((n) => n.replica!.setPeers(two)));
  assert.deepEqual([...leader.replica!.placement.peers].length, 3, "the placement object is the meta group's; the group's voters changed");
  await gone.replica!.delete();
  gone.replica = undefined;
  for (let i = 0; i < 20; i++) await js.publish("m.b", `b${i}`);
  for (const n of stays) await waitFor(() => lastSeq(n) === 50, 5000, `${n.name} to apply 50`);

  // Back as a fresh replica (its files were deleted): the leader adds it, it catches up.
  const r = await c.open(gone);
  await leader.replica!.setPeers(c.placement.peers);
  for (let i = 0; i < 5; i++) await js.publish("m.c", `c${i}`);
  await waitFor(() => lastSeq(gone) === 55, 10000, "the added replica to catch up");
  assert.deepEqual(contents(gone), contents(leader));
  assert.equal(r.isLeader, false);
});

test("every server restarts on its files: a leader again, the same messages, publishing goes on", async (t) => {
  const c = await cluster(t);
  await c.place(streamConfig({ name: "ALL", subjects: ["all.>"], duplicate_window: 60e9 }));
  let leader = await c.elect();
  let js = jetstream(await c.connect(leader));
  for (let i = 0; i < 60; i++) await js.publish("all.a", `a${i}`, { msgID: `a${i}` });
  for (const n of c.nodes) await waitFor(() => lastSeq(n) === 60, 5000, `${n.name} to apply 60`);
  // A snapshot on every member: the restart restores it, cuts each store back to it and replays the rest.
  for (const n of c.nodes) await n.replica!.snapshotNow();
  for (let i = 0; i < 40; i++) await js.publish("all.b", `b${i}`, { msgID: `b${i}` });
  const before = contents(leader);
  for (const n of c.nodes) await waitFor(() => lastSeq(n) === 100, 5000, `${n.name} to apply 100`);
  for (const n of [...c.nodes]) await c.stopNode(n);

  for (const n of c.nodes) await c.restartServer(n);
  for (const n of c.nodes) await c.open(n);
  leader = await c.elect();
  for (const n of c.nodes) await waitFor(() => lastSeq(n) === 100, 5000, `${n.name} to hold 100 again`);
  for (const n of c.nodes) assert.deepEqual(contents(n), before, `${n.name} holds what it held, once`);
  js = jetstream(await c.connect(leader));
  const again = await js.publish("all.a", "a0", { msgID: "a0" });
  assert.equal(again.duplicate, true, "the dedup window survived the restart");
  const next = await js.publish("all.c", "c0", { msgID: "c0" });
  assert.equal(next.seq, 101);
  for (const n of c.nodes) await waitFor(() => lastSeq(n) === 101, 5000, `${n.name} to apply 101`);
});
