/**
 * The `jetstream_*` families of /metrics, named and labelled as prometheus-nats-exporter's `-jsz=all`
 * collector names them, built from the same answer `/jsz?consumers=true&config=true` gives. tsnats runs
 * no JetStream cluster, so the meta group labels are empty and this server leads every stream and
 * consumer (`is_*_leader="true"`), as the exporter labels a server without a meta group.
 */
import type { Server } from "../server/server.js";
import { jszInfo } from "./jsz.js";
import { renderLabels, type Labels, type PrometheusText, type RenderedLabels } from "./prometheus-text.js";

type Json = Record<string, unknown>;

interface Sample {
  labels: RenderedLabels;
  value: number;
}

/** name, help: every family the collector declares, in its order. */
const SERVER = [
  ["jetstream_server_jetstream_disabled", "JetStream disabled or not"],
  ["jetstream_server_max_memory", "JetStream Max Memory"],
  ["jetstream_server_max_storage", "JetStream Max Storage"],
  ["jetstream_server_total_streams", "Total number of streams in JetStream"],
  ["jetstream_server_total_consumers", "Total number of consumers in JetStream"],
  ["jetstream_server_total_messages", "Total number of stored messages in JetStream"],
  ["jetstream_server_total_message_bytes", "Total number of bytes stored in JetStream"],
] as const;
const ACCOUNT = [
  ["jetstream_account_max_storage", "JetStream Account Max Storage in bytes"],
  ["jetstream_account_max_memory", "JetStream Account Max Memory in bytes"],
  ["jetstream_account_storage_used", "Total number of bytes used by JetStream storage"],
  ["jetstream_account_memory_used", "Total number of bytes used by JetStream memory"],
] as const;
const STREAM = [
  ["jetstream_stream_total_messages", "Total number of messages from a stream"],
  ["jetstream_stream_total_bytes", "Total stored bytes from a stream"],
  ["jetstream_stream_first_seq", "First sequence from a stream"],
  ["jetstream_stream_last_seq", "Last sequence from a stream"],
  ["jetstream_stream_consumer_count", "Total number of consumers from a stream"],
  ["jetstream_stream_subject_count", "Total number of subjects in a stream"],
  ["jetstream_stream_limit_bytes", "The maximum configured storage limit (in bytes) for a JetStream stream. A value of -1 indicates no limit."],
  ["jetstream_stream_limit_messages", "The maximum number of messages allowed in a JetStream stream as per its configuration. A value of -1 indicates no limit."],
] as const;
const CONSUMER = [
  ["jetstream_consumer_last_delivery_seconds", "Seconds since last message delivery to consumer"],
  ["jetstream_consumer_last_ack_seconds", "Seconds since last ack from consumer"],
  ["jetstream_consumer_delivered_consumer_seq", "Latest sequence number of a stream consumer"],
  ["jetstream_consumer_delivered_stream_seq", "Latest sequence number of a stream"],
  ["jetstream_consumer_num_ack_pending", "Number of pending acks from a consumer"],
  ["jetstream_consumer_num_redelivered", "Number of redelivered messages from a consumer"],
  ["jetstream_consumer_num_waiting", "Number of inflight fetch requests from a pull consumer"],
  ["jetstream_consumer_num_pending", "Number of pending messages from a consumer"],
  ["jetstream_consumer_ack_floor_stream_seq", "Number of ack floor stream seq from a consumer"],
  ["jetstream_consumer_ack_floor_consumer_seq", "Number of ack floor consumer seq from a consumer"],
] as const;

type Family = (typeof SERVER | typeof ACCOUNT | typeof STREAM | typeof CONSUMER)[number][0];

const num = (v: unknown): number => (typeof v === "number" ? v : 0);
const obj = (v: unknown): Json => (v !== null && typeof v === "object" ? (v as Json) : {});
const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

