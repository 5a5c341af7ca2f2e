/**
 * Replicated streams end to end through the meta group, on 3 in-process servers and the official
 * clients: an R3 stream created from any server is opened on all three with one leader; publishes from
 * every server are acknowledged and held by every replica; a stream leader stepdown in the middle of
 * publishing loses nothing acknowledged; a pull consumer shared by workers; KV and Object Store buckets
 * with 3 replicas.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AckPolicy, jetstream, jetstreamManager, type JetStreamClient } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { Objm } from "@nats-io/obj";
import type { Msg, NatsConnection } from "@nats-io/transport-node";
import { jetStreamOf } from "../../../src/jetstream/jetstream.js";
import { answers, api, jsCluster, waitUntil, type JsCluster } from "./meta-support.js";

function replicaStores(c: JsCluster, name: string): { msgs: number; last: number }[] {
  return c.cluster.servers.map((s) => {
    const st = jetStreamOf(s.server)?.accounts.get(s.server.globalAccount)?.streams.get(name)?.store.state();
    return { msgs: st?.msgs ?? -1, last: st?.lastSeq ?? -1 };
  });
}

/** Publishes `n` messages, retrying each (same Nats-Msg-Id) until acknowledged; returns the acked seqs. */
async function publishAll(js: JetStreamClient, subject: string, from: number, n: number): Promise<number[]> {
  const seqs: number[] = [];
  for (let i = from; i < from + n; i++) {
    for (let attempt = 0; ; attempt++) {
      try {
        const ack = await js.publish(subject, `m${i}`, { msgID: `id-${i}`, timeout: 2000 });
        seqs.push(ack.seq);
        break;
      } catch (e) {
        if (attempt > 20) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  return seqs;
}

/** Every reply that arrives within `ms` for one request (a second server's answer takes a few ms). */
async function replies(nc: NatsConnection, subject: string, body: string, ms = 150): Promise<Msg[]> {
  const inbox = `_INBOX.${Math.random().toString(36).slice(2)}`;
  const got: Msg[] = [];
  const sub = nc.subscribe(inbox, { callback: (_e, m) => void got.push(m) });
  await nc.flush();
  nc.publish(subject, body, { reply: inbox });
  await new Promise((r) => setTimeout(r, ms));
  sub.unsubscribe();
  return got;
}

/**
 * MSG.GET (the leader answers) and DIRECT.GET (one replica of the queue group answers) asked of every
 * server: one answer each, holding the message asked for; LOGS holds m0..m29 at seqs 1..30, published
 * ten per server on logs.<server>. DIRECT.GET on a stream nobody holds: one 503.
 */
async function oneAnswerReads(c: JsCluster): Promise<void> {
  for (const [i, nc] of c.ncs.entries()) {
    for (const seq of [1, 30]) {
      const got = await replies(nc, "$JS.API.STREAM.MSG.GET.LOGS", JSON.stringify({ seq }));
      assert.equal(got.length, 1, `MSG.GET seq ${seq} from server ${i}: ${got.length} answers`);
      const msg = (got[0]!.json() as { message: { seq: number; subject: string; data: string } }).message;
      assert.deepEqual([msg.seq, msg.subject, Buffer.from(msg.data, "base64").toString()], [seq, `logs.${Math.floor((seq - 1) / 10)}`, `m${seq - 1}`]);
      const direct = await replies(nc, "$JS.API.DIRECT.GET.LOGS", JSON.stringify({ seq }));
      assert.deepEqual(direct.map((m) => [m.string(), m.headers?.get("Nats-Sequence")]), [[`m${seq - 1}`, String(seq)]], `DIRECT.GET seq ${seq} from server ${i}`);
    }
    const last = await replies(nc, "$JS.API.DIRECT.GET.LOGS.logs.1", "");
    assert.deepEqual(last.map((m) => m.string()), ["m19"], `DIRECT.GET by subject from server ${i}`);
  }
  const none = await replies(c.ncs[1]!, "$JS.API.DIRECT.GET.NOPE", JSON.stringify({ seq: 1 }));
  assert.deepEqual(none.map((m) => m.headers?.code), [503]);
}

test("an R3 stream: created from any server, one answer, three replicas, publishes from every server on all three; one answer to every read", async (t) => {
  const c = await jsCluster(t);
  const created = await answers(c.ncs[2]!, "STREAM.CREATE.LOGS", { name: "LOGS", subjects: ["logs.>"], num_replicas: 3, allow_direct: true }, 3000);
  assert.equal(created.length, 1, "one answer to the create");
  assert.equal(created[0]!.error, undefined, JSON.stringify(created[0]));
  const cluster = created[0]!.cluster as { leader: string; replicas: { name: string }[] };
  assert.equal(typeof cluster.leader, "string");
  assert.equal(cluster.replicas.length, 2);
  for (const [i, nc] of c.ncs.entries()) await publishAll(jetstream(nc), `logs.${i}`, i * 10, 10);
  await waitUntil(() => replicaStores(c, "LOGS").every((r) => r.msgs === 30), 5000, "30 messages on every replica");
  await oneAnswerReads(c);
  const infos = await answers(c.ncs[0]!, "STREAM.INFO.LOGS");
  assert.equal(infos.length, 1, "only the leader answers STREAM.INFO");
  assert.equal((infos[0]!.state as { messages: number }).messages, 30);
  const list = await api(c.ncs[1]!, "STREAM.LIST");
  assert.equal(list.total, 1);
  const del = await api(c.ncs[1]!, "STREAM.DELETE.LOGS");
  assert.equal(del.success, true);
  await waitUntil(() => replicaStores(c, "LOGS").every((r) => r.msgs === -1), 5000, "every replica removed");
});

test("R3: a stream leader stepdown in the middle of publishing loses nothing acknowledged; a pull consumer shared by workers", async (t) => {
  const c = await jsCluster(t);
  const jsm = await jetstreamManager(c.ncs[0]!);
  await jsm.streams.add({ name: "JOBS", subjects: ["jobs.>"], num_replicas: 3 });
  const js = jetstream(c.ncs[1]!);
  const publishing = publishAll(js, "jobs.a", 0, 200);
  await new Promise((r) => setTimeout(r, 150));
  const sd = await api(c.ncs[2]!, "STREAM.LEADER.STEPDOWN.JOBS", undefined, 5000);
  assert.equal(sd.success, true);
  const seqs = await publishing;
  assert.equal(new Set(seqs).size, 200, "200 distinct acknowledged sequences");
  await waitUntil(() => replicaStores(c, "JOBS").every((r) => r.msgs === 200), 10000, "200 messages on every replica");

  await jsm.consumers.add("JOBS", { durable_name: "WORKERS", ack_policy: AckPolicy.Explicit });
  const seen = new Set<string>();
  const workers = c.ncs.map(async (nc) => {
    const consumer = await jetstream(nc).consumers.get("JOBS", "WORKERS");
    while (seen.size < 200) {
      const batch = await consumer.fetch({ max_messages: 20, expires: 1000 });
      for await (const m of batch) {
        seen.add(m.string());
        m.ack();
      }
    }
  });
  await Promise.race([Promise.all(workers), new Promise((_, rej) => setTimeout(() => rej(new Error(`workers got ${seen.size} of 200`)), 20000))]);
  assert.equal(seen.size, 200);
});

test("R3: a KV bucket and an Object Store with replicas: 3", async (t) => {
  const c = await jsCluster(t);
  const kvm = new Kvm(c.ncs[0]!);
  const kv = await kvm.create("CFG", { replicas: 3 });
  await kv.put("a", "1");
  await kv.put("b", "2");
  const kv2 = await new Kvm(c.ncs[2]!).open("CFG");
  assert.equal((await kv2.get("a"))?.string(), "1");
  await kv2.put("a", "3");
  assert.equal((await kv.get("a"))?.string(), "3");
  const status = await kv.status();
  assert.equal(status.replicas, 3);

  const objm = new Objm(c.ncs[1]!);
  const os = await objm.create("FILES", { replicas: 3 });
  const data = Buffer.alloc(300_000, 7);
  await os.putBlob({ name: "blob" }, data);
  const back = await (await new Objm(c.ncs[0]!).open("FILES")).getBlob("blob");
  assert.equal(Buffer.compare(Buffer.from(back!), data), 0);
});

test("R3 advisories: a stepdown elects a new stream leader, announced for the stream and its consumers", async (t) => {
  const c = await jsCluster(t);
  const jsm = await jetstreamManager(c.ncs[0]!);
  await jsm.streams.add({ name: "ADV", subjects: ["adv"], num_replicas: 3 });
  await jsm.consumers.add("ADV", { durable_name: "D", ack_policy: AckPolicy.Explicit });
  await waitUntil(() => c.cluster.servers.every((s) => jetStreamOf(s.server)!.accounts.get(s.server.globalAccount)!.streams.get("ADV")?.consumers.has("D") === true), 3000, "the consumer opened on every replica from its assignment");
  const seen: Record<string, unknown>[] = [];
  const subjects: string[] = [];
  c.ncs[1]!.subscribe("$JS.EVENT.ADVISORY.*.LEADER_ELECTED.>", {
    callback: (_e, m) => {
      subjects.push(m.subject);
      seen.push(JSON.parse(m.string()) as Record<string, unknown>);
    },
  });
  await c.ncs[1]!.flush();
  const before = ((await api(c.ncs[0]!, "STREAM.INFO.ADV")).cluster as { leader: string }).leader;
  assert.equal((await api(c.ncs[2]!, "STREAM.LEADER.STEPDOWN.ADV")).success, true);
  await waitUntil(() => subjects.includes("$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.ADV") && subjects.includes("$JS.EVENT.ADVISORY.CONSUMER.LEADER_ELECTED.ADV.D"), 10_000, "both advisories");
  const s = seen[subjects.indexOf("$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED.ADV")]!;
  assert.equal(s.type, "io.nats.jetstream.advisory.v1.stream_leader_elected");
  assert.equal(s.stream, "ADV");
  assert.notEqual(s.leader, before, "the new leader is another server");
  assert.equal((s.replicas as unknown[]).length, 2);
  const cons = seen[subjects.indexOf("$JS.EVENT.ADVISORY.CONSUMER.LEADER_ELECTED.ADV.D")]!;
  assert.deepEqual([cons.type, cons.consumer, cons.leader], ["io.nats.jetstream.advisory.v1.consumer_leader_elected", "D", s.leader]);
});

test("STREAM.UPDATE changes num_replicas through the meta group: 2 -> 3 -> 2 -> 1, the messages on every replica", async (t) => {
  const c = await jsCluster(t);
  const created = await api(c.ncs[0]!, "STREAM.CREATE.UP", { name: "UP", subjects: ["up"], num_replicas: 2 });
  assert.equal(created.error, undefined, JSON.stringify(created.error));
  const js = jetstream(c.ncs[1]!);
  for (let i = 0; i < 10; i++) await js.publish("up", `u${i}`);
  const holders = (): number => replicaStores(c, "UP").filter((r) => r.msgs >= 0).length;
  assert.equal(holders(), 2);
  const up = await api(c.ncs[2]!, "STREAM.UPDATE.UP", { name: "UP", subjects: ["up"], num_replicas: 3 }, 10_000);
  assert.equal(up.type, "io.nats.jetstream.api.v1.stream_update_response");
  assert.equal(up.error, undefined, JSON.stringify(up.error));
  assert.equal((up.config as { num_replicas: number }).num_replicas, 3);
  await waitUntil(() => replicaStores(c, "UP").every((r) => r.msgs === 10), 10_000, "the third replica caught up");
  await waitUntil(async () => (((await api(c.ncs[0]!, "STREAM.INFO.UP")).cluster as { replicas?: unknown[] }).replicas?.length ?? 0) === 2, 10_000, "two replicas beside the leader");
  const down = await api(c.ncs[1]!, "STREAM.UPDATE.UP", { name: "UP", subjects: ["up"], num_replicas: 2 }, 10_000);
  assert.equal(down.error, undefined, JSON.stringify(down.error));
  await waitUntil(() => holders() === 2, 10_000, "one replica removed");
  await js.publish("up", "after");
  const info = await api(c.ncs[0]!, "STREAM.INFO.UP");
  assert.equal((info.state as { messages: number }).messages, 11);
  // The group drops the removed voter once the leader has made the change (one at a time).
  await waitUntil(async () => (((await api(c.ncs[0]!, "STREAM.INFO.UP")).cluster as { replicas?: unknown[] }).replicas ?? []).length === 1, 10_000, "one replica beside the leader");
  const one = await api(c.ncs[1]!, "STREAM.UPDATE.UP", { name: "UP", subjects: ["up"], num_replicas: 1 }, 10_000);
  assert.equal(one.error, undefined, JSON.stringify(one.error));
  await waitUntil(() => holders() === 1, 10_000, "one replica left");
  assert.deepEqual(replicaStores(c, "UP").filter((r) => r.msgs >= 0), [{ msgs: 11, last: 11 }]);
});
