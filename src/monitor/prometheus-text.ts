/**
 * The Prometheus text exposition format, version 0.0.4: `# HELP` and `# TYPE` once per metric family,
 * then one line per sample. Written by hand rather than with a client library: a scrape builds every
 * sample afresh from the server's live state, so a registry of long-lived metric objects would only add
 * a copy step.
 *
 * Invariants: a family's HELP/TYPE lines come before its samples and appear once; a family's samples are
 * contiguous (the format requires it); every name is a valid metric or label name.
 */
import { assert } from "../util/assert.js";
import type { Histogram } from "../util/histogram.js";

export type MetricType = "gauge" | "counter" | "untyped" | "histogram";

export type Labels = ReadonlyArray<readonly [name: string, value: string]>;

/** A label set already written out as `{a="x",b="y"}`, for one set shared by many samples. */
export type RenderedLabels = { readonly text: string };

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isMetricName(name: string): boolean {
  return METRIC_NAME.test(name);
}

/** A label value in double quotes: backslash, double quote and line feed escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/** HELP text escapes only backslash and line feed. */
function escapeHelp(v: string): string {
  return v.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\"));
}

/** Go's float formatting as Prometheus expects it: integers without exponent, NaN, +Inf, -Inf. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

export function renderLabels(labels: Labels): RenderedLabels {
  if (labels.length === 0) return { text: "" };
  let s = "{";
  for (let i = 0; i < labels.length; i++) {
    const [k, v] = labels[i]!;
    assert(LABEL_NAME.test(k), () => `invalid label name ${JSON.stringify(k)}`);
    s += `${i > 0 ? "," : ""}${k}="${escapeLabelValue(v)}"`;
  }
  return { text: `${s}}` };
}

export class PrometheusText {
  private readonly lines: string[] = [];
  private readonly declared = new Set<string>();
  private current = "";

  /** Starts metric family `name`; the samples that follow belong to it. */
  family(name: string, type: MetricType, help: string): this {
    assert(isMetricName(name), () => `invalid metric name ${JSON.stringify(name)}`);
    assert(!this.declared.has(name), () => `metric family ${name} declared twice`);
    this.declared.add(name);
    this.current = name;
    this.lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
    return this;
  }

  /** A sample of the current family; `suffix` is a histogram's `_bucket`, `_sum` or `_count`. */
  sample(labels: Labels | RenderedLabels, value: number, suffix = ""): this {
    assert(this.current !== "", "a sample before any metric family");
    const l = "text" in labels ? labels.text : renderLabels(labels).text;
    this.lines.push(`${this.current}${suffix}${l} ${formatValue(value)}`);
    return this;
  }

  /** A whole histogram family: cumulative `_bucket`s ending with `le="+Inf"`, then `_sum` and `_count`. */
  histogram(name: string, help: string, h: Histogram, labels: Labels = []): this {
    this.family(name, "histogram", help);
    for (let i = 0; i <= h.bounds.length; i++) {
      const le = i < h.bounds.length ? formatValue(h.bounds[i]!) : "+Inf";
      this.sample([...labels, ["le", le]], h.cumulative(i), "_bucket");
    }
    return this.sample(labels, h.sum, "_sum").sample(labels, h.count, "_count");
  }

  text(): string {
    return this.lines.length === 0 ? "" : `${this.lines.join("\n")}\n`;
  }
}
