/**
 * The records of state.ts operations as the state log stores them: one byte for the operation,
 * then its integers as unsigned LEB128 (integers up to 2^53). An entry of the log holds the records of
 * one batch; a snapshot holds one Snapshot record with the whole state. Replaying the records of the
 * entries in order, from the snapshot on, rebuilds the state exactly.
 *
 * The encoding is the one of the state log before it used store/log (store-legacy.ts), so an
 * old file's frames replay through the same code.
 */
import { restoreSnapshot, snapshotOf, type ConsumerState, type StateLog, type StateSnapshot } from "./state.js";

export const enum Op {
  Deliver = 1,
  Ack = 2,
  AckAll = 3,
  Touch = 4,
  MaxDelivered = 5,
  Forget = 6,
  SetNext = 7,
  Reset = 8,
  Snapshot = 9,
}

/** Builds records; take() hands out what was written and starts over. */
export class Writer {
  /** A plain Uint8Array: element writes to it are cheaper than to a Buffer. Allocated on first use. */
  private buf = new Uint8Array(0);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.len + n, 256));
    b.set(this.buf.subarray(0, this.len));
    this.buf = b;
  }

  byte(v: number): void {
    this.room(1);
    this.buf[this.len++] = v;
  }

  uint(v: number): void {
    this.room(8);
    const b = this.buf;
    let n = this.len;
    // Above 31 bits the low groups need float arithmetic (a division; `%` on a double is a slow call);
    // below it, int32 shifts do.
    while (v > 0x7fffffff) {
      const q = Math.floor(v / 0x80);
      b[n++] = (v - q * 0x80) | 0x80;
      v = q;
    }
    while (v >= 0x80) {
      b[n++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[n++] = v;
    this.len = n;
  }

  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.len));
    this.len = 0;
    if (this.buf.length > 1 << 20) this.buf = new Uint8Array(0);
    return out;
  }

  /** Forgets what was written. */
  clear(): void {
    this.len = 0;
  }
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  byte(): number {
    if (this.pos >= this.buf.length) throw new Error("truncated record");
    return this.buf[this.pos++]!;
  }

  uint(): number {
    let v = 0;
    let mul = 1;
    for (;;) {
      const b = this.byte();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
  }
}

function encodeSnapshot(w: Writer, s: StateSnapshot): void {
  w.byte(Op.Snapshot);
  w.uint(s.sseq);
  w.uint(s.dseq);
  w.uint(s.ackFloorStream);
  w.uint(s.ackFloorConsumer);
  w.uint(s.pending.length);
  for (const [seq, cseq, ts] of s.pending) {
    w.uint(seq);
    w.uint(cseq);
    w.uint(ts);
  }
  w.uint(s.redelivered.length);
  for (const [seq, dc] of s.redelivered) {
    w.uint(seq);
    w.uint(dc);
  }
}

/** Applies the records in `buf` to `state` (its log detached). */
export function replayRecords(state: ConsumerState, buf: Buffer): void {
  const r = new Reader(buf);
  while (!r.done) {
    const op = r.byte() as Op;
    switch (op) {
      case Op.Deliver: {
        const sseq = r.uint();
        const dc = r.uint();
        state.deliver(sseq, dc, r.uint());
        break;
      }
      case Op.Ack:
        state.ack(r.uint());
        break;
      case Op.AckAll: {
        const sseq = r.uint();
        state.ackAll(sseq, r.uint());
        break;
      }
      case Op.Touch: {
        const sseq = r.uint();
        state.touch(sseq, r.uint());
        break;
      }
      case Op.MaxDelivered: {
        const sseq = r.uint();
        state.maxDelivered(sseq, r.uint());
        break;
      }
      case Op.Forget:
        state.forget(r.uint());
        break;
      case Op.SetNext:
        state.setNext(r.uint());
        break;
      case Op.Reset:
        state.reset(r.uint());
        break;
      case Op.Snapshot: {
        const snap: StateSnapshot = {
          sseq: r.uint(),
          dseq: r.uint(),
          ackFloorStream: r.uint(),
          ackFloorConsumer: r.uint(),
          pending: [],
          redelivered: [],
        };
        for (let n = r.uint(); n > 0; n--) snap.pending.push([r.uint(), r.uint(), r.uint()]);
        for (let n = r.uint(); n > 0; n--) snap.redelivered.push([r.uint(), r.uint()]);
        restoreSnapshot(state, snap);
        break;
      }
      default:
        throw new Error(`unknown consumer state record ${op as number}`);
    }
  }
}

/** The whole state of `state` as one Snapshot record. */
export function snapshotRecord(state: ConsumerState): Buffer {
  const w = new Writer();
  encodeSnapshot(w, snapshotOf(state));
  return w.take();
}

/**
 * A StateLog that records the operations as records: the replicated consumer of a stream group sends
 * them through the group (`onWrite` runs after each, `take()` hands out what was recorded), and the file
 * consumer store (store.ts) appends them to its log, overriding noteWrite.
 */
export class RecordingLog implements StateLog {
  protected readonly w = new Writer();

  constructor(private readonly onWrite?: () => void) {}

  get size(): number {
    return this.w.len;
  }
  take(): Buffer {
    return this.w.take();
  }
  deliver(sseq: number, dc: number, ts: number): void {
    this.w.byte(Op.Deliver);
    this.w.uint(sseq);
    this.w.uint(dc);
    this.w.uint(ts);
    this.noteWrite();
  }
  ack(sseq: number): void {
    this.rec1(Op.Ack, sseq);
  }
  ackAll(sseq: number, cseq: number): void {
    this.rec2(Op.AckAll, sseq, cseq);
  }
  touch(sseq: number, ts: number): void {
    this.rec2(Op.Touch, sseq, ts);
  }
  maxDelivered(sseq: number, dc: number): void {
    this.rec2(Op.MaxDelivered, sseq, dc);
  }
  forget(sseq: number): void {
    this.rec1(Op.Forget, sseq);
  }
  setNext(sseq: number): void {
    this.rec1(Op.SetNext, sseq);
  }
  reset(sseq: number): void {
    this.rec1(Op.Reset, sseq);
  }
  /** Runs after each record. */
  protected noteWrite(): void {
    this.onWrite?.();
  }
  private rec1(op: Op, v: number): void {
    this.w.byte(op);
    this.w.uint(v);
    this.noteWrite();
  }
  private rec2(op: Op, a: number, b: number): void {
    this.w.byte(op);
    this.w.uint(a);
    this.w.uint(b);
    this.noteWrite();
  }
}
