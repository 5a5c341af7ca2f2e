/**
 * /metrics: the server's figures in the Prometheus text format, under the metric names and labels of
 * prometheus-nats-exporter (`-varz -connz -routez -subz -jsz=all`), so Prometheus can scrape tsnats with
 * no exporter in between, plus what the exporter lacks (`tsnats_*`): per-stream and per-consumer traffic
 * counters, the file store's commit histograms and its disk's free space. A scrape reads the same data the JSON endpoints serve,
 * once each, on the event loop between two reads of client sockets; it never waits on I/O, so message flow only pauses for the
 * time it takes to format the answer.
 */
import type { MonitorRequest, Reply } from "./endpoint.js";
import { coreMetrics } from "./metrics-core.js";
import { diskMetrics } from "./metrics-disk.js";
import { jetStreamMetrics } from "./metrics-jetstream.js";
import { rateMetrics } from "./metrics-rates.js";
import { storeMetrics } from "./metrics-store.js";
import { CONTENT_TYPE, PrometheusText } from "./prometheus-text.js";

export function metrics(req: MonitorRequest): Reply {
  req.count();
  const out = new PrometheusText();
  coreMetrics(out, req.server, req.state);
  jetStreamMetrics(out, req.server);
  rateMetrics(out, req.server);
  storeMetrics(out, req.server);
  diskMetrics(out, req.server);
  return { kind: "text", body: out.text(), contentType: CONTENT_TYPE };
}
