/**
 * Benchmark figures as the nats CLI reports them: per client a sample (messages, bytes, start and end),
 * per group the rate over the group's whole span, and min/avg/max/stddev of the clients' rates.
 */
import { comma } from "../format/units.js";

export interface Sample {
  msgs: number;
  bytes: number;
  /** performance.timeOrigin-based milliseconds, comparable across worker threads. */
  startMs: number;
  endMs: number;
  /** Microseconds per operation (a JetStream publish, or a batch of them), where the client times them. */
  latenciesUs?: number[];
}

const seconds = (s: { startMs: number; endMs: number }) => Math.max(1e-6, (s.endMs - s.startMs) / 1000);

export function rate(s: Sample): number {
  return s.msgs / seconds(s);
}

/** The group as one sample: all its messages over the span from the first start to the last end. */
export function groupSample(samples: Sample[]): Sample {
  return {
    msgs: samples.reduce((n, s) => n + s.msgs, 0),
    bytes: samples.reduce((n, s) => n + s.bytes, 0),
    startMs: Math.min(...samples.map((s) => s.startMs)),
    endMs: Math.max(...samples.map((s) => s.endMs)),
  };
}

function mbPerSec(s: Sample): string {
  return (s.bytes / seconds(s) / (1024 * 1024)).toFixed(2);
}

export function rateLine(s: Sample): string {
  return `${comma(rate(s))} msgs/sec ~ ${mbPerSec(s)} MB/sec`;
}

/** The nats CLI's block for one group: its rate, one line per client, then the spread of the clients' rates. */
export function groupReport(title: string, samples: Sample[]): string {
  const rates = samples.map(rate);
  const avg = rates.reduce((a, b) => a + b, 0) / rates.length;
  const stddev = Math.sqrt(rates.reduce((a, r) => a + (r - avg) ** 2, 0) / rates.length);
  return [
    `${title}: ${rateLine(groupSample(samples))}`,
    ...samples.map((s, i) => ` [${i + 1}] ${rateLine(s)} (${s.msgs} msgs)`),
    ` min ${comma(Math.min(...rates))} | avg ${comma(avg)} | max ${comma(Math.max(...rates))} | stddev ${comma(stddev)} msgs`,
    ...[latencyLine(samples)].filter((l) => l !== undefined).map((l) => ` ${l}`),
  ].join("\n");
}

/** The nats CLI's percentile: the value at rank ceil(p% of n) of the sorted latencies. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export interface LatencyStats {
  min: number;
  avg: number;
  max: number;
  stddev: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
}

/** Spread and percentiles of operation latencies in microseconds; undefined when none were timed. */
export function latencyStats(latenciesUs: number[]): LatencyStats | undefined {
  if (latenciesUs.length === 0) return undefined;
  const sorted = [...latenciesUs].sort((a, b) => a - b);
  const avg = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  const stddev = Math.sqrt(sorted.reduce((a, v) => a + (v - avg) ** 2, 0) / sorted.length);
  return {
    min: sorted[0]!, avg, max: sorted[sorted.length - 1]!, stddev,
    p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), p999: percentile(sorted, 99.9),
  };
}

/** go-humanize's CommafWithDigits(v, 2): thousands separated, at most two decimals. */
function us(v: number): string {
  return `${v.toLocaleString("en-US", { maximumFractionDigits: 2 })}us`;
}

/** The nats CLI's latency line for a group ("latencies per operation min ..us | avg ..."), or none. */
export function latencyLine(samples: Sample[]): string | undefined {
  const st = latencyStats(samples.flatMap((s) => s.latenciesUs ?? []));
  if (!st) return undefined;
  return `latencies per operation min ${us(st.min)} | avg ${us(st.avg)} | max ${us(st.max)} | stddev ${us(st.stddev)} | P50 ${us(st.p50)} | P90 ${us(st.p90)} | P99 ${us(st.p99)} | P99.9: ${us(st.p999)}`;
}
