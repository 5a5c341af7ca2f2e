/** The text format writer: escaping, number formatting, and the family invariants it asserts. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { escapeLabelValue, formatValue, PrometheusText } from "../../src/monitor/prometheus-text.js";
import { InvariantError } from "../../src/util/assert.js";
import { parsePrometheus } from "./prometheus-parse.js";

describe("Prometheus text format", () => {
  it("escapes backslash, double quote and line feed in label values, and only those", () => {
    assert.equal(escapeLabelValue('a"b\\c\nd\te'), 'a\\"b\\\\c\\nd\te');
    const out = new PrometheusText().family("x_total", "counter", "help with \\ and\nnewline").sample([["l", 'q"\\\n'], ["u", "ünï"]], 3).text();
    assert.equal(out, '# HELP x_total help with \\\\ and\\nnewline\n# TYPE x_total counter\nx_total{l="q\\"\\\\\\n",u="ünï"} 3\n');
    const parsed = parsePrometheus(out).get("x_total")!;
    assert.equal(parsed.help, "help with \\ and\nnewline");
    assert.deepEqual(parsed.samples[0]!.labels, { l: 'q"\\\n', u: "ünï" });
  });

  it("formats values as Prometheus reads them", () => {
    assert.equal(formatValue(NaN), "NaN");
    assert.equal(formatValue(Infinity), "+Inf");
    assert.equal(formatValue(-Infinity), "-Inf");
    assert.equal(formatValue(2 ** 53), "9007199254740992");
    assert.equal(formatValue(0.25), "0.25");
    assert.equal(formatValue(-3), "-3");
  });

  it("refuses a family declared twice, a sample without a family, and invalid names", () => {
    assert.throws(() => new PrometheusText().family("a", "gauge", "a").family("a", "gauge", "a"), InvariantError);
    assert.throws(() => new PrometheusText().sample([], 1), InvariantError);
    assert.throws(() => new PrometheusText().family("1a", "gauge", "x"), InvariantError);
    assert.throws(() => new PrometheusText().family("a", "gauge", "x").sample([["bad-label", "v"]], 1), InvariantError);
  });

  it("writes nothing for no families, and a final line feed otherwise", () => {
    assert.equal(new PrometheusText().text(), "");
    assert.ok(new PrometheusText().family("a", "gauge", "a").sample([], 1).text().endsWith("a 1\n"));
  });
});
