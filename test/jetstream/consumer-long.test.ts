/**
 * A long consume() run while a publisher keeps writing: every message is delivered and acknowledged,
 * none twice unless it was NAK'ed, the consumer never goes quiet while messages wait, and its info
 * counts end at zero. Two consumers with different ack styles run side by side.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AckPolicy, type ConsumerMessages } from "@nats-io/jetstream";
import { api, jsEnv, sleep, until } from "./consumer-helpers.js";

test("long consume under a steady publisher: no loss, no stall", { timeout: 60_000 }, async (t) => {
  const env = await jsEnv(t);
  await env.jsm.streams.add({ name: "LONG", subjects: ["long.>"] });
  await env.jsm.consumers.add("LONG", { durable_name: "fast", ack_policy: AckPolicy.Explicit, ack_wait: 2_000_000_000 });
  await env.jsm.consumers.add("LONG", { durable_name: "naky", ack_policy: AckPolicy.Explicit, ack_wait: 2_000_000_000, max_ack_pending: 64 });
  const TOTAL = 20_000;
  const runFor = 6000;

  type Track = { got: Map<number, number>; naked: Set<number>; lastAt: number; maxGap: number };
  const track = (): Track => ({ got: new Map(), naked: new Set(), lastAt: Date.now(), maxGap: 0 });
  const fast = track();
  const naky = track();

  async function run(name: string, tr: Track, handle: (seq: number, dc: number, ack: () => void, nak: () => void) => void): Promise<ConsumerMessages> {
    const c = await env.js.consumers.get("LONG", name);
    const it = await c.consume({ max_messages: 200, idle_heartbeat: 500, expires: 2000 });
    void (async () => {
      for await (const m of it) {
        const now = Date.now();
        tr.maxGap = Math.max(tr.maxGap, now - tr.lastAt);
        tr.lastAt = now;
        tr.got.set(m.seq, (tr.got.get(m.seq) ?? 0) + 1);
        handle(m.seq, m.info.deliveryCount, () => m.ack(), () => m.nak());
      }
    })();
    return it;
  }

  const a = await run("fast", fast, (_s, _dc, ack) => ack());
  const b = await run("naky", naky, (seq, dc, ack, nak) => {
    if (seq % 97 === 0 && dc === 1) {
      naky.naked.add(seq);
      nak();
    } else ack();
  });

  const t0 = Date.now();
  let published = 0;
  while (published < TOTAL) {
    const burst = [];
    for (let i = 0; i < 200 && published < TOTAL; i++) burst.push(env.js.publish(`long.${published++ % 7}`, "x".repeat(100)));
    await Promise.all(burst);
    const behind = (published / TOTAL) * runFor - (Date.now() - t0);
    if (behind > 0) await sleep(behind);
  }
  for (const [name, tr] of [["fast", fast], ["naky", naky]] as const) {
    await until(async () => {
      const i = await api(env.nc, `CONSUMER.INFO.LONG.${name}`);
      return i.ack_floor.stream_seq === TOTAL && i.num_ack_pending === 0 && i.num_pending === 0;
    }, 10_000, `${name} to finish`);
    for (let s = 1; s <= TOTAL; s++) {
      const n = tr.got.get(s) ?? 0;
      assert.equal(n, tr.naked.has(s) ? 2 : 1, `${name}: seq ${s} delivered ${n} times`);
    }
    assert.ok(tr.maxGap < 1500, `${name}: longest quiet spell ${tr.maxGap} ms while publishing`);
  }
  const info = await api(env.nc, "CONSUMER.INFO.LONG.naky");
  assert.equal(info.num_redelivered, 0);
  assert.equal(info.delivered.consumer_seq, TOTAL + naky.naked.size);
  a.stop();
  b.stop();
});