export function jetStreamMetrics(out: PrometheusText, server: Server): void {
  const jsz = jszInfo(server, { accounts: true, streams: true, consumers: true, config: true, leaderOnly: false, offset: 0, limit: 0 });
  // Samples are gathered per family first: the format wants each family's samples together.
  const samples = new Map<Family, Sample[]>();
  const add = (f: Family, labels: RenderedLabels, value: number) => {
    let s = samples.get(f);
    if (s === undefined) samples.set(f, (s = []));
    s.push({ labels, value });
  };
  const cfg = obj(jsz.config);
  const serverLabels: Labels = [
    ["server_id", server.id],
    ["server_name", server.name],
    ["cluster", ""],
    ["domain", typeof cfg.domain === "string" ? cfg.domain : ""],
    ["meta_leader", ""],
    ["is_meta_leader", "true"],
  ];
  const srv = renderLabels(serverLabels);
  add("jetstream_server_jetstream_disabled", srv, jsz.disabled === true ? 1 : 0);
  add("jetstream_server_max_memory", srv, num(cfg.max_memory));
  add("jetstream_server_max_storage", srv, num(cfg.max_storage));
  add("jetstream_server_total_streams", srv, num(jsz.streams));
  add("jetstream_server_total_consumers", srv, num(jsz.consumers));
  add("jetstream_server_total_messages", srv, num(jsz.messages));
  add("jetstream_server_total_message_bytes", srv, num(jsz.bytes));

  for (const acc of list(jsz.account_details)) {
    const name = String(acc.name);
    const accountLabels: Labels = [...serverLabels, ["account", name], ["account_name", name], ["account_id", String(acc.id)]];
    const accl = renderLabels(accountLabels);
    add("jetstream_account_max_storage", accl, num(acc.reserved_storage));
    add("jetstream_account_max_memory", accl, num(acc.reserved_memory));
    add("jetstream_account_storage_used", accl, num(acc.storage));
    add("jetstream_account_memory_used", accl, num(acc.memory));
    for (const st of list(acc.stream_detail)) {
      const leader = String(obj(st.cluster).leader ?? "");
      const streamLabels: Labels = [
        ...accountLabels,
        ["stream_name", String(st.name)],
        ["stream_leader", leader],
        ["is_stream_leader", leader === "" || leader === server.name ? "true" : "false"],
        ["stream_raft_group", ""],
      ];
      const stl = renderLabels(streamLabels);
      const state = obj(st.state);
      add("jetstream_stream_total_messages", stl, num(state.messages));
      add("jetstream_stream_total_bytes", stl, num(state.bytes));
      add("jetstream_stream_first_seq", stl, num(state.first_seq));
      add("jetstream_stream_last_seq", stl, num(state.last_seq));
      add("jetstream_stream_consumer_count", stl, num(state.consumer_count));
      add("jetstream_stream_subject_count", stl, num(state.num_subjects));
      const scfg = obj(st.config);
      add("jetstream_stream_limit_bytes", stl, num(scfg.max_bytes));
      add("jetstream_stream_limit_messages", stl, num(scfg.max_msgs));
      for (const c of list(st.consumer_detail)) consumerSamples(add, server, streamLabels, c);
    }
  }
  for (const [name, help] of [...SERVER, ...ACCOUNT, ...STREAM, ...CONSUMER]) {
    const s = samples.get(name);
    if (s === undefined) continue;
    out.family(name, "gauge", help);
    for (const { labels, value } of s) out.sample(labels, value);
  }
}

function consumerSamples(add: (f: Family, labels: RenderedLabels, value: number) => void, server: Server, streamLabels: Labels, c: Json): void {
  const leader = String(obj(c.cluster).leader ?? "");
  const labels = renderLabels([
    ...streamLabels,
    ["consumer_name", String(c.name)],
    ["consumer_leader", leader],
    ["is_consumer_leader", leader === "" || leader === server.name ? "true" : "false"],
    ["consumer_desc", String(obj(c.config).description ?? "")],
  ]);
  const delivered = obj(c.delivered);
  const ackFloor = obj(c.ack_floor);
  // Ages are taken against the info's own `ts`, as the exporter takes them.
  const ts = Date.parse(String(c.ts));
  if (typeof delivered.last_active === "string") add("jetstream_consumer_last_delivery_seconds", labels, (ts - Date.parse(delivered.last_active)) / 1000);
  if (typeof ackFloor.last_active === "string") add("jetstream_consumer_last_ack_seconds", labels, (ts - Date.parse(ackFloor.last_active)) / 1000);
  add("jetstream_consumer_delivered_consumer_seq", labels, num(delivered.consumer_seq));
  add("jetstream_consumer_delivered_stream_seq", labels, num(delivered.stream_seq));
  add("jetstream_consumer_num_ack_pending", labels, num(c.num_ack_pending));
  add("jetstream_consumer_num_redelivered", labels, num(c.num_redelivered));
  add("jetstream_consumer_num_waiting", labels, num(c.num_waiting));
  add("jetstream_consumer_num_pending", labels, num(c.num_pending));
  add("jetstream_consumer_ack_floor_stream_seq", labels, num(ackFloor.stream_seq));
  add("jetstream_consumer_ack_floor_consumer_seq", labels, num(ackFloor.consumer_seq));
}
