/**
 * Queue groups through nats.js: every message goes to exactly one member of each matching group (members
 * spread over several connections), plain subscribers get every message, and the load is spread.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { IMPL, clientFor, serverFor, settle } from "./support.js";

test(`queue groups: one member per group per message, spread, plus every plain subscriber [${IMPL}]`, async (t) => {
  const srv = await serverFor(t);
  const conns = await Promise.all([0, 1, 2].map(() => clientFor(t, srv)));
  const pub = await clientFor(t, srv);
  /** receiver name -> message indexes it got */
  const got = new Map<string, number[]>();
  const member = (name: string, connIdx: number, subject: string, queue?: string) => {
    got.set(name, []);
    conns[connIdx]!.subscribe(subject, { queue, callback: (_e, m) => void got.get(name)!.push(Number(m.string())) });
  };
  member("a1", 0, "q.work", "A");
  member("a2", 1, "q.work", "A");
  member("a3", 2, "q.work", "A");
  member("b1", 0, "q.*", "B"); // a group on a wildcard subject
  member("b2", 2, "q.work", "B");
  member("plain1", 1, "q.work");
  member("plain2", 2, "q.>");
  await Promise.all(conns.map((c) => c.flush()));

  const n = 600;
  for (let i = 0; i < n; i++) pub.publish("q.work", String(i));
  await settle(pub, ...conns);

  const all = Array.from({ length: n }, (_, i) => i);
  for (const group of [["a1", "a2", "a3"], ["b1", "b2"]]) {
    const merged = group.flatMap((name) => got.get(name)!).sort((x, y) => x - y);
    assert.deepEqual(merged, all, `group ${group.join("/")}: each message exactly once`);
    for (const name of group) {
      // Random choice over 600 messages: a member with none (or nearly all) would be a broken spread.
      const share = got.get(name)!.length;
      assert.ok(share > n / group.length / 4, `${name} got ${share} of ${n}`);
    }
  }
  assert.deepEqual(got.get("plain1"), all);
  assert.deepEqual(got.get("plain2"), all);
});

test(`a queue member leaving hands its share to the remaining members [${IMPL}]`, async (t) => {
  const srv = await serverFor(t);
  const a = await clientFor(t, srv);
  const b = await clientFor(t, srv);
  const pub = await clientFor(t, srv);
  const gotA: number[] = [];
  const gotB: number[] = [];
  const subA = a.subscribe("q.leave", { queue: "G", callback: (_e, m) => void gotA.push(Number(m.string())) });
  b.subscribe("q.leave", { queue: "G", callback: (_e, m) => void gotB.push(Number(m.string())) });
  await Promise.all([a.flush(), b.flush()]);
  subA.unsubscribe();
  await a.flush();
  for (let i = 0; i < 100; i++) pub.publish("q.leave", String(i));
  await settle(pub, a, b);
  assert.deepEqual(gotA, []);
  assert.deepEqual(
    gotB,
    Array.from({ length: 100 }, (_, i) => i),
  );
});
