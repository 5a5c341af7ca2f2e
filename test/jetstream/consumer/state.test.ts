import { test } from "node:test";
import assert from "node:assert/strict";
import { ConsumerState, PendingSet, restoreSnapshot, snapshotOf, type StateLog } from "../../../src/jetstream/consumer/state.js";

test("pending set: oldest first, lazy removal, out-of-order add after a reset", () => {
  const p = new PendingSet();
  for (let s = 1; s <= 10; s++) p.add(s, s, 0);
  assert.equal(p.first(), 1);
  p.delete(1);
  p.delete(3);
  assert.equal(p.first(), 2);
  p.delete(2);
  assert.equal(p.first(), 4);
  assert.deepEqual(p.upTo(6), [4, 5, 6]);
  p.add(0.5, 0, 0); // below the others: order must be kept
  assert.equal(p.first(), 0.5);
  for (const s of [0.5, 4, 5, 6, 7, 8, 9, 10]) p.delete(s);
  assert.equal(p.size, 0);
  assert.equal(p.first(), 0);
});

test("pending set agrees with a plain map under random adds, acks and resets", () => {
  let seed = 777;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const p = new PendingSet();
  const model = new Map<number, { cseq: number; ts: number }>();
  let next = 1;
  for (let i = 0; i < 30_000; i++) {
    const r = rnd(100);
    if (r < 45) {
      const seq = next;
      next += 1 + rnd(3);
      p.add(seq, i, i * 2);
      model.set(seq, { cseq: i, ts: i * 2 });
    } else if (r < 88) {
      // acks: mostly the oldest, sometimes any, sometimes one that is not pending
      const keys = [...model.keys()].sort((a, b) => a - b);
      const seq = keys.length === 0 || r > 85 ? next + 5 : r < 70 ? keys[0]! : keys[rnd(keys.length)]!;
      assert.equal(p.delete(seq), model.delete(seq));
    } else if (r < 90) {
      // an earlier sequence comes in (after a reset), or one already pending is replaced
      const seq = Math.max(1, next - 1 - rnd(50));
      p.add(seq, -i, i);
      model.set(seq, { cseq: -i, ts: i });
    } else if (r < 99) {
      const seq = 1 + rnd(next);
      const e = model.get(seq);
      assert.equal(p.has(seq), e !== undefined);
      assert.deepEqual(p.get(seq), e);
      assert.equal(p.cseqOf(seq), e?.cseq ?? 0);
      assert.equal(p.setTs(seq, 5), e !== undefined);
      if (e !== undefined) e.ts = 5;
    } else {
      p.clear();
      model.clear();
    }
    const keys = [...model.keys()].sort((a, b) => a - b);
    assert.equal(p.size, model.size);
    assert.equal(p.first(), keys[0] ?? 0);
    if (i % 100 === 0) {
      const all: [number, number, number][] = [];
      p.forEach((seq, cseq, ts) => all.push([seq, cseq, ts]));
      assert.deepEqual(all, keys.map((k) => [k, model.get(k)!.cseq, model.get(k)!.ts]));
      const cut = keys[keys.length >> 1] ?? 0;
      assert.deepEqual(p.upTo(cut), keys.filter((k) => k <= cut));
    }
  }
});

test("pending set stays O(1) amortized under FIFO acks", () => {
  const p = new PendingSet();
  const t0 = performance.now();
  for (let s = 1; s <= 200_000; s++) {
    p.add(s, s, 0);
    if (s > 1000) {
      p.delete(s - 1000);
      p.first();
    }
  }
  assert.equal(p.size, 1000);
  assert.equal(p.first(), 199_001);
  assert.ok(performance.now() - t0 < 5000);
});

