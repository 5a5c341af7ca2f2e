import { test } from "node:test";
import assert from "node:assert/strict";
import { DurationError, formatGoDuration, parseGoDuration } from "../../src/util/duration.js";

test("parses Go duration strings into milliseconds", () => {
  assert.equal(parseGoDuration("2m"), 120_000);
  assert.equal(parseGoDuration("500ms"), 500);
  assert.equal(parseGoDuration("1h30m"), 5_400_000);
  assert.equal(parseGoDuration("1.5s"), 1500);
  assert.equal(parseGoDuration(".5s"), 500);
  assert.equal(parseGoDuration("-1s"), -1000);
  assert.equal(parseGoDuration("+3s"), 3000);
  assert.equal(parseGoDuration("0"), 0);
  assert.equal(parseGoDuration("1µs"), 0.001);
  assert.equal(parseGoDuration("1us"), 0.001);
  assert.equal(parseGoDuration("2000ns"), 0.002);
  assert.ok(Math.abs(parseGoDuration("1h2m3s4ms5us6ns") - 3_723_004.005006) < 1e-9);
});

test("rejects malformed durations with Go's messages", () => {
  const cases: [string, string][] = [
    ["", 'time: invalid duration ""'],
    ["5", 'time: missing unit in duration "5"'],
    ["1x", 'time: unknown unit "x" in duration "1x"'],
    ["1h-2m", 'time: unknown unit "h-" in duration "1h-2m"'],
    ["3 s", 'time: unknown unit " s" in duration "3 s"'],
    ["h", 'time: invalid duration "h"'],
    ["-", 'time: invalid duration "-"'],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parseGoDuration(input), (e: unknown) => e instanceof DurationError && e.message === message, input);
  }
});

test("formats like Go's Duration.String", () => {
  assert.equal(formatGoDuration(0), "0s");
  assert.equal(formatGoDuration(120_000), "2m0s");
  assert.equal(formatGoDuration(10_000), "10s");
  assert.equal(formatGoDuration(90_000), "1m30s");
  assert.equal(formatGoDuration(3_600_000), "1h0m0s");
  assert.equal(formatGoDuration(1.5), "1.5ms");
  assert.equal(formatGoDuration(0.0015), "1.5µs");
  assert.equal(formatGoDuration(0.000001), "1ns");
  assert.equal(formatGoDuration(3_723_004.005006), "1h2m3.004005006s");
  assert.equal(formatGoDuration(-2500), "-2.5s");
});
