import { test } from "node:test";
import assert from "node:assert/strict";
import { comma, humanDuration, iBytes, parseBytes, parseDuration, parseDurationList } from "../../../src/cli/format/units.js";
import { uptime } from "../../../src/monitor/format.js";

test("sizes parse in 1024-based units as the nats CLI reads them; negative or empty is unlimited", () => {
  assert.equal(parseBytes("20GB"), 20 * 1024 ** 3);
  assert.equal(parseBytes("1k"), 1024);
  assert.equal(parseBytes("512"), 512);
  assert.equal(parseBytes("-1"), -1);
  assert.equal(parseBytes(""), -1);
  assert.throws(() => parseBytes("12XB"), /invalid bytes specification 12XB/);
});

test("durations parse Go units plus d, w, M, y", () => {
  assert.equal(parseDuration("2m"), 120e9);
  assert.equal(parseDuration("168h"), 168 * 3600e9);
  assert.equal(parseDuration("1h30m"), 5400e9);
  assert.equal(parseDuration("1d"), 86400e9);
  assert.equal(parseDuration("250ms"), 250e6);
  assert.equal(parseDuration("0"), 0);
  assert.deepEqual(parseDurationList("1s,2s,5s,10s"), [1e9, 2e9, 5e9, 10e9]);
  assert.throws(() => parseDuration("10 parsecs"), /invalid duration/);
});

test("durations print as the nats CLI humanizes them", () => {
  assert.equal(humanDuration(120e9), "2m0s");
  assert.equal(humanDuration(168 * 3600e9), "7d0h0m0s");
  assert.equal(humanDuration(366 * 86400e9), "1y1d0h0m0s");
  assert.equal(humanDuration(1e9), "1.00s");
  assert.equal(humanDuration(250e6), "250ms");
  assert.equal(humanDuration(0), "0s");
});

test("from a minute up, the CLI's copy of the breakdown agrees with the server's uptime format", () => {
  for (const secs of [60, 61, 3599, 3600, 3661, 86399, 86400, 90061, 365 * 86400 - 1, 365 * 86400, 366 * 86400 + 3723, 3 * 365 * 86400 + 59]) {
    assert.equal(humanDuration(secs * 1e9 + 5e8), uptime(secs * 1000 + 500), `${secs}s`);
  }
});

test("sizes print as go-humanize's IBytes and counts with thousands separators", () => {
  assert.equal(iBytes(0), "0 B");
  assert.equal(iBytes(512), "512 B");
  assert.equal(iBytes(1024), "1.0 KiB");
  assert.equal(iBytes(1536), "1.5 KiB");
  assert.equal(iBytes(20 * 1024 ** 3), "20 GiB");
  assert.equal(iBytes(1048576), "1.0 MiB");
  assert.equal(comma(1234567), "1,234,567");
  assert.equal(comma(-1), "-1");
});
