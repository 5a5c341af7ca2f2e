/**
 * Reading a file store: from the block's buffer when cached, else by a small synchronous pread with a
 * read-ahead window (reader.ts), checksum verified. Synchronous because the JetStream layer's reads
 * are synchronous (consumers, direct get) and a pread from the page cache costs microseconds.
 */
import fs from "node:fs";
import { StoreError } from "../errors.js";
import { FIXED, RecordKind, readRecord, type RecordView } from "../record.js";
import type { MsgPayload } from "../store-core.js";
import type { StoredMsg } from "../types.js";
import type { Block } from "./block.js";
import { NONE } from "./block-index.js";
import { BlockStore } from "./block-store.js";
import { slotOffset } from "./index-file.js";
import { preadSync } from "./io.js";
import { payloadOf } from "./reader.js";

export abstract class ReadingStore extends BlockStore {
  /**
   * One message of a block whose index is not loaded (a KV get across a large bucket): its offset
   * from the block's index file and its record, a few small reads instead of loading the index.
   * Anything unexpected takes the ordinary path, which loads (or rebuilds) the index.
   */
  override loadMsg(seq: number): StoredMsg | undefined {
    this.checkOpen();
    const b = this.set.blockFor(seq);
    if (b === undefined || !b.isLive(seq)) return undefined;
    // A walk through the block (the read before was the message before) is better served by its index.
    const walking = b.lastAlone === seq - 1;
    b.lastAlone = seq;
    if (b.index !== undefined || b.buf !== undefined || b.indexDue || walking) return super.loadMsg(seq);
    const got = this.readAlone(b, seq);
    if (got === undefined) return super.loadMsg(seq);
    const { buf, view } = got;
    const msg: StoredMsg = {
      seq,
      subject: buf.toString("utf8", view.subjectStart, view.subjectStart + view.subjectLen),
      time: view.time,
      ...payloadOf(buf, view),
    };
    const ttl = this.ttlOf(seq);
    if (ttl !== undefined) msg.ttl = ttl;
    return msg;
  }

  private readAlone(b: Block, seq: number): { buf: Buffer; view: RecordView } | undefined {
    let idx: number;
    try {
      idx = fs.openSync(b.indexPath, "r");
    } catch {
      return undefined;
    }
    let off: number;
    try {
      off = slotOffset(idx, seq);
    } finally {
      fs.closeSync(idx);
    }
    if (off < 0 || off + FIXED > b.size) return undefined;
    const fd = fs.openSync(b.path, "r");
    try {
      const head = preadSync(fd, FIXED, off);
      const len = head.length === FIXED ? head.readUInt32LE(0) : 0;
      if (len < FIXED || off + len > b.size) return undefined;
      const buf = preadSync(fd, len, off);
      const view = readRecord(buf, 0, buf.length);
      return view !== undefined && view.kind === RecordKind.Msg && view.seq === seq ? { buf, view } : undefined;
    } finally {
      fs.closeSync(fd);
    }
  }

  protected loadPayload(seq: number, ref: number | undefined): MsgPayload {
    const b = this.set.blockFor(seq);
    const off = ref ?? -1;
    if (b === undefined || off < 0 || off === NONE) throw new StoreError("corrupt", `no record for sequence ${seq}`);
    if (b.buf !== undefined && off + FIXED <= b.size) return payloadOf(b.buf, readRecord(b.buf, off, b.size, false)!);
    this.openFd(b);
    const got = this.reader.read(b, off);
    if (got === undefined || got.view.kind !== RecordKind.Msg || got.view.seq !== seq) {
      this.reader.forget(b);
      this.report({ kind: "corrupt-read", file: b.path, offset: off, detail: `record of sequence ${seq} failed its checksum; not served` });
      throw new StoreError("corrupt", `sequence ${seq}`);
    }
    return payloadOf(got.buf, got.view);
  }

  /**
   * Walks each block once: by its index, reading the header length field of every live message (one
   * read of the whole block when it is not cached) and verifying only the records that have headers.
   */
  override forEachHeader(startSeq: number, visit: (seq: number, time: number, hdr: Buffer) => void): void {
    this.checkOpen();
    for (const b of [...this.blocks]) {
      if (b.live === 0 || b.last < startSeq || !b.hdrs) continue;
      const ix = this.loadIndex(b);
      const data = b.buf ?? preadSync(b.fd, b.size, 0);
      for (let seq = Math.max(startSeq, b.head); seq <= b.last; seq++) {
        if (!b.isLive(seq)) continue;
        const off = ix.offsetOf(seq);
        if (off < 0 || off + FIXED > b.size || data.readUInt32LE(off + 12) === 0) continue;
        const v = readRecord(data, off, b.size, b.buf === undefined);
        if (v === undefined || v.kind !== RecordKind.Msg || v.seq !== seq) {
          this.report({ kind: "corrupt-read", file: b.path, offset: off, detail: `record of sequence ${seq} failed its checksum; not served` });
          continue;
        }
        visit(seq, v.time, data.subarray(v.hdrStart, v.hdrStart + v.hdrLen));
      }
    }
  }

  protected override countMatchingFrom(start: number, match: (id: number) => boolean): number {
    return this.set.countMatching(start, match);
  }
}
