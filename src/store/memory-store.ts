/**
 * storage: memory. Same semantics as the file store (both are BaseStore); messages live in the index
 * as copies, so that a stored message does not pin the socket chunk it arrived in.
 */
import { MsgIndex } from "./msg-index.js";
import { memStoreMsgSize } from "./msg-size.js";
import { BaseStore, type MsgPayload } from "./store-core.js";
import { SubjectIndex } from "./subject-index.js";
import type { StoreOptions } from "./types.js";

const RESOLVED = Promise.resolve();

export class MemoryStore extends BaseStore<MsgPayload> {
  readonly kind = "memory" as const;
  private readonly msgs: MsgIndex<MsgPayload>;

  constructor(opts: StoreOptions = {}) {
    const msgs = new MsgIndex<MsgPayload>(true);
    super(msgs, new SubjectIndex(), opts);
    this.msgs = msgs;
    if (opts.firstSeq !== undefined && opts.firstSeq > 1) this.lastSeq = opts.firstSeq - 1;
  }

  protected msgSize(subjectBytes: number, hdrLen: number, dataLen: number): number {
    return memStoreMsgSize(subjectBytes, hdrLen, dataLen);
  }

  protected persistMsg(_seq: number, _time: number, _subject: string, _subjectBytes: number, hdr: Buffer | undefined, data: Buffer): MsgPayload {
    const hdrLen = hdr === undefined ? 0 : hdr.length;
    // One allocation (from Node's pool when small) for both parts.
    const copy = Buffer.allocUnsafe(hdrLen + data.length);
    if (hdrLen > 0) hdr!.copy(copy, 0);
    data.copy(copy, hdrLen);
    return { hdr: hdrLen > 0 ? copy.subarray(0, hdrLen) : undefined, data: copy.subarray(hdrLen) };
  }

  protected loadPayload(_seq: number, ref: MsgPayload | undefined): MsgPayload {
    return ref!;
  }

  /**
   * Nothing to persist. A secure erase does not overwrite the copy either: readers may still hold
   * views of it (a delivery waiting in an outbound buffer), and memory is gone at restart anyway.
   */
  protected persistRemoval(): void {}

  protected released(): void {}

  protected persistFloor(): void {}

  protected persistSkip(): void {}

  protected persistTruncate(): Promise<void> {
    return RESOLVED;
  }

  sync(): Promise<void> {
    return RESOLVED;
  }

  flush(): Promise<void> {
    return RESOLVED;
  }

  async stop(): Promise<void> {
    if (this.closed) return;
    this.shutdown();
    this.msgs.clear();
    this.subjects.clear();
  }

  delete(): Promise<void> {
    return this.stop();
  }
}
