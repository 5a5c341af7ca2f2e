/**
 * `tsnats_jetstream_store_disk_*`: the size and free space of the file system that holds the JetStream
 * store, so that the 80%/90% disk alerts of an operator's runbook need no node exporter beside tsnats.
 * One statfs per scrape (microseconds, no data read).
 */
import { statfsSync } from "node:fs";
import { jetStreamOf } from "../jetstream/jetstream.js";
import type { Server } from "../server/server.js";
import { jetStreamConfig } from "./jsz.js";
import type { PrometheusText } from "./prometheus-text.js";

export function diskMetrics(out: PrometheusText, server: Server): void {
  if (jetStreamOf(server) === undefined) return;
  const dir = jetStreamConfig(server).store_dir!;
  let s: { blocks: number; bavail: number; bsize: number };
  try {
    s = statfsSync(dir);
  } catch {
    return; // the store directory vanished under us: no figure rather than a wrong one
  }
  const labels = [
    ["server_id", server.id],
    ["server_name", server.name],
    ["store_dir", dir],
  ] as const;
  out.family("tsnats_jetstream_store_disk_size_bytes", "gauge", "Size of the file system holding the JetStream store directory.");
  out.sample(labels, s.blocks * s.bsize);
  out.family("tsnats_jetstream_store_disk_free_bytes", "gauge", "Bytes of that file system available to the server (not reserved for root).");
  out.sample(labels, s.bavail * s.bsize);
}
