/** `stream info` as the nats CLI lays it out: configuration, limits, then state. */
import type { StreamInfo } from "@nats-io/jetstream";
import { Columns } from "./format/columns.js";
import { comma, humanDuration, iBytes, localTime } from "./format/units.js";

const STORAGE_NAME: Record<string, string> = { file: "File", memory: "Memory" };
const RETENTION_NAME: Record<string, string> = { limits: "Limits", interest: "Interest", workqueue: "WorkQueue" };
const DISCARD_NAME: Record<string, string> = { old: "Old", new: "New" };

const unlimitedIf = (v: number, show: string) => (v <= 0 ? "unlimited" : show);

export function streamInfoView(info: StreamInfo, heading = "Information"): string {
  const c = info.config;
  const cols = new Columns(`${heading} for Stream ${c.name} created ${localTime(info.created)}`);
  cols.rowIfNotEmpty("Description", c.description);
  cols.rowIf("Subjects", (c.subjects ?? []).join(", "), (c.subjects ?? []).length > 0);
  cols.row("Replicas", c.num_replicas);
  cols.rowIf("Sealed", true, Boolean(c.sealed));
  cols.row("Storage", STORAGE_NAME[c.storage] ?? c.storage);

  cols.section("Options");
  cols.row("Retention", RETENTION_NAME[c.retention] ?? c.retention);
  cols.row("Acknowledgments", !c.no_ack);
  cols.row("Discard Policy", `${DISCARD_NAME[c.discard] ?? c.discard}${c.discard_new_per_subject ? " Per Subject" : ""}`);
  cols.row("Duplicate Window", humanDuration(c.duplicate_window));
  cols.rowIf("Direct Get", true, Boolean(c.allow_direct));
  cols.row("Allows Msg Delete", !c.deny_delete);
  cols.row("Allows Purge", !c.deny_purge);
  cols.row("Allows Rollups", Boolean(c.allow_rollup_hdrs));

  cols.section("Limits");
  cols.row("Maximum Messages", unlimitedIf(c.max_msgs, comma(c.max_msgs)));
  cols.row("Maximum Per Subject", unlimitedIf(c.max_msgs_per_subject, comma(c.max_msgs_per_subject)));
  cols.row("Maximum Bytes", unlimitedIf(c.max_bytes, iBytes(c.max_bytes)));
  cols.row("Maximum Age", unlimitedIf(c.max_age, humanDuration(c.max_age)));
  cols.row("Maximum Message Size", unlimitedIf(c.max_msg_size, iBytes(c.max_msg_size)));
  cols.row("Maximum Consumers", unlimitedIf(c.max_consumers, comma(c.max_consumers)));

  if (info.cluster && (info.cluster.name || info.cluster.leader)) {
    cols.section("Cluster Information");
    cols.rowIfNotEmpty("Name", info.cluster.name);
    cols.rowIfNotEmpty("Leader", info.cluster.leader);
  }

  const st = info.state;
  cols.section("State");
  cols.row("Messages", comma(st.messages));
  cols.row("Bytes", iBytes(st.bytes));
  cols.row("First Sequence", st.first_seq > 0 && st.messages > 0 ? `${comma(st.first_seq)} @ ${localTime(st.first_ts)}` : comma(st.first_seq));
  cols.row("Last Sequence", st.last_seq > 0 ? `${comma(st.last_seq)} @ ${localTime(st.last_ts)}` : comma(st.last_seq));
  cols.row("Active Consumers", comma(st.consumer_count));
  cols.rowIf("Number of Subjects", comma(st.num_subjects ?? 0), (st.num_subjects ?? 0) > 0);
  return cols.render();
}
