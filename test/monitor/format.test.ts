import { test } from "node:test";
import assert from "node:assert/strict";
import { connectText, goTime, peerIp, rtt, sortedRecord, uptime, wireText } from "../../src/monitor/format.js";

test("sortedRecord orders keys as Go marshals a map", () => {
  const r = sortedRecord(new Map([["/varz", 2], ["/", 1], ["/connz", 3]]));
  assert.deepEqual(Object.keys(r), ["/", "/connz", "/varz"]);
});

test("goTime prints UTC RFC 3339 with trailing fraction zeros trimmed", () => {
  assert.equal(goTime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678))), "2024-01-02T03:04:05.678Z");
  assert.equal(goTime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 500))), "2024-01-02T03:04:05.5Z");
  assert.equal(goTime(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 0))), "2024-01-02T03:04:05Z");
});

test("uptime uses nats-server's whole-second format", () => {
  assert.equal(uptime(0), "0s");
  assert.equal(uptime(999), "0s");
  assert.equal(uptime(61_000), "1m1s");
  assert.equal(uptime(3_600_000 + 3_000), "1h0m3s");
  assert.equal(uptime((2 * 86400 + 3600) * 1000), "2d1h0m0s");
  assert.equal(uptime((366 * 86400 + 5) * 1000), "1y1d0h0m5s");
});

test("rtt prints Go durations, truncated to microseconds below a millisecond", () => {
  assert.equal(rtt(0), "0s");
  assert.equal(rtt(5.964115), "5.964115ms");
  assert.equal(rtt(0.1475), "147\u00b5s");
  assert.equal(rtt(1500), "1.5s");
});

test("wire bytes are shown as UTF-8, CONNECT strings decoded once", () => {
  const utf8AsLatin1 = Buffer.from("caf\u00e9.\u00fc", "utf8").toString("latin1");
  assert.equal(wireText("foo.bar"), "foo.bar");
  assert.equal(wireText(utf8AsLatin1), "caf\u00e9.\u00fc");
  assert.equal(wireText("\xff"), "\ufffd");
  assert.equal(connectText(Buffer.from("n\u00e4me", "utf8").toString("latin1")), "n\u00e4me");
  // Already characters (the client escaped them in its JSON): left alone.
  assert.equal(connectText("n\u00e4me"), "n\u00e4me");
  assert.equal(connectText("\u65e5\u672c"), "\u65e5\u672c");
});

test("IPv4 peers seen through a dual-stack socket lose the ::ffff: prefix", () => {
  assert.equal(peerIp("::ffff:127.0.0.1"), "127.0.0.1");
  assert.equal(peerIp("::1"), "::1");
  assert.equal(peerIp("10.0.0.1"), "10.0.0.1");
});
