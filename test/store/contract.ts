/**
 * The behaviour every StreamStore must have, run against the memory store and the file store
 * (memory-store.test.ts, file-store.test.ts). Expected values follow nats-server 2.9.10 where it was
 * observed (state after purge and deletes, byte accounting, discard-new errors).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { isStoreError, restoreStore, type RemoveReason, type StreamStore } from "../../src/store/index.js";
import { buf, sleep, waitFor, type StoreKit } from "./helpers.js";

const HDR = buf("NATS/1.0\r\nA: b\r\n\r\n");

function size(kind: "memory" | "file", subject: string, hdrLen: number, dataLen: number): number {
  const s = Buffer.byteLength(subject);
  if (kind === "memory") return s + hdrLen + dataLen + 16;
  return hdrLen === 0 ? 30 + s + dataLen : 34 + s + hdrLen + dataLen;
}

function seqsOf(s: StreamStore, filter = ">"): number[] {
  const out: number[] = [];
  for (let seq = s.nextSeq(filter, 1); seq > 0; seq = s.nextSeq(filter, seq + 1)) out.push(seq);
  return out;
}

function fill(s: StreamStore, subjects: string[], n: number): void {
  for (let i = 0; i < n; i++) s.storeMsg(subjects[i % subjects.length]!, undefined, buf(`m${i + 1}`));
}

export function storeContract(makeKit: () => StoreKit): void {
  let kit: StoreKit;
  before(() => {
    kit = makeKit();
  });
  after(() => kit.cleanup());

  describe("store and load", () => {
    it("reports an empty state like nats-server for a new store", async () => {
      const s = await kit.create();
      const st = s.state();
      assert.deepEqual(
        { msgs: st.msgs, bytes: st.bytes, firstSeq: st.firstSeq, lastSeq: st.lastSeq, firstTime: st.firstTime, lastTime: st.lastTime, numDeleted: st.numDeleted, numSubjects: st.numSubjects },
        { msgs: 0, bytes: 0, firstSeq: 0, lastSeq: 0, firstTime: 0, lastTime: 0, numDeleted: 0, numSubjects: 0 },
      );
      assert.equal(s.loadMsg(1), undefined);
      assert.equal(s.loadLastMsg(">"), undefined);
    });

    it("assigns increasing sequences and returns subject, header, payload and time", async () => {
      const s = await kit.create();
      const a = s.storeMsg("foo", undefined, buf("one"));
      const b = s.storeMsg("bar.baz", HDR, buf("two"));
      const c = s.storeMsg("foo", Buffer.alloc(0), Buffer.alloc(0));
      assert.deepEqual([a.seq, b.seq, c.seq], [1, 2, 3]);
      assert.ok(a.time > 1.6e18 && b.time >= a.time);
      const m = s.loadMsg(2)!;
      assert.equal(m.subject, "bar.baz");
      assert.equal(m.seq, 2);
      assert.equal(m.time, b.time);
      assert.deepEqual(m.hdr, HDR);
      assert.equal(m.data.toString(), "two");
      assert.equal(s.loadMsg(1)!.hdr, undefined);
      assert.equal(s.loadMsg(3)!.hdr, undefined, "an empty header is no header");
      assert.equal(s.loadMsg(3)!.data.length, 0);
      assert.equal(s.loadMsg(4), undefined);
      assert.equal(s.loadMsg(0), undefined);
    });

    it("keeps its own copy of the bytes", async () => {
      const s = await kit.create();
      const data = buf("original");
      s.storeMsg("foo", undefined, data);
      data.write("XXXXXXXX");
      assert.equal(s.loadMsg(1)!.data.toString(), "original");
    });

    it("uses a given timestamp", async () => {
      const s = await kit.create();
      const r = s.storeMsg("foo", undefined, buf("x"), { time: 1_700_000_000_123_456_768 });
      assert.equal(r.time, 1_700_000_000_123_456_768);
      assert.equal(s.loadMsg(1)!.time, 1_700_000_000_123_456_768);
    });

    it("counts bytes with nats-server's formula for its storage type", async () => {
      const s = await kit.create();
      s.storeMsg("s.a", undefined, buf("x"));
      s.storeMsg("s.bb", HDR, buf("hello"));
      const want = size(kit.kind, "s.a", 0, 1) + size(kit.kind, "s.bb", HDR.length, 5);
      assert.equal(s.state().bytes, want);
      if (kit.kind === "file") assert.equal(size("file", "s.a", 0, 1), 34, "observed on nats-server 2.9.10");
      else assert.equal(size("memory", "s.a", 0, 1), 20, "observed on nats-server 2.9.10");
      s.removeMsg(1);
      assert.equal(s.state().bytes, size(kit.kind, "s.bb", HDR.length, 5));
    });

    it("tracks first and last time", async () => {
      const s = await kit.create();
      const t1 = s.storeMsg("a", undefined, buf("1")).time;
      const t2 = s.storeMsg("a", undefined, buf("2")).time;
      const t3 = s.storeMsg("a", undefined, buf("3")).time;
      let st = s.state();
      assert.equal(st.firstTime, t1);
      assert.equal(st.lastTime, t3);
      s.removeMsg(1);
      s.removeMsg(3);
      st = s.state();
      assert.equal(st.firstTime, t2);
      assert.equal(st.lastTime, t3, "last_ts stays when the last message goes");
    });
  });

  describe("delete", () => {
    it("deletes by sequence and reports interior and trailing gaps as deleted", async () => {
      const s = await kit.create();
      fill(s, ["s.a", "s.b"], 5);
      assert.equal(s.removeMsg(3), true);
      assert.equal(s.removeMsg(3), false, "already gone");
      assert.equal(s.removeMsg(99), false);
      assert.equal(s.removeMsg(5), true);
      let st = s.state();
      assert.deepEqual([st.msgs, st.firstSeq, st.lastSeq, st.numDeleted], [3, 1, 5, 2]);
      assert.deepEqual(s.deletedSeqs(), [3, 5]);
      assert.equal(s.removeMsg(1), true);
      st = s.state();
      assert.deepEqual([st.msgs, st.firstSeq, st.lastSeq, st.numDeleted], [2, 2, 5, 2]);
      assert.equal(s.loadMsg(1), undefined);
      assert.equal(s.loadMsg(2)!.data.toString(), "m2");
    });

    it("erases: the message is gone and a new one still gets the next sequence", async () => {
      const s = await kit.create();
      fill(s, ["a"], 3);
      const held = s.loadMsg(2)!.data;
      assert.equal(s.removeMsg(2, { erase: true }), true);
      await s.flush();
      assert.equal(s.loadMsg(2), undefined);
      assert.equal(s.loadMsg(3)!.data.toString(), "m3");
      assert.equal(s.storeMsg("a", undefined, buf("m4")).seq, 4);
      assert.equal(held.toString(), "m2", "a buffer handed out before is never changed");
    });

    it("empties to first = last + 1 when every message is deleted", async () => {
      const s = await kit.create();
      fill(s, ["a"], 2);
      s.removeMsg(1);
      s.removeMsg(2);
      const st = s.state();
      assert.deepEqual([st.msgs, st.firstSeq, st.lastSeq, st.numDeleted, st.firstTime], [0, 3, 2, 0, 0]);
      assert.deepEqual(s.deletedSeqs(), []);
    });
  });

  describe("lookups", () => {
    it("finds the next message by literal, wildcard and full filters", async () => {
      const s = await kit.create();
      for (const subj of ["a.x", "b.x", "a.y", "c", "a.x.deep", "b.y"]) s.storeMsg(subj, undefined, buf(subj));
      s.removeMsg(3);
      assert.equal(s.loadNextMsg(">", 1)!.seq, 1);
      assert.equal(s.loadNextMsg("", 3)!.seq, 4);
      assert.equal(s.loadNextMsg("a.x", 2), undefined);
      assert.equal(s.nextSeq("a.x", 1), 1);
      assert.equal(s.nextSeq("a.x", 2), 0, "a.x.deep is another subject");
      assert.equal(s.nextSeq("a.*", 1), 1);
      assert.equal(s.nextSeq("a.*", 2), 0, "a.y (3) is deleted");
      assert.equal(s.nextSeq("a.>", 2), 5);
      assert.equal(s.nextSeq("*.y", 1), 6);
      assert.equal(s.nextSeq("*", 1), 4);
      assert.equal(s.nextSeq("zzz", 1), 0);
      assert.equal(s.nextSeq(">", 7), 0);
      assert.equal(s.loadNextMsg("b.*", 3)!.subject, "b.y");
    });

    it("finds the next message by wildcard among many subjects", async () => {
      const s = await kit.create();
      for (let i = 0; i < 200; i++) s.storeMsg(`k.${i}`, undefined, buf(String(i)));
      s.storeMsg("other.1", undefined, buf("o"));
      s.storeMsg("k.5", undefined, buf("again"));
      assert.equal(s.nextSeq("other.*", 1), 201);
      assert.equal(s.nextSeq("k.*", 150), 150);
      assert.equal(s.nextSeq("k.*", 201), 202);
      assert.equal(s.loadLastMsg("k.*")!.data.toString(), "again");
      assert.equal(s.loadLastMsg("other.>")!.seq, 201);
      assert.equal(s.numPending(190, "k.*", false), 12);
      assert.equal(s.numPending(1, "k.*", true), 200);
      assert.equal(s.numPending(200, "k.*", true), 2, "k.199 and k.5");
    });

    it("finds the last message per filter", async () => {
      const s = await kit.create();
      for (const subj of ["a.x", "b.x", "a.y", "a.x"]) s.storeMsg(subj, undefined, buf(subj));
      assert.equal(s.loadLastMsg("a.x")!.seq, 4);
      assert.equal(s.loadLastMsg("b.x")!.seq, 2);
      assert.equal(s.loadLastMsg("*.x")!.seq, 4);
      assert.equal(s.loadLastMsg(">")!.seq, 4);
      s.removeMsg(4);
      assert.equal(s.loadLastMsg("a.x")!.seq, 1);
      assert.equal(s.loadLastMsg("a.*")!.seq, 3);
      assert.equal(s.loadLastMsg(">")!.seq, 3);
      assert.equal(s.loadLastMsg("nope"), undefined);
    });

    it("reports subject state and counts", async () => {
      const s = await kit.create();
      for (const subj of ["a.x", "b.x", "a.y", "a.x", "a.x"]) s.storeMsg(subj, undefined, buf(subj));
      s.removeMsg(4);
      assert.equal(s.state().numSubjects, 3);
      assert.deepEqual(Object.fromEntries(s.subjectsState(">")), {
        "a.x": { first: 1, last: 5, msgs: 2 },
        "b.x": { first: 2, last: 2, msgs: 1 },
        "a.y": { first: 3, last: 3, msgs: 1 },
      });
      assert.deepEqual(Object.fromEntries(s.subjectsState("a.*")), {
        "a.x": { first: 1, last: 5, msgs: 2 },
        "a.y": { first: 3, last: 3, msgs: 1 },
      });
      assert.deepEqual(Object.fromEntries(s.subjectsState("b.x")), { "b.x": { first: 2, last: 2, msgs: 1 } });
      assert.equal(s.subjectsState("zz").size, 0);
    });

    it("counts pending messages for consumers", async () => {
      const s = await kit.create();
      for (const subj of ["a.x", "b.x", "a.y", "a.x", "a.x"]) s.storeMsg(subj, undefined, buf(subj));
      s.removeMsg(4);
      assert.equal(s.numPending(1, ">", false), 4);
      assert.equal(s.numPending(0, "", false), 4);
      assert.equal(s.numPending(3, ">", false), 2);
      assert.equal(s.numPending(6, ">", false), 0);
      assert.equal(s.numPending(1, "a.x", false), 2);
      assert.equal(s.numPending(2, "a.x", false), 1);
      assert.equal(s.numPending(1, "a.*", false), 3);
      assert.equal(s.numPending(1, ">", true), 3);
      assert.equal(s.numPending(4, ">", true), 1);
      assert.equal(s.numPending(1, "a.*", true), 2);
    });

    it("finds the first sequence at or after a time", async () => {
      const s = await kit.create();
      const base = 1_700_000_000_000_000_000;
      for (let i = 0; i < 5; i++) s.storeMsg("a", undefined, buf(String(i)), { time: base + i * 1000 });
      assert.equal(s.seqForTime(0), 1);
      assert.equal(s.seqForTime(base + 1500), 3);
      assert.equal(s.seqForTime(base + 2000), 3);
      assert.equal(s.seqForTime(base + 9000), 6);
    });

    it("visits the headers of live messages from a sequence, in order, skipping those without", async () => {
      const s = await kit.create();
      for (let i = 1; i <= 40; i++) s.storeMsg(`h.${i % 3}`, i % 4 === 0 ? buf(`NATS/1.0\r\nN: ${i}\r\n\r\n`) : undefined, buf(`p${i}`));
      s.removeMsg(8);
      s.purge({ filter: "h.1", keep: 0 });
      const seen: [number, string][] = [];
      s.forEachHeader(5, (seq, time, hdr) => {
        assert.equal(time, s.loadMsg(seq)!.time);
        seen.push([seq, hdr.toString()]);
      });
      const expected = [12, 20, 24, 32, 36].map((i): [number, string] => [i, `NATS/1.0\r\nN: ${i}\r\n\r\n`]);
      assert.deepEqual(seen, expected);
    });
  });

  describe("purge and compact", () => {
    it("purges everything: first = last + 1, last_ts kept (as nats-server)", async () => {
      const s = await kit.create();
      fill(s, ["s.a", "s.b"], 3);
      const lastTime = s.state().lastTime;
      assert.equal(s.purge(), 3);
      const st = s.state();
      assert.deepEqual([st.msgs, st.bytes, st.firstSeq, st.lastSeq, st.numSubjects, st.lastTime], [0, 0, 4, 3, 0, lastTime]);
      assert.equal(s.storeMsg("s.a", undefined, buf("x")).seq, 4);
      assert.equal(s.purge(), 1);
      assert.equal(s.purge(), 0);
    });

    it("purges by filter, with keep, and with seq", async () => {
      const s = await kit.create();
      for (let i = 1; i <= 12; i++) s.storeMsg(i % 3 === 0 ? "b" : `a.${i % 2}`, undefined, buf(String(i)));
      // a.1: 1,5,7,11  a.0: 2,4,8,10  b: 3,6,9,12
      assert.equal(s.purge({ filter: "a.*", keep: 3 }), 5, "keeps the 3 newest a.* messages");
      assert.deepEqual(seqsOf(s, "a.*"), [8, 10, 11]);
      assert.equal(s.purge({ filter: "b", seq: 9 }), 2, "b below 9");
      assert.deepEqual(seqsOf(s, "b"), [9, 12]);
      assert.equal(s.purge({ filter: "b", keep: 5 }), 0);
      assert.equal(s.purge({ filter: "a.1" }), 1);
      assert.deepEqual(seqsOf(s), [8, 9, 10, 12]);
      assert.equal(s.state().firstSeq, 8);
    });

    it("purges with keep (newest live messages) and with seq, unfiltered", async () => {
      const s = await kit.create();
      fill(s, ["a", "b"], 7);
      s.removeMsg(5);
      assert.equal(s.purge({ keep: 2 }), 4);
      assert.deepEqual(seqsOf(s), [6, 7]);
      assert.equal(s.purge({ keep: 5 }), 0);
      fill(s, ["a"], 3); // 8, 9, 10
      assert.equal(s.purge({ seq: 9 }), 3);
      assert.deepEqual(seqsOf(s), [9, 10]);
    });

    it("purges up to a future sequence: the sequence jumps (as nats-server)", async () => {
      const s = await kit.create();
      fill(s, ["a"], 3);
      assert.equal(s.purge({ seq: 100 }), 3);
      const st = s.state();
      assert.deepEqual([st.msgs, st.firstSeq, st.lastSeq], [0, 100, 99]);
      assert.equal(s.storeMsg("a", undefined, buf("x")).seq, 100);
    });

    it("compacts below a sequence", async () => {
      const s = await kit.create();
      fill(s, ["a", "b"], 6);
      s.removeMsg(4);
      assert.equal(s.compact(4), 3);
      assert.equal(s.state().firstSeq, 5);
      assert.equal(s.compact(5), 0);
      assert.equal(s.compact(1), 0);
      assert.deepEqual(seqsOf(s), [5, 6]);
    });
  });

  describe("limits", () => {
    it("discard old: max_msgs drops the oldest", async () => {
      const s = await kit.create({ limits: { maxMsgs: 3 } });
      const removed: [number, RemoveReason][] = [];
      s.onRemove((seq, _subj, reason) => removed.push([seq, reason]));
      fill(s, ["a"], 5);
      assert.deepEqual(seqsOf(s), [3, 4, 5]);
      assert.deepEqual(removed, [
        [1, "limit"],
        [2, "limit"],
      ]);
    });

    it("discard old: max_bytes drops the oldest until it fits", async () => {
      const one = size(kit.kind, "a", 0, 10);
      const s = await kit.create({ limits: { maxBytes: one * 3 } });
      for (let i = 0; i < 5; i++) s.storeMsg("a", undefined, Buffer.alloc(10, i));
      assert.deepEqual(seqsOf(s), [3, 4, 5]);
      assert.equal(s.state().bytes, one * 3);
      s.storeMsg("a", undefined, Buffer.alloc(10 + 2 * one));
      assert.deepEqual(seqsOf(s), [6], "a message of three slots' size pushes out everything else");
    });

    it("discard old: max_msgs_per_subject keeps the newest per subject", async () => {
      const s = await kit.create({ limits: { maxMsgsPerSubject: 2 } });
      for (const subj of ["k.a", "k.b", "k.a", "k.a", "k.b", "k.a"]) s.storeMsg(subj, undefined, buf(subj));
      assert.deepEqual(seqsOf(s, "k.a"), [4, 6]);
      assert.deepEqual(seqsOf(s, "k.b"), [2, 5]);
      assert.equal(s.state().msgs, 4);
    });

    it("discard new: rejects past max_msgs and max_bytes with typed errors", async () => {
      const s = await kit.create({ limits: { maxMsgs: 2, discard: "new" } });
      fill(s, ["a"], 2);
      assert.throws(() => s.storeMsg("a", undefined, buf("x")), (e: unknown) => isStoreError(e, "max_msgs") && (e as Error).message === "maximum messages exceeded");
      assert.equal(s.state().lastSeq, 2, "a rejected message consumes no sequence");
      const one = size(kit.kind, "b", 0, 10);
      const t = await kit.create({ limits: { maxBytes: one * 2, discard: "new" } });
      t.storeMsg("b", undefined, Buffer.alloc(10));
      t.storeMsg("b", undefined, Buffer.alloc(10));
      assert.throws(() => t.storeMsg("b", undefined, Buffer.alloc(1)), (e: unknown) => isStoreError(e, "max_bytes") && (e as Error).message === "maximum bytes exceeded");
      assert.equal(t.state().msgs, 2);
    });

    it("discard new with max_msgs_per_subject: a full subject replaces its oldest unless discard_new_per_subject", async () => {
      const s = await kit.create({ limits: { maxMsgs: 3, maxMsgsPerSubject: 2, discard: "new" } });
      s.storeMsg("u.a", undefined, buf("1"));
      s.storeMsg("u.a", undefined, buf("2"));
      s.storeMsg("u.b", undefined, buf("3"));
      s.storeMsg("u.a", undefined, buf("4")); // at max_msgs, but u.a is full: replaces seq 1
      assert.deepEqual(seqsOf(s), [2, 3, 4]);
      assert.throws(() => s.storeMsg("u.c", undefined, buf("5")), (e: unknown) => isStoreError(e, "max_msgs"));

      const t = await kit.create({ limits: { maxMsgs: 3, maxMsgsPerSubject: 2, discard: "new", discardNewPerSubject: true } });
      t.storeMsg("u.a", undefined, buf("1"));
      t.storeMsg("u.a", undefined, buf("2"));
      assert.throws(
        () => t.storeMsg("u.a", undefined, buf("3")),
        (e: unknown) => isStoreError(e, "max_msgs_per_subject") && (e as Error).message === "maximum messages per subject exceeded",
      );
      t.storeMsg("u.b", undefined, buf("3"));
      assert.throws(() => t.storeMsg("u.c", undefined, buf("4")), (e: unknown) => isStoreError(e, "max_msgs"));
      assert.deepEqual(seqsOf(t), [1, 2, 3]);
    });

    it("rejects a message above max_msg_size (header plus payload)", async () => {
      const s = await kit.create({ limits: { maxMsgSize: 10 } });
      s.storeMsg("a", undefined, Buffer.alloc(10));
      assert.throws(() => s.storeMsg("a", undefined, Buffer.alloc(11)), (e: unknown) => isStoreError(e, "msg_too_large"));
      assert.throws(() => s.storeMsg("a", buf("NATS/1.0\r\n\r\n"), Buffer.alloc(0)), (e: unknown) => isStoreError(e, "msg_too_large"));
      assert.equal(s.state().msgs, 1);
    });

    it("applies smaller limits at once when updated", async () => {
      const s = await kit.create();
      const reasons: RemoveReason[] = [];
      s.onRemove((_seq, _subj, r) => reasons.push(r));
      for (const subj of ["a", "b", "a", "a", "b", "c"]) s.storeMsg(subj, undefined, buf(subj));
      s.updateLimits({ maxMsgsPerSubject: 1 });
      assert.deepEqual(seqsOf(s), [4, 5, 6]);
      s.updateLimits({ maxMsgs: 2 });
      assert.deepEqual(seqsOf(s), [5, 6]);
      assert.equal(s.limits().maxMsgs, 2);
      assert.ok(reasons.every((r) => r === "limit") && reasons.length === 4);
    });
  });

  describe("expiry", () => {
    it("removes messages older than max_age on a timer", async () => {
      const s = await kit.create({ limits: { maxAge: 300e6 } });
      const removed: [number, RemoveReason][] = [];
      s.onRemove((seq, _subj, r) => removed.push([seq, r]));
      s.storeMsg("a", undefined, buf("old"));
      await sleep(150);
      s.storeMsg("a", undefined, buf("young"));
      assert.ok(await waitFor(() => s.state().msgs === 1));
      assert.deepEqual(removed, [[1, "age"]]);
      assert.ok(await waitFor(() => s.state().msgs === 0));
      assert.deepEqual(removed[1], [2, "age"]);
    });

    it("removes a message at its own TTL; others stay", async () => {
      const s = await kit.create();
      const removed: [number, RemoveReason][] = [];
      s.onRemove((seq, _subj, r) => removed.push([seq, r]));
      s.storeMsg("a", undefined, buf("short"), { ttl: 100e6 });
      s.storeMsg("a", undefined, buf("plain"));
      s.storeMsg("a", undefined, buf("long"), { ttl: 60e9 });
      assert.equal(s.loadMsg(1)!.ttl, 100e6);
      assert.ok(await waitFor(() => s.state().msgs === 2));
      assert.deepEqual(removed, [[1, "ttl"]]);
      assert.deepEqual(seqsOf(s), [2, 3]);
    });

    it("a TTL of 'never' (-1) or a longer TTL overrides max_age", async () => {
      const s = await kit.create({ limits: { maxAge: 100e6 } });
      s.storeMsg("a", undefined, buf("never"), { ttl: -1 });
      s.storeMsg("a", undefined, buf("aged"));
      s.storeMsg("a", undefined, buf("long ttl"), { ttl: 60e9 });
      assert.ok(await waitFor(() => s.loadMsg(2) === undefined));
      await sleep(50);
      assert.deepEqual(seqsOf(s), [1, 3]);
      assert.equal(s.loadMsg(1)!.ttl, -1);
    });

    it("applies a new max_age at once", async () => {
      const s = await kit.create();
      s.storeMsg("a", undefined, buf("x"), { time: Date.now() * 1e6 - 10e9 });
      s.storeMsg("a", undefined, buf("y"));
      s.updateLimits({ maxAge: 5e9 });
      assert.deepEqual(seqsOf(s), [2]);
    });
  });

  describe("sequences", () => {
    it("skips sequences and stores at a given sequence", async () => {
      const s = await kit.create();
      s.storeMsg("a", undefined, buf("1"));
      assert.equal(s.skipMsg(), 2);
      s.skipTo(5);
      assert.equal(s.storeMsg("a", undefined, buf("6")).seq, 6);
      s.storeRawMsg(10, "b", HDR, buf("10"), 1_700_000_000_000_000_000, 60e9);
      assert.throws(() => s.storeRawMsg(10, "b", undefined, buf("x"), 0), (e: unknown) => isStoreError(e, "bad_sequence"));
      const st = s.state();
      assert.deepEqual([st.msgs, st.firstSeq, st.lastSeq, st.numDeleted], [3, 1, 10, 7]);
      const m = s.loadMsg(10)!;
      assert.deepEqual([m.subject, m.time, m.ttl, m.hdr?.toString()], ["b", 1_700_000_000_000_000_000, 60e9, HDR.toString()]);
    });

    it("starts at first_seq", async () => {
      const s = await kit.create({ firstSeq: 100 });
      let st = s.state();
      assert.deepEqual([st.firstSeq, st.lastSeq], [100, 99]);
      assert.equal(s.storeMsg("a", undefined, buf("x")).seq, 100);
      st = s.state();
      assert.deepEqual([st.firstSeq, st.lastSeq, st.numDeleted], [100, 100, 0]);
    });
  });

  describe("truncate", () => {
    it("drops everything above a sequence, keeps earlier removals, and appends from there again", async () => {
      let s = await kit.create();
      fill(s, ["t.a", "t.b", "t.c"], 30);
      s.removeMsg(5);
      s.removeMsg(25);
      s.purge({ filter: "t.c", keep: 2 });
      const above = seqsOf(s).filter((x) => x > 20);
      const removed: number[] = [];
      s.onRemove((seq) => removed.push(seq));
      await s.truncate(20);
      assert.deepEqual(removed, above.reverse(), "listeners hear of every message dropped, newest first");
      const expected = seqsOf(s);
      assert.ok(expected.every((x) => x <= 20) && !expected.includes(5));
      assert.equal(s.state().lastSeq, 20);
      assert.equal(s.storeMsg("t.new", undefined, buf("again")).seq, 21);
      assert.equal(s.loadLastMsg("t.a")!.seq, 19);
      s = await kit.reopen(s);
      assert.deepEqual(seqsOf(s), [...expected, 21]);
      assert.equal(s.loadMsg(21)!.data.toString(), "again");
      assert.equal(s.state().lastSeq, 21);
      assert.equal(s.loadMsg(5), undefined);
    });

    it("truncates below a skip and to nothing", async () => {
      let s = await kit.create();
      fill(s, ["a"], 5);
      s.skipTo(40);
      fill(s, ["a"], 3);
      await s.truncate(10);
      assert.deepEqual([s.state().lastSeq, s.state().msgs], [10, 5]);
      s = await kit.reopen(s);
      assert.deepEqual([s.state().lastSeq, s.state().msgs], [10, 5]);
      await s.truncate(0);
      assert.deepEqual([s.state().msgs, s.state().lastSeq], [0, 0]);
      assert.equal(s.storeMsg("a", undefined, buf("x")).seq, 1);
      s = await kit.reopen(s);
      assert.deepEqual(seqsOf(s), [1]);
    });
  });

  describe("listeners and lifecycle", () => {
    it("tells listeners about every removal with its reason, until unregistered", async () => {
      const s = await kit.create();
      const seen: string[] = [];
      const off = s.onRemove((seq, subj, r) => seen.push(`${seq}:${subj}:${r}`));
      fill(s, ["a", "b"], 6);
      s.removeMsg(2);
      s.purge({ filter: "a", keep: 1 });
      s.compact(5);
      off();
      s.purge();
      assert.deepEqual(seen, ["2:b:delete", "1:a:purge", "3:a:purge", "4:b:purge"]);
    });

    it("refuses use after stop", async () => {
      const s = await kit.create();
      s.storeMsg("a", undefined, buf("x"));
      await s.stop();
      assert.throws(() => s.storeMsg("a", undefined, buf("y")), (e: unknown) => isStoreError(e, "closed"));
      assert.throws(() => s.loadMsg(1), (e: unknown) => isStoreError(e, "closed"));
    });

    it("snapshots and restores into a new store", async () => {
      const s = await kit.create({ firstSeq: 5 });
      s.storeMsg("a.1", HDR, buf("one"), { ttl: 3600e9 });
      s.storeMsg("a.2", undefined, Buffer.alloc(5000, 7));
      s.storeMsg("b", undefined, buf("three"));
      s.storeMsg("b", undefined, buf("four"));
      s.removeMsg(7);
      s.skipTo(12);
      const chunks: Buffer[] = [];
      for await (const c of s.snapshot(1024)) chunks.push(Buffer.from(c));
      assert.ok(chunks.length > 1, "small chunk size gives several chunks");
      const target = await kit.create();
      await restoreStore(target, chunks);
      assert.deepEqual(stateShape(target), stateShape(s));
      for (const seq of [5, 6, 8]) assert.deepEqual(target.loadMsg(seq), s.loadMsg(seq));
      assert.equal(target.storeMsg("c", undefined, buf("new")).seq, 13);
      await assert.rejects(restoreStore(await kit.create(), [chunks[0]!.subarray(0, chunks[0]!.length - 3)]), /truncated/);
    });
  });
}

function stateShape(s: StreamStore): object {
  const { lastTime: _t, ...rest } = s.state();
  return { ...rest, subjects: Object.fromEntries(s.subjectsState(">")), deleted: s.deletedSeqs() };
}
