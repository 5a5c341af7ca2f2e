import { test } from "node:test";
import assert from "node:assert/strict";
import { RouteInterest } from "../../../src/server/cluster/route-interest.js";
import { Rng } from "../../fuzz/prng.js";

test("the session nats-server 2.9.10 plays (test/cluster/route-wire.test.ts): SUBs and UNSUBs to RS+/RS-", () => {
  const r = new RouteInterest();
  const sent = [
    r.change("$G", "foo", undefined, 1),
    r.change("$G", "bar.*", "q1", 1),
    r.change("$G", "bar.*", "q1", 1),
    r.change("$G", "baz", "q2", 1),
    r.change("$G", "foo", undefined, -1),
    r.change("$G", "bar.*", "q1", -1),
    r.change("$G", "bar.*", "q1", -1),
    r.change("$G", "baz", "q2", -1),
  ].filter((l) => l !== undefined);
  assert.deepEqual(sent, [
    "RS+ $G foo\r\n",
    "RS+ $G bar.* q1 1\r\n",
    "RS+ $G bar.* q1 2\r\n",
    "RS+ $G baz q2 1\r\n",
    "RS- $G foo\r\n",
    "RS+ $G bar.* q1 1\r\n",
    "RS- $G bar.* q1\r\n",
    "RS- $G baz q2\r\n",
  ]);
});

test("a plain subject is announced once however many subscribe; accounts are apart", () => {
  const r = new RouteInterest();
  assert.equal(r.change("A", "x", undefined, 1), "RS+ A x\r\n");
  assert.equal(r.change("A", "x", undefined, 1), undefined);
  assert.equal(r.change("B", "x", undefined, 1), "RS+ B x\r\n");
  assert.equal(r.change("A", "x", undefined, -1), undefined);
  assert.equal(r.change("A", "x", undefined, -1), "RS- A x\r\n");
  // Plain and queue interest on one subject are separate.
  assert.equal(r.change("B", "x", "q", 1), "RS+ B x q 1\r\n");
  assert.equal(r.change("B", "x", undefined, -1), "RS- B x\r\n");
  // A removal of what was never announced changes nothing.
  assert.equal(r.change("C", "nope", undefined, -1), undefined);
});

test("a route that comes up is sent the current interest, queue groups with their weights", () => {
  const r = new RouteInterest();
  r.change("$G", "a", undefined, 1);
  r.change("$G", "a", undefined, 1);
  r.change("$G", "b", "g", 1);
  r.change("$G", "b", "g", 1);
  r.change("$G", "b", "g", 1);
  r.change("ACC", "c", undefined, 1);
  r.change("ACC", "gone", undefined, 1);
  r.change("ACC", "gone", undefined, -1);
  assert.deepEqual(r.snapshot().sort(), ["RS+ $G a\r\n", "RS+ $G b g 3\r\n", "RS+ ACC c\r\n"]);
});

test("the wire always describes the live subscriptions (random schedule against a model)", () => {
  for (let seed = 1; seed <= 50; seed++) {
    const rng = new Rng(seed);
    const r = new RouteInterest();
    const live = new Map<string, number>();
    /** What a peer believes, from the lines alone. */
    const peer = new Map<string, number>();
    for (let step = 0; step < 500; step++) {
      const account = rng.pick(["$G", "A"]);
      const subject = rng.pick(["x", "y.*", ">"]);
      const queue = rng.chance(0.5) ? rng.pick(["q1", "q2"]) : undefined;
      const key = `${account} ${subject}${queue ? ` ${queue}` : ""}`;
      const n = live.get(key) ?? 0;
      const delta: 1 | -1 = n > 0 && rng.chance(0.5) ? -1 : 1;
      if (delta < 0 && n === 0) continue;
      live.set(key, n + delta);
      if (n + delta === 0) live.delete(key);
      const line = r.change(account, subject, queue, delta);
      if (line === undefined) continue;
      const parts = line.slice(4, -2).split(" ");
      const k = parts.slice(0, queue ? 3 : 2).join(" ");
      if (line.startsWith("RS-")) peer.delete(k);
      else peer.set(k, queue ? Number(parts[3]) : 1);
      for (const [lk, ln] of live) assert.equal(peer.get(lk), lk.split(" ").length === 3 ? ln : 1, `seed ${seed} step ${step}: ${lk}`);
      assert.equal(peer.size, live.size, `seed ${seed} step ${step}`);
    }
    const fromSnapshot = new Set(r.snapshot().map((l) => l.slice(4, -2)));
    const expected = new Set([...live].map(([k, n]) => (k.split(" ").length === 3 ? `${k} ${n}` : k)));
    assert.deepEqual(fromSnapshot, expected, `seed ${seed}`);
  }
});
