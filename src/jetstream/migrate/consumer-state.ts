/**
 * A nats-server consumer's state in tsnats's terms. The two count the same things: nats-server keeps the
 * last delivered and last acknowledged sequences, tsnats the next ones to deliver (so +1 on delivered);
 * nats-server counts redeliveries, tsnats deliveries (so +1 on each count); pending times are seconds in
 * nats-server, milliseconds here.
 */
import type { NatsConsumerState } from "../../store/migrate/consumer-state.js";
import type { StateSnapshot } from "../consumer/state.js";

const NS_PER_MS = 1e6;

export function consumerSnapshot(s: NatsConsumerState): StateSnapshot {
  return {
    sseq: s.delivered.stream + 1,
    dseq: s.delivered.consumer + 1,
    ackFloorStream: s.ackFloor.stream,
    ackFloorConsumer: s.ackFloor.consumer,
    // Version 1 state did not keep consumer sequences: the one above the ack floor is the best estimate.
    pending: s.pending.map((p) => [p.sseq, p.cseq > 0 ? p.cseq : s.ackFloor.consumer + 1, Math.round(p.time / NS_PER_MS)]),
    redelivered: [...s.redelivered].map(([seq, n]) => [seq, n + 1]),
  };
}
