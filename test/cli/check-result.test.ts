import { test } from "node:test";
import assert from "node:assert/strict";
import { CheckResult } from "../../src/cli/check-result.js";

test("the worst finding decides the status and the Nagios exit code", () => {
  const r = new CheckResult("X");
  assert.deepEqual([r.status, r.exitCode], ["OK", 0]);
  r.unknown("u");
  assert.deepEqual([r.status, r.exitCode], ["UNKNOWN", 3]);
  r.warn("w");
  assert.deepEqual([r.status, r.exitCode], ["WARNING", 1]);
  r.critical("c");
  assert.deepEqual([r.status, r.exitCode], ["CRITICAL", 2]);
});

test("grade: at or over critical is critical, at or over warning is a warning, negative thresholds are off", () => {
  const r = new CheckResult("X");
  r.grade(90, 75, 90, "a");
  r.grade(75, 75, 90, "b");
  r.grade(74.9, 75, 90, "c");
  r.grade(1e9, -1, -1, "d");
  assert.deepEqual([r.criticals, r.warnings, r.oks], [["a"], ["b"], ["c", "d"]]);
});

test("the Nagios line lists criticals first and ends with performance data", () => {
  const r = new CheckResult("Connection");
  r.ok("fine");
  r.critical("bad");
  r.perf.push({ name: "rtt", value: 0.00123, unit: "s", warn: 0.5, crit: 1 }, { name: "streams", value: 3, unit: "" });
  assert.equal(r.nagios(), "CRITICAL Connection Crit:bad OK:fine | rtt=0.0012s;0.5000;1.0000 streams=3");
});
