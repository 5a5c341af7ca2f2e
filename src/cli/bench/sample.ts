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
  ].join("\n");
}
