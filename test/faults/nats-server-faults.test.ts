/**
 * The fault harness and its checker validated against the reference, nats-server 2.9.10, on a fault it
 * survives: the leader's SIGKILL and restart, while publishers retry with Nats-Msg-Id. (Under the
 * faults it does not survive — a paused or partitioned leader, flipped bits, a truncated block — it
 * loses and shifts acknowledged messages; `node scripts/faults.mjs --impl nats-server` measures that.)
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { natsServerAvailable } from "../helpers/server-process.js";
import { netnsUnavailable } from "./netns.js";
import { formatReport, runScenario } from "./scenario.js";

const skip = netnsUnavailable() ?? (natsServerAvailable() ? undefined : "nats-server is not installed");

describe("fault harness against nats-server 2.9.10 (3 nodes, R3)", { skip }, () => {
  it("loses nothing acknowledged across a leader SIGKILL and its restart", { timeout: 120_000 }, async () => {
    const seed = 1;
    const r = await runScenario({ impl: "nats-server", nodes: 3, replicas: 3, faults: ["leader-kill"], seed, faultMs: 2000, gapMs: 800, publishers: 2, publishGapMs: 20 });
    const text = formatReport(r);
    assert.ok(r.acked > 100, `too little load to judge:\n${text}`);
    assert.ok(r.faults[0]!.failoverMs !== undefined, `no PubAck after the leader's kill:\n${text}`);
    assert.ok(r.ok, text);
  });
});
