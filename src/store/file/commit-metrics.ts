/**
 * Timings of the file store's group commit, for /metrics. They are per process, not per server: the
 * commit engine has no reference to the server that owns it, and a process runs one server outside
 * tests. Kept here, beside the commit engine, so that recording is two stores into preallocated arrays.
 */
import { Histogram, LATENCY_BUCKETS } from "../../util/histogram.js";

/** Bytes per batch: one message of a few hundred bytes up to several megabytes under load. */
const BATCH_BYTES_BUCKETS = [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216];

export const commitMetrics = {
  /** From the first append of a batch to the batch being durable: the disk's share of publish-to-ack time. */
  commitSeconds: new Histogram(LATENCY_BUCKETS),
  /** One batch's fdatasyncs (and directory fsync), run together in the thread pool. */
  syncSeconds: new Histogram(LATENCY_BUCKETS),
  /** Bytes written by one batch. */
  batchBytes: new Histogram(BATCH_BYTES_BUCKETS),
};
