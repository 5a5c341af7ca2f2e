/**
 * Reads of records that are not in a block's memory cache: a synchronous pread with a 64 KiB
 * read-ahead window, so that a consumer catching up through old data costs one syscall per window
 * rather than one per message. Every record read from disk is checksum-verified.
 */
import type { MsgPayload } from "../store-core.js";
import { FIXED, readRecord, type RecordView } from "../record.js";
import type { Block } from "./block.js";
import { preadSync } from "./io.js";

const READ_AHEAD = 64 * 1024;

interface Window {
  block: Block;
  generation: number;
  pos: number;
  buf: Buffer;
}

export class ReadAhead {
  private w: Window | undefined;

  /** The verified record at off in block b, or undefined when it does not verify. */
  read(b: Block, off: number): { buf: Buffer; view: RecordView } | undefined {
    let w = this.w;
    if (w === undefined || w.block !== b || w.generation !== b.generation || off < w.pos || off + FIXED > w.pos + w.buf.length) {
      w = this.load(b, off, READ_AHEAD);
    }
    let rel = off - w.pos;
    const len = w.buf.length - rel >= 4 ? w.buf.readUInt32LE(rel) : 0;
    if (rel + len > w.buf.length) {
      w = this.load(b, off, Math.max(len, READ_AHEAD));
      rel = 0;
    }
    const view = readRecord(w.buf, rel, w.buf.length);
    if (view === undefined) this.w = undefined;
    return view === undefined ? undefined : { buf: w.buf, view };
  }

  /** Drops the window if it belongs to b (b changed on disk or is gone), or in any case. */
  forget(b?: Block): void {
    if (b === undefined || this.w?.block === b) this.w = undefined;
  }

  private load(b: Block, off: number, len: number): Window {
    this.w = { block: b, generation: b.generation, pos: off, buf: preadSync(b.fd, len, off) };
    return this.w;
  }
}

/** Header and payload of a record as views into buf. */
export function payloadOf(buf: Buffer, v: RecordView): MsgPayload {
  return {
    hdr: v.hdrLen > 0 ? buf.subarray(v.hdrStart, v.hdrStart + v.hdrLen) : undefined,
    data: buf.subarray(v.dataStart, v.dataStart + v.dataLen),
  };
}
