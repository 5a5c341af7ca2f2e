/**
 * A stream update between one replica and three (nats-server 2.9.10 allows both): growing, the one
 * peer's store reaches the new replicas through the catch-up path and nothing is lost; shrinking, one
 * replica keeps every message and goes on taking publishes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { jetStreamOf } from "../../../src/jetstream/jetstream.js";
import type { RunningServer } from "../../../src/index.js";
import { api, jsCluster, metaOf, waitUntil, type JsCluster } from "./meta-support.js";

function held(c: JsCluster, name: string): { server: string; msgs: number; first: number; last: number }[] {
  const out: { server: string; msgs: number; first: number; last: number }[] = [];
  for (const s of c.cluster.servers) {
    const st = jetStreamOf(s.server)?.accounts.get(s.server.globalAccount)?.streams.get(name)?.store.state();
    if (st !== undefined) out.push({ server: s.server.name, msgs: st.msgs, first: st.firstSeq, last: st.lastSeq });
  }
  return out;
}

function leaderOf(c: JsCluster, name: string): RunningServer | undefined {
  return c.cluster.servers.find((s) => metaOf(s).applier.replica("$G", name)?.isLeader === true);
}

for (const storage of ["file", "memory"] as const) {
  test(`${storage} stream R1 -> R3 -> R1: every message on every replica, dedup kept, publishes go on`, async (t) => {
    const c = await jsCluster(t);
    const cfg = { name: "G", subjects: ["g.>"], storage };
    const created = await api(c.ncs[0]!, "STREAM.CREATE.G", { ...cfg, num_replicas: 1 });
    assert.equal(created.error, undefined, JSON.stringify(created.error));
    const js = jetstream(c.ncs[1]!);
    for (let i = 1; i <= 50; i++) await js.publish(`g.${i % 5}`, `m${i}`, { msgID: `id-${i}` });
    // A gap the catch-up must carry too.
    await api(c.ncs[0]!, "STREAM.MSG.DELETE.G", { seq: 7 });
    // A durable that has acknowledged 10 keeps its place.
    await (await jetstreamManager(c.ncs[0]!)).consumers.add("G", { durable_name: "D", ack_policy: AckPolicy.Explicit });
    const fetched = await (await js.consumers.get("G", "D")).fetch({ max_messages: 10, expires: 2000 });
    for await (const m of fetched) await m.ackAck();

    const up = await api(c.ncs[2]!, "STREAM.UPDATE.G", { ...cfg, num_replicas: 3 }, 15_000);
    assert.equal(up.error, undefined, JSON.stringify(up.error));
    assert.equal((up.config as { num_replicas: number }).num_replicas, 3);
    await waitUntil(() => held(c, "G").length === 3 && held(c, "G").every((h) => h.msgs === 49 && h.last === 50), 15_000, "three replicas with all 49 messages");
    await waitUntil(async () => (((await api(c.ncs[0]!, "STREAM.INFO.G")).cluster as { replicas?: unknown[] }).replicas ?? []).length === 2, 10_000, "two replicas beside the leader");
    const dup = await js.publish("g.1", "again", { msgID: "id-50" });
    assert.equal(dup.duplicate, true, "the dedup window came along");
    const more = await js.publish("g.1", "m51", { msgID: "id-51" });
    assert.equal(more.seq, 51);

    // Another peer leads and serves the old messages it fetched.
    const before = leaderOf(c, "G")!;
    const sd = await api(c.ncs[0]!, "STREAM.LEADER.STEPDOWN.G");
    assert.equal(sd.success, true, JSON.stringify(sd));
    await waitUntil(() => leaderOf(c, "G") !== undefined && leaderOf(c, "G") !== before, 5000, "another leader");
    const m1 = await api(c.ncs[1]!, "STREAM.MSG.GET.G", { seq: 1 });
    assert.equal(Buffer.from((m1.message as { data: string }).data, "base64").toString(), "m1");
    const m7 = await api(c.ncs[1]!, "STREAM.MSG.GET.G", { seq: 7 });
    assert.equal((m7.error as { err_code: number }).err_code, 10037);
    // The new leader serves its consumers once it has applied its whole log.
    let ci: Record<string, unknown> = {};
    await waitUntil(async () => (ci = await api(c.ncs[2]!, "CONSUMER.INFO.G.D")).num_pending === 40, 5000, "the consumer's state on the new leader");
    assert.equal((ci.ack_floor as { stream_seq: number }).stream_seq, 11, "10 acknowledged, the 7th deleted");

    const down = await api(c.ncs[1]!, "STREAM.UPDATE.G", { ...cfg, num_replicas: 1 }, 15_000);
    assert.equal(down.error, undefined, JSON.stringify(down.error));
    await waitUntil(() => held(c, "G").length === 1, 10_000, "one replica left");
    assert.equal(held(c, "G")[0]!.msgs, 50);
    const last = await js.publish("g.2", "m52", { msgID: "id-52" });
    assert.equal(last.seq, 52);
    const info = await api(c.ncs[2]!, "STREAM.INFO.G");
    assert.equal((info.config as { num_replicas: number }).num_replicas, 1);
    assert.equal((info.state as { messages: number }).messages, 51);
  });
}
