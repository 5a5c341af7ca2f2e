/**
 * A nats-server consumer's state file, `obs/<consumer>/o.dat`: magic 22, version (1 or 2), then Go
 * uvarints ack floor (consumer, stream), delivered (consumer, stream), the pending count, and when there
 * are pending messages a varint base time in seconds followed per message by the stream sequence
 * (from the stream ack floor), in version 2 the consumer sequence (from the consumer ack floor), and the
 * varint age in seconds (version 2: base minus time; version 1: time minus base); then the
 * redelivered count and per entry the stream sequence (from the ack floor) and the redelivery count.
 * Version 1 kept "delivered" as the next sequence to deliver.
 *
 * Invariants checked: ack floor <= delivered, pending sequences inside (ack floor, delivered].
 */
import { NatsStoreError } from "./errors.js";
import { STORE_MAGIC } from "./block-index.js";
import { GoVarintReader } from "./go-varint.js";

export interface NatsPending {
  sseq: number;
  /** Consumer sequence of the delivery (0 when version 1 did not keep it). */
  cseq: number;
  /** When it was delivered, ns since the epoch, to the second. */
  time: number;
}

export interface NatsConsumerState {
  delivered: { consumer: number; stream: number };
  ackFloor: { consumer: number; stream: number };
  /** In stream-sequence order. */
  pending: NatsPending[];
  /** Stream sequence -> times redelivered (nats-server's count; the delivery count is one more). */
  redelivered: Map<number, number>;
}

const SECOND = 1e9;

export function parseConsumerState(buf: Buffer, file: string): NatsConsumerState {
  if (buf.length < 2 || buf[0] !== STORE_MAGIC) throw new NatsStoreError(file, 0, "not a nats-server consumer state (bad magic)");
  const version = buf[1]!;
  if (version !== 1 && version !== 2) throw new NatsStoreError(file, 1, `unsupported consumer state version ${version}`);
  const r = new GoVarintReader(buf, file, 2);
  const ackFloor = { consumer: r.uvarint("ack floor"), stream: r.uvarint("ack floor") };
  const delivered = { consumer: r.uvarint("delivered"), stream: r.uvarint("delivered") };
  if (version === 1) {
    if (ackFloor.consumer > 1) delivered.consumer += ackFloor.consumer - 1;
    if (ackFloor.stream > 1) delivered.stream += ackFloor.stream - 1;
  }
  if (ackFloor.stream > delivered.stream || ackFloor.consumer > delivered.consumer) {
    throw new NatsStoreError(file, 2, `ack floor ${ackFloor.stream}/${ackFloor.consumer} is past delivered ${delivered.stream}/${delivered.consumer}`);
  }
  const pending: NatsPending[] = [];
  const np = r.uvarint("pending count");
  if (np > 0) {
    const base = r.varint("pending base time");
    for (let i = 0; i < np; i++) {
      const at = r.off;
      const sseq = r.uvarint("pending sequence") + ackFloor.stream;
      const cseq = version === 2 ? r.uvarint("pending consumer sequence") + ackFloor.consumer : 0;
      const t = r.varint("pending time");
      if (sseq <= ackFloor.stream || sseq > delivered.stream) throw new NatsStoreError(file, at, `pending sequence ${sseq} outside (${ackFloor.stream}, ${delivered.stream}]`);
      pending.push({ sseq, cseq, time: (version === 2 ? base - t : base + t) * SECOND });
    }
  }
  pending.sort((a, b) => a.sseq - b.sseq);
  const redelivered = new Map<number, number>();
  const nr = r.uvarint("redelivered count");
  for (let i = 0; i < nr; i++) {
    const seq = r.uvarint("redelivered sequence");
    const n = r.uvarint("redelivery count");
    if (seq > 0 && n > 0) redelivered.set(seq + ackFloor.stream, n);
  }
  if (r.remaining !== 0) throw new NatsStoreError(file, r.off, `${r.remaining} unexpected bytes after the state`);
  return { delivered, ackFloor, pending, redelivered };
}
