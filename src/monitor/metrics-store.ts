/**
 * The `tsnats_jetstream_store_*` histograms of /metrics, which no NATS tool exports: how long the file
 * store's group commit takes to make a batch durable (the disk's share of the time from a publish to
 * its ack), its fdatasyncs alone, and the bytes one batch writes. Figures are per process (see
 * store/file/commit-metrics.ts) and cover synced batches only: with `sync_interval` a publish is
 * acknowledged before any fdatasync.
 */
import { commitMetrics } from "../store/file/commit-metrics.js";
import type { Server } from "../server/server.js";
import type { Labels, PrometheusText } from "./prometheus-text.js";

export function storeMetrics(out: PrometheusText, server: Server): void {
  // The server's identity, as on every other family, so that dashboards select all of them alike.
  const labels: Labels = [
    ["server_id", server.id],
    ["server_name", server.name],
  ];
  out.histogram(
    "tsnats_jetstream_store_commit_seconds",
    "Time from the first append of a file-store group-commit batch until the batch is durable and its publishes can be acknowledged.",
    commitMetrics.commitSeconds,
    labels,
  );
  out.histogram("tsnats_jetstream_store_fdatasync_seconds", "Duration of one group-commit batch's fdatasyncs, run together.", commitMetrics.syncSeconds, labels);
  out.histogram("tsnats_jetstream_store_batch_bytes", "Bytes written by one group-commit batch.", commitMetrics.batchBytes, labels);
}
