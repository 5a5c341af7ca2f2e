/**
 * The clustered $JS.API on 3 in-process servers (startCluster): every request reaches every server and
 * exactly one answers; R1 streams are placed on one server and work from every server; placement
 * errors are nats-server's; consumers of R1 streams from any server; stepdowns.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { startServer } from "../../../src/index.js";
import { jetStreamOf } from "../../../src/jetstream/jetstream.js";
import { answers, api, jsCluster, metaLeader, metaOf, waitUntil } from "./meta-support.js";

test("an R1 stream created from one server: placed on one, answered once, usable from every server", async (t) => {
  const c = await jsCluster(t);
  const created = await answers(c.ncs[1]!, "STREAM.CREATE.ORDERS", { name: "ORDERS", subjects: ["orders.>"] }, 1500);
  assert.equal(created.length, 1, "exactly one server answers the create");
  assert.equal(created[0]!.type, "io.nats.jetstream.api.v1.stream_create_response");
  assert.equal(created[0]!.did_create, true);
  const cluster = created[0]!.cluster as { name: string; leader: string };
  assert.equal(cluster.name, "tsnats");
  const holders = c.cluster.servers.filter((s) => jetStreamOf(s.server)!.accounts.get(s.server.globalAccount)!.streams.has("ORDERS"));
  assert.equal(holders.length, 1, "an R1 stream lives on one server");
  assert.equal(cluster.leader, holders[0]!.server.name);

  for (const [i, nc] of c.ncs.entries()) {
    const js = jetstream(nc);
    const ack = await js.publish(`orders.${i}`, `from ${i}`);
    assert.deepEqual([ack.stream, ack.seq], ["ORDERS", i + 1]);
    const infos = await answers(nc, "STREAM.INFO.ORDERS");
    assert.equal(infos.length, 1, `one STREAM.INFO answer on server ${i}`);
    assert.equal((infos[0]!.state as { messages: number }).messages, i + 1);
    const names = await answers(nc, "STREAM.NAMES");
    assert.equal(names.length, 1);
    assert.deepEqual(names[0]!.streams, ["ORDERS"]);
  }
  const list = await api(c.ncs[2]!, "STREAM.LIST");
  assert.equal(list.total, 1);
  assert.equal(((list.streams as Record<string, unknown>[])[0]!.config as { name: string }).name, "ORDERS");

  const notFound = await answers(c.ncs[0]!, "STREAM.INFO.NOPE");
  assert.equal(notFound.length, 1);
  assert.deepEqual(notFound[0]!.error, { code: 404, err_code: 10059, description: "stream not found" });

  const again = await answers(c.ncs[2]!, "STREAM.CREATE.ORDERS", { name: "ORDERS", subjects: ["orders.>"] }, 1500);
  assert.equal(again.length, 1, "an idempotent create is answered once");
  assert.equal(again[0]!.error, undefined);
  const clash = await api(c.ncs[2]!, "STREAM.CREATE.ORDERS", { name: "ORDERS", subjects: ["other.>"] });
  assert.equal((clash.error as { err_code: number }).err_code, 10058);
  const overlap = await api(c.ncs[0]!, "STREAM.CREATE.O2", { name: "O2", subjects: ["orders.x"] });
  assert.equal((overlap.error as { err_code: number }).err_code, 10065);

  const deleted = await answers(c.ncs[1]!, "STREAM.DELETE.ORDERS", undefined, 1500);
  assert.equal(deleted.length, 1);
  assert.equal(deleted[0]!.success, true);
  await waitUntil(() => holders[0]!.server && !jetStreamOf(holders[0]!.server)!.accounts.get(holders[0]!.server.globalAccount)!.streams.has("ORDERS"), 5000, "the stream removed from its server");
  const gone = await api(c.ncs[0]!, "STREAM.INFO.ORDERS");
  assert.equal((gone.error as { err_code: number }).err_code, 10059);
});

test("placement: replicas beyond the servers, unknown tags or cluster give nats-server's 10005; R1 streams spread", async (t) => {
  const c = await jsCluster(t);
  const r5 = await api(c.ncs[0]!, "STREAM.CREATE.R5", { name: "R5", subjects: ["r5"], num_replicas: 5 });
  assert.deepEqual(r5.error, { code: 400, err_code: 10005, description: "no suitable peers for placement" });
  const tags = await api(c.ncs[0]!, "STREAM.CREATE.T", { name: "T", subjects: ["t"], placement: { tags: ["nope"] } });
  assert.deepEqual(tags.error, { code: 400, err_code: 10005, description: "no suitable peers for placement, tags not matched ['nope']" });
  const other = await api(c.ncs[0]!, "STREAM.CREATE.C", { name: "C", subjects: ["c"], placement: { cluster: "other" } });
  assert.deepEqual(other.error, { code: 400, err_code: 10005, description: "no suitable peers for placement" });
  const leaders = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const r = await api(c.ncs[i]!, `STREAM.CREATE.S${i}`, { name: `S${i}`, subjects: [`s${i}`] });
    leaders.add((r.cluster as { leader: string }).leader);
  }
  assert.equal(leaders.size, 3, "three R1 streams on three different servers (fewest assets first)");
  const preferred = c.cluster.servers[1]!.server.name;
  const p = await api(c.ncs[0]!, "STREAM.CREATE.P", { name: "P", subjects: ["p"], placement: { preferred } });
  assert.equal((p.cluster as { leader: string }).leader, preferred);
  const info = await api(c.ncs[2]!, "INFO");
  assert.equal(info.streams, 4);
});

test("consumers of an R1 stream from any server; consumer stepdown and stream stepdown answer once", async (t) => {
  const c = await jsCluster(t);
  const jsm = await jetstreamManager(c.ncs[0]!);
  await jsm.streams.add({ name: "WORK", subjects: ["work.>"] });
  const js = jetstream(c.ncs[1]!);
  for (let i = 0; i < 10; i++) await js.publish(`work.${i}`, `w${i}`);
  const jsm2 = await jetstreamManager(c.ncs[2]!);
  await jsm2.consumers.add("WORK", { durable_name: "W", ack_policy: AckPolicy.Explicit });
  const ci = await jsm.consumers.info("WORK", "W");
  assert.equal(ci.num_pending, 10);
  assert.equal(typeof ci.cluster?.leader, "string");
  const consumer = await jetstream(c.ncs[2]!).consumers.get("WORK", "W");
  const got: string[] = [];
  const batch = await consumer.fetch({ max_messages: 10, expires: 3000 });
  for await (const m of batch) {
    got.push(m.string());
    m.ack();
  }
  assert.equal(got.length, 10);
  const names = await answers(c.ncs[1]!, "CONSUMER.NAMES.WORK");
  assert.equal(names.length, 1);
  assert.deepEqual(names[0]!.consumers, ["W"]);
  await waitUntil(() => c.cluster.servers.every((s) => metaOf(s).state.consumersOf("$G", "WORK").has("W")), 5000, "the consumer recorded in the meta group on every server");

  const sd = await answers(c.ncs[1]!, "STREAM.LEADER.STEPDOWN.WORK");
  assert.equal(sd.length, 1);
  assert.equal(sd[0]!.success, true);
  const csd = await answers(c.ncs[0]!, "CONSUMER.LEADER.STEPDOWN.WORK.NOPE");
  assert.equal(csd.length, 1);
  assert.equal((csd[0]!.error as { err_code: number }).err_code, 10014);
  const nostream = await answers(c.ncs[0]!, "STREAM.LEADER.STEPDOWN.NOPE");
  assert.equal(nostream.length, 1);
  assert.equal((nostream[0]!.error as { err_code: number }).err_code, 10059);
  const peer = await api(c.ncs[0]!, "STREAM.PEER.REMOVE.WORK", { peer: "nobody" });
  assert.deepEqual(peer.error, { code: 400, err_code: 10040, description: "peer not a member" });

  await jsm.consumers.delete("WORK", "W");
  await waitUntil(() => c.cluster.servers.every((s) => !metaOf(s).state.consumersOf("$G", "WORK").has("W")), 5000, "the consumer's removal recorded");
});

test("META.LEADER.STEPDOWN: another server leads, the assignments stay, the API works again", async (t) => {
  const c = await jsCluster(t);
  await api(c.ncs[0]!, "STREAM.CREATE.A", { name: "A", subjects: ["a"] });
  const before = metaLeader(c)!.server.name;
  const sd = await answers(c.ncs[2]!, "META.LEADER.STEPDOWN");
  assert.equal(sd.length, 1);
  assert.equal(sd[0]!.success, true);
  await waitUntil(() => metaLeader(c) !== undefined && metaLeader(c)!.server.name !== before, 5000, "a new meta leader");
  const names = await api(c.ncs[1]!, "STREAM.NAMES");
  assert.deepEqual(names.streams, ["A"]);
  const b = await api(c.ncs[1]!, "STREAM.CREATE.B", { name: "B", subjects: ["b"] });
  assert.equal(b.did_create, true);
  const bad = await api(c.ncs[0]!, "SERVER.REMOVE", { peer: "nobody" });
  assert.deepEqual(bad.error, { code: 400, err_code: 10044, description: "server is not a member of the cluster" });
});

test("before the meta group has a leader the API answers 10008 from the requester's server; a lone clustered server then leads alone", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-lone-"));
  const s = await startServer({ serverName: "lone", jetstream: { enabled: true, storeDir: dir }, cluster: { name: "solo", port: -1 } });
  const nc = await connect({ servers: s.url });
  t.after(async () => {
    await nc.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const early = await api(nc, "INFO");
  assert.deepEqual(early.error, { code: 503, err_code: 10008, description: "JetStream system temporarily unavailable" });
  await waitUntil(() => metaOf(s).isLeader, 10_000, "the lone server to lead its meta group");
  const created = await api(nc, "STREAM.CREATE.L", { name: "L", subjects: ["l"] });
  assert.equal(created.did_create, true);
});
