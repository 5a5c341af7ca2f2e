/**
 * The `tsnats_jetstream_stream_*_total` and `tsnats_jetstream_consumer_*_total` counters of /metrics:
 * what flows through each stream and consumer, for Prometheus' rate(). prometheus-nats-exporter has only
 * gauges here (last_seq, delivered sequences), so its dashboards take rate() of a gauge and cannot see
 * bytes or acks at all.
 *
 * Counters start at 0 when this process opens the stream or consumer (rate() takes that as a reset),
 * except `delivered`, which is the consumer sequence and so survives restarts. Labels are the exporter's
 * identifying ones (server_id, server_name, account, stream_name, consumer_name), so a rate joins the
 * exporter's gauges `on(stream_name)` and the like.
 */
import { Consumer } from "../jetstream/consumer/consumer.js";
import { jetStreamOf } from "../jetstream/jetstream.js";
import type { Server } from "../server/server.js";
import { renderLabels, type Labels, type PrometheusText, type RenderedLabels } from "./prometheus-text.js";

interface Counter {
  name: string;
  help: string;
  samples: { labels: RenderedLabels; value: number }[];
}

function counter(name: string, help: string): Counter {
  return { name, help, samples: [] };
}

export function rateMetrics(out: PrometheusText, server: Server): void {
  const js = jetStreamOf(server);
  if (js === undefined) return;
  const inMsgs = counter("tsnats_jetstream_stream_received_messages_total", "Messages stored into a stream since the server opened it.");
  const inBytes = counter("tsnats_jetstream_stream_received_bytes_total", "Header and payload bytes stored into a stream since the server opened it.");
  const delivered = counter("tsnats_jetstream_consumer_delivered_messages_total", "Deliveries by a consumer, redeliveries included (its consumer sequence).");
  const acked = counter("tsnats_jetstream_consumer_acked_messages_total", "Messages a consumer's clients acknowledged (ack, ack-all, term) since the server opened it.");
  const redelivered = counter("tsnats_jetstream_consumer_redelivered_messages_total", "Redeliveries by a consumer since the server opened it.");
  const accounts = [...js.accounts.values()].filter((a) => a.enabled).sort((a, b) => (a.account.name < b.account.name ? -1 : 1));
  for (const jsa of accounts) {
    const streams = [...jsa.streams.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const st of streams) {
      const streamLabels: Labels = [
        ["server_id", server.id],
        ["server_name", server.name],
        ["account", jsa.account.name],
        ["stream_name", st.name],
      ];
      const sl = renderLabels(streamLabels);
      inMsgs.samples.push({ labels: sl, value: st.inMsgs });
      inBytes.samples.push({ labels: sl, value: st.inBytes });
      for (const c of st.consumers.values()) {
        if (!(c instanceof Consumer)) continue;
        const cl = renderLabels([...streamLabels, ["consumer_name", c.name]]);
        const t = c.traffic;
        delivered.samples.push({ labels: cl, value: t.delivered });
        acked.samples.push({ labels: cl, value: t.acked });
        redelivered.samples.push({ labels: cl, value: t.redelivered });
      }
    }
  }
  // Families are declared even when empty, so a dashboard's query names exist on a fresh server.
  for (const f of [inMsgs, inBytes, delivered, acked, redelivered]) {
    out.family(f.name, "counter", f.help);
    for (const s of f.samples) out.sample(s.labels, s.value);
  }
}
