/** ConsumerInfo (CONSUMER.INFO, CONSUMER.LIST, the create answer) as nats-server reports it. */
import { nanosToRfc3339, nowNanos, rfc3339ToNanos } from "../../util/nanos.js";
import type { ConsumerConfig } from "./config.js";
import type { ConsumerState } from "./state.js";

const NS_PER_MS = 1e6;

/** What the info reports, taken from the consumer at the time of asking. */
export interface InfoView {
  stream: string;
  name: string;
  /** ns since the epoch. */
  created: number;
  config: ConsumerConfig;
  state: ConsumerState;
  /** ms since the epoch, 0 when never. */
  lastDelivered: number;
  lastAcked: number;
  numPending: number;
  /** Waiting pull requests, undefined for a push consumer. */
  numWaiting: number | undefined;
  /** A push consumer whose deliver subject has a subscriber. */
  pushBound: boolean;
  paused: boolean;
  pinId: string;
  /** ns since the epoch. */
  pinnedTs: number;
}

export function consumerInfo(v: InfoView): Record<string, unknown> {
  const s = v.state;
  const cfg = v.config;
  const delivered: Record<string, unknown> = { consumer_seq: s.dseq - 1, stream_seq: s.sseq - 1 };
  if (v.lastDelivered > 0) delivered.last_active = nanosToRfc3339(v.lastDelivered * NS_PER_MS);
  const ackFloor: Record<string, unknown> = { consumer_seq: s.ackFloorConsumer, stream_seq: s.ackFloorStream };
  if (v.lastAcked > 0) ackFloor.last_active = nanosToRfc3339(v.lastAcked * NS_PER_MS);
  const info: Record<string, unknown> = {
    stream_name: v.stream,
    name: v.name,
    created: nanosToRfc3339(v.created),
    config: cfg,
    delivered,
    ack_floor: ackFloor,
    num_ack_pending: s.pending.size,
    num_redelivered: cfg.max_deliver === 1 ? 0 : s.redelivered.size,
    num_waiting: v.numWaiting ?? 0,
    num_pending: v.numPending,
  };
  if (v.pushBound) info.push_bound = true;
  if (v.paused) {
    info.paused = true;
    info.pause_remaining = Math.max(0, rfc3339ToNanos(cfg.pause_until!) - nowNanos());
  }
  info.ts = nanosToRfc3339(nowNanos());
  if (cfg.priority_groups !== undefined && cfg.priority_groups.length > 0) {
    const g: Record<string, unknown> = { group: cfg.priority_groups[0] };
    if (v.pinId !== "") g.pinned_client_id = v.pinId;
    g.pinned_ts = nanosToRfc3339(v.pinnedTs);
    info.priority_groups = [g];
  }
  return info;
}
