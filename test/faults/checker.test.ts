/**
 * The fault tests' checker on histories made to fail: it must name every kind of damage the fault
 * tests look for (nats-server 2.9.10 shows each of them under faults, see scripts/faults.mjs).
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { checkHistories, countFindings, type ReplicaView, type StoredMsg } from "./checker.js";
import type { Acked } from "./workload.js";

const ack = (id: string, seq: number): Acked => ({ id, seq, sentAt: 0, ackedAt: 0, duplicate: false });
const msgs = (...ids: string[]): StoredMsg[] => ids.map((id, i) => ({ seq: i + 1, id }));
const view = (server: string, m: StoredMsg[]): ReplicaView => ({ server, msgs: m });

describe("fault checker", () => {
  const acked = [ack("p0-0", 1), ack("p1-0", 2), ack("p0-1", 3)];

  it("passes identical replicas holding every acknowledged message (and unacknowledged extras)", () => {
    const h = msgs("p0-0", "p1-0", "p0-1", "p1-1");
    assert.deepEqual(checkHistories(acked, [view("a", h), view("b", h), view("c", h)]), []);
  });

  it("reports a missing message as lost, and the replica that differs", () => {
    const good = msgs("p0-0", "p1-0", "p0-1");
    const f = checkHistories(acked, [view("a", good), view("b", good.filter((m) => m.seq !== 2))]);
    const c = countFindings(f);
    assert.equal(c.lost, 1);
    assert.equal(f.find((x) => x.kind === "lost")?.server, "b");
    assert.equal(f.find((x) => x.kind === "lost")?.id, "p1-0");
    assert.equal(c.divergent, 1);
  });

  it("reports a shifted log: messages held at other sequences than acknowledged", () => {
    // the deposed leader's log after nats-server's SIGSTOP: one entry gone, the rest one lower
    const shifted: StoredMsg[] = [{ seq: 1, id: "p0-0" }, { seq: 2, id: "p0-1" }];
    const c = countFindings(checkHistories(acked, [view("a", msgs("p0-0", "p1-0", "p0-1")), view("b", shifted)]));
    assert.equal(c.lost, 1);
    assert.equal(c.displaced, 1);
    assert.equal(c.divergent, 1);
  });

  it("reports a message stored twice", () => {
    const h = msgs("p0-0", "p1-0", "p0-1", "p0-1");
    const f = checkHistories(acked, [view("a", h)]);
    assert.deepEqual(f.map((x) => x.kind), ["duplicate"]);
  });

  it("reports one sequence acknowledged for two messages", () => {
    const f = checkHistories([ack("p0-0", 1), ack("p1-0", 1)], [view("a", msgs("p0-0"))]);
    assert.ok(f.some((x) => x.kind === "ack-conflict"));
  });

  it("reports a publisher's messages stored out of the order it sent them", () => {
    const f = checkHistories([], [view("a", msgs("p0-1", "p0-0"))]);
    assert.deepEqual(f.map((x) => x.kind), ["misordered"]);
  });

  it("reports replicas that differ beyond the acknowledged messages", () => {
    const f = checkHistories(acked, [view("a", msgs("p0-0", "p1-0", "p0-1", "p2-0")), view("b", msgs("p0-0", "p1-0", "p0-1", "p2-9"))]);
    assert.deepEqual(f.map((x) => x.kind), ["divergent"]);
  });
});