test("ack floor follows the oldest pending message, and the last delivery when none", () => {
  const s = new ConsumerState();
  s.reset(1);
  for (let seq = 1; seq <= 5; seq++) assert.equal(s.deliver(seq, 1, 100), seq);
  assert.equal(s.pending.size, 5);
  assert.deepEqual([s.ackFloorStream, s.ackFloorConsumer], [0, 0]);
  s.ack(2);
  assert.deepEqual([s.ackFloorStream, s.ackFloorConsumer], [0, 0]);
  s.ack(1);
  assert.deepEqual([s.ackFloorStream, s.ackFloorConsumer], [2, 2]);
  // A redelivery takes a new consumer sequence; the pending entry keeps its first one.
  assert.equal(s.deliver(3, 2, 200), 6);
  assert.equal(s.pending.get(3)!.cseq, 3);
  assert.equal(s.deliveryCount(3), 2);
  for (const seq of [3, 4, 5]) s.ack(seq);
  assert.deepEqual([s.ackFloorStream, s.ackFloorConsumer], [5, 6]);
  assert.equal(s.redelivered.size, 0);
});

test("ack all acknowledges everything below; max deliveries keep the count", () => {
  const s = new ConsumerState();
  s.reset(1);
  for (let seq = 1; seq <= 6; seq++) s.deliver(seq, 1, 0);
  assert.deepEqual(s.ackAll(4, 4), [1, 2, 3, 4]);
  assert.equal(s.ackAll(3, 3), undefined);
  assert.deepEqual([s.ackFloorStream, s.ackFloorConsumer], [4, 4]);
  s.deliver(5, 2, 0);
  s.maxDelivered(5, 2);
  assert.equal(s.pending.has(5), false);
  assert.equal(s.redelivered.get(5), 2);
  assert.deepEqual([s.ackFloorStream, s.ackFloorConsumer], [5, 5]);
  s.forget(5);
  assert.equal(s.redelivered.size, 0);
});

test("ack none moves the floor with every delivery", () => {
  const s = new ConsumerState();
  s.ackNone = true;
  s.reset(10);
  s.deliver(10, 1, 0);
  s.deliver(12, 1, 0);
  assert.equal(s.pending.size, 0);
  assert.deepEqual([s.ackFloorStream, s.ackFloorConsumer, s.sseq], [12, 2, 13]);
});

/** A log that applies what it is told to a second state: the replay must reproduce the first. */
class Mirror implements StateLog {
  readonly copy = new ConsumerState();
  deliver(sseq: number, dc: number, ts: number): void {
    this.copy.deliver(sseq, dc, ts);
  }
  ack(sseq: number): void {
    this.copy.ack(sseq);
  }
  ackAll(sseq: number, cseq: number): void {
    this.copy.ackAll(sseq, cseq);
  }
  touch(sseq: number, ts: number): void {
    this.copy.touch(sseq, ts);
  }
  maxDelivered(sseq: number, dc: number): void {
    this.copy.maxDelivered(sseq, dc);
  }
  forget(sseq: number): void {
    this.copy.forget(sseq);
  }
  setNext(sseq: number): void {
    this.copy.setNext(sseq);
  }
  reset(sseq: number): void {
    this.copy.reset(sseq);
  }
}

test("replaying the logged operations rebuilds the same state (random operations)", () => {
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let round = 0; round < 20; round++) {
    const s = new ConsumerState();
    const m = new Mirror();
    s.log = m;
    s.reset(1);
    let next = 1;
    for (let i = 0; i < 2000; i++) {
      const pend = s.pending.upTo(Infinity);
      const pick = pend.length > 0 ? pend[rnd(pend.length)]! : 0;
      switch (rnd(8)) {
        case 0:
        case 1:
        case 2:
          s.deliver(next++, 1, i);
          break;
        case 3:
          if (pick) s.ack(pick);
          break;
        case 4:
          if (pick) s.deliver(pick, s.deliveryCount(pick) + 1, i);
          break;
        case 5:
          if (pick) s.touch(pick, i + 1000);
          break;
        case 6:
          if (pick) s.maxDelivered(pick, s.deliveryCount(pick));
          break;
        case 7:
          if (pick && rnd(4) === 0) s.forget(pick);
          else next += rnd(3);
          if (rnd(50) === 0) s.setNext(next);
          break;
      }
    }
    assert.deepEqual(snapshotOf(m.copy), snapshotOf(s));
    const restored = new ConsumerState();
    restoreSnapshot(restored, snapshotOf(s));
    assert.deepEqual(snapshotOf(restored), snapshotOf(s));
  }
});
