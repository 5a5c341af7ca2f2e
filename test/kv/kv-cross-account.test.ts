/**
 * KV of one account used from another through service and stream imports (issue #15 D12), as nats.js's
 * "kv - cross account history / watch" set it up: B imports A's JetStream API under `froma`, A's
 * `$KV.>` under `froma.$KV.>`, and A's `forb.>` stream, B's inbox prefix. Passes on nats-server 2.9.10.
 */
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { Kvm, type KV } from "@nats-io/kv";
import { IMPL, serverFor } from "../e2e/support.js";
import { until } from "../jetstream/consumer-helpers.js";

function config(): string {
  return `
jetstream { store_dir: "${mkdtempSync(join(tmpdir(), "tsnats-xkv-"))}" }
accounts {
  A { jetstream: enabled, users: [{user: a, password: a}], exports: [ {service: "$JS.API.>"}, {service: "$KV.>"}, {stream: "forb.>"} ] }
  B { users: [{user: b, password: b}], imports: [
    {service: {subject: "$KV.>", account: A}, to: "froma.$KV.>"}
    {service: {subject: "$JS.API.>", account: A}, to: "froma.>"}
    {stream: {subject: "forb.>", account: A}}
  ] }
}
`;
}

async function keysSeen(it: AsyncIterable<{ key: string }> & { stop(): void }, want: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const done = (async () => {
    for await (const e of it) seen.add(e.key);
  })();
  await until(() => want.every((k) => seen.has(k)), 5000, `keys ${want.join(", ")}`);
  it.stop();
  await done;
  return [...seen].sort();
}

test(`KV across accounts: history and watch from the importing account [${IMPL}]`, { timeout: 30_000 }, async (t) => {
  const srv = await serverFor(t, { config: config() });
  const nca = await connect({ servers: srv.url, user: "a", pass: "a" });
  const ncb = await connect({ servers: srv.url, user: "b", pass: "b", inboxPrefix: "forb" });
  t.after(() => Promise.all([nca.close(), ncb.close()]));
  const kva: KV = await new Kvm(jetstream(nca)).create("a");
  const kvb: KV = await new Kvm(jetstream(ncb, { apiPrefix: "froma" })).create("a");
  await kva.put("A", "A");
  await kva.put("B", "B");
  await kva.delete("B");
  await kvb.put("C", "C");
  assert.deepEqual(await keysSeen(await kvb.history(), ["A", "B", "C"]), ["A", "B", "C"]);
  // The watcher's push consumer delivers to forb.<inbox> in A, which only the stream import carries to
  // B: it is not bound (nats.js refuses a bound one) until B's client subscribes there.
  assert.deepEqual(await keysSeen(await kvb.watch(), ["A", "B", "C"]), ["A", "B", "C"]);

  const jsmb = await jetstreamManager(ncb, { apiPrefix: "froma" });
  const ci = await jsmb.consumers.add("KV_a", { durable_name: "push", deliver_subject: "forb.push", ack_policy: "none" as never });
  assert.equal(ci.push_bound, undefined, "no subscriber in B yet: not bound");
  const sub = ncb.subscribe("forb.push");
  await ncb.flush();
  await until(async () => (await jsmb.consumers.info("KV_a", "push")).push_bound === true, 3000, "bound once B subscribes");
  sub.unsubscribe();
});
