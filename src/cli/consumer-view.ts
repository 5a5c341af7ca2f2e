/** `consumer info` as the nats CLI lays it out: configuration, then state. */
import type { ConsumerInfo } from "@nats-io/jetstream";
import { Columns } from "./format/columns.js";
import { comma, humanDuration, localTime, since } from "./format/units.js";

const DELIVER: Record<string, string> = { all: "All", last: "Last", new: "New", last_per_subject: "Last Per Subject" };
const ACK: Record<string, string> = { none: "None", all: "All", explicit: "Explicit" };
const REPLAY: Record<string, string> = { instant: "Instant", original: "Original" };

export function consumerInfoView(info: ConsumerInfo): string {
  const c = info.config;
  const cols = new Columns(`Information for Consumer ${info.stream_name} > ${info.name} created ${localTime(info.created)}`);
  cols.section("Configuration");
  cols.rowIfNotEmpty("Name", c.name ?? info.name);
  cols.rowIf("Durable Name", c.durable_name ?? "", Boolean(c.durable_name) && c.durable_name !== (c.name ?? info.name));
  cols.rowIfNotEmpty("Description", c.description);
  if (c.deliver_subject) cols.row("Delivery Subject", c.deliver_subject);
  else cols.row("Pull Mode", true);
  if (c.filter_subject) cols.row("Filter Subject", c.filter_subject);
  else if (c.filter_subjects && c.filter_subjects.length > 0) cols.row("Filter Subjects", c.filter_subjects.join(", "));
  const dp = c.deliver_policy as string;
  if (dp === "by_start_time") cols.row("Deliver Policy", `Since ${c.opt_start_time}`);
  else if (dp === "by_start_sequence") cols.row("Deliver Policy", `From Sequence ${c.opt_start_seq}`);
  else cols.row("Deliver Policy", DELIVER[dp] ?? dp);
  cols.rowIf("Deliver Queue Group", c.deliver_group ?? "", Boolean(c.deliver_group) && Boolean(c.deliver_subject));
  cols.row("Ack Policy", ACK[c.ack_policy] ?? c.ack_policy);
  cols.rowIf("Ack Wait", humanDuration(c.ack_wait ?? 0), c.ack_policy !== "none");
  cols.row("Replay Policy", REPLAY[c.replay_policy] ?? c.replay_policy);
  cols.rowIf("Maximum Deliveries", comma(c.max_deliver ?? -1), (c.max_deliver ?? -1) !== -1);
  cols.rowIf("Max Ack Pending", comma(c.max_ack_pending ?? 0), (c.max_ack_pending ?? 0) > 0);
  cols.rowIf("Max Waiting Pulls", comma(c.max_waiting ?? 0), (c.max_waiting ?? 0) > 0);
  cols.rowIf("Idle Heartbeat", humanDuration(c.idle_heartbeat ?? 0), (c.idle_heartbeat ?? 0) > 0);
  cols.rowIf("Flow Control", Boolean(c.flow_control), Boolean(c.deliver_subject));
  cols.rowIf("Headers Only", true, Boolean(c.headers_only));
  cols.rowIf("Inactive Threshold", humanDuration(c.inactive_threshold ?? 0), (c.inactive_threshold ?? 0) > 0 && !c.deliver_subject);
  cols.rowIf("Max Pull Batch", comma(c.max_batch ?? 0), (c.max_batch ?? 0) > 0);
  cols.rowIf("Backoff", (c.backoff ?? []).map(humanDuration).join(", "), (c.backoff ?? []).length > 0);
  cols.rowIf("Replicas", c.num_replicas ?? 0, (c.num_replicas ?? 0) > 0);
  cols.rowIf("Memory Storage", true, Boolean(c.mem_storage));

  cols.section("State");
  const d = info.delivered;
  const lastDelivery = d.last_active ? ` Last delivery: ${since(d.last_active as unknown as string)} ago` : "";
  cols.row("Last Delivered Message", `Consumer sequence: ${comma(d.consumer_seq)} Stream sequence: ${comma(d.stream_seq)}${lastDelivery}`);
  if (c.ack_policy !== "none") {
    const a = info.ack_floor;
    const lastAck = a.last_active ? ` Last Ack: ${since(a.last_active as unknown as string)} ago` : "";
    cols.row("Acknowledgment Floor", `Consumer sequence: ${comma(a.consumer_seq)} Stream sequence: ${comma(a.stream_seq)}${lastAck}`);
    cols.row("Outstanding Acks", (c.max_ack_pending ?? 0) > 0
      ? `${comma(info.num_ack_pending)} out of maximum ${comma(c.max_ack_pending!)}`
      : comma(info.num_ack_pending));
    cols.row("Redelivered Messages", comma(info.num_redelivered));
  }
  cols.row("Unprocessed Messages", comma(info.num_pending));
  if (c.deliver_subject) {
    cols.row("Active Interest", info.push_bound
      ? (c.deliver_group ? `Active using Queue Group ${c.deliver_group}` : "Active")
      : "No interest");
  } else {
    cols.row("Waiting Pulls", (c.max_waiting ?? 0) > 0
      ? `${comma(info.num_waiting)} of maximum ${comma(c.max_waiting!)}`
      : `${comma(info.num_waiting)} of unlimited`);
  }
  return cols.render();
}
