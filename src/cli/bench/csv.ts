/** `bench --csv FILE`: one row per client as the nats CLI writes it, subscribers (S0..) then publishers (P0..). */
import { nuid } from "@nats-io/transport-node";
import { latencyStats, rate, type Sample } from "./sample.js";

const BASE = ["#RunID", "ClientID", "MsgCount", "MsgBytes", "MsgsPerSec", "BytesPerSec", "DurationSecs"];
const LATENCY = ["MinLatencyMicroSecs", "AvgLatencyMicroSecs", "MaxLatencyMicroSecs", "P50LatencyMicroSecs",
  "P90LatencyMicroSecs", "P99LatencyMicroSecs", "P99.9LatencyMicroSecs", "StdDevLatencyMicroSecs"];

/** Go's %f. */
const f6 = (n: number) => n.toFixed(6);

export function benchCsv(subs: Sample[], pubs: Sample[], runId: string = nuid.next()): string {
  const timed = [...subs, ...pubs].some((s) => (s.latenciesUs?.length ?? 0) > 0);
  const rows = [timed ? [...BASE, ...LATENCY] : BASE];
  const add = (prefix: string, samples: Sample[]) => samples.forEach((s, i) => {
    const secs = (s.endMs - s.startMs) / 1000;
    const row = [runId, `${prefix}${i}`, String(s.msgs), String(s.bytes), String(Math.trunc(rate(s))), f6(secs > 0 ? s.bytes / secs : 0), f6(secs)];
    if (timed) {
      const st = latencyStats(s.latenciesUs ?? []);
      row.push(...(st ? [st.min, st.avg, st.max, st.p50, st.p90, st.p99, st.p999, st.stddev].map(f6) : LATENCY.map(() => f6(0))));
    }
    rows.push(row);
  });
  add("S", subs);
  add("P", pubs);
  return rows.map((r) => r.join(",")).join("\n") + "\n";
}
