/**
 * Compares what tsnats serves with what nats-server reported about the same data (nats-server-store.ts):
 * stream states, every message (subject, headers, data, time) and every deleted sequence, consumer
 * states, KV values.
 */
import assert from "node:assert/strict";
import type { NatsConnection } from "@nats-io/transport-node";
import type { JetStreamManager } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { RecordedStore, RecordedStream } from "../../store/migrate/nats-server-store.js";

export async function checkStream(jsm: JetStreamManager, want: RecordedStream): Promise<void> {
  const si = await jsm.streams.info(want.name);
  assert.equal(si.state.first_seq, want.firstSeq, `${want.name} first_seq`);
  assert.equal(si.state.last_seq, want.lastSeq, `${want.name} last_seq`);
  assert.equal(si.state.messages, want.messages, `${want.name} messages`);
  assert.equal(si.state.num_deleted ?? 0, want.numDeleted, `${want.name} num_deleted`);
  const wanted = new Map(want.msgs.map((m) => [m.seq, m]));
  for (let seq = want.firstSeq; seq <= want.lastSeq; seq++) {
    const w = wanted.get(seq);
    if (w === undefined) {
      assert.equal(await jsm.streams.getMessage(want.name, { seq }), null, `${want.name} seq ${seq} must stay deleted`);
      continue;
    }
    const m = await jsm.streams.getMessage(want.name, { seq });
    assert.ok(m !== null);
    assert.equal(m.seq, seq);
    assert.equal(m.subject, w.subject, `${want.name} seq ${seq} subject`);
    assert.equal(m.header === undefined ? "" : m.header.toString(), w.headers, `${want.name} seq ${seq} headers`);
    assert.equal(Buffer.from(m.data).toString("base64"), w.data, `${want.name} seq ${seq} data`);
    assert.equal(m.time.toISOString(), w.time, `${want.name} seq ${seq} time`);
  }
}

export async function checkAll(jsm: JetStreamManager, nc: NatsConnection, rec: RecordedStore): Promise<void> {
  const names = [];
  for await (const s of jsm.streams.list()) names.push(s.config.name);
  assert.deepEqual(names.sort(), rec.streams.map((s) => s.name).sort());
  for (const s of rec.streams) await checkStream(jsm, s);
  for (const c of rec.consumers) {
    const ci = await jsm.consumers.info(c.stream, c.name);
    const got = {
      delivered: { consumer_seq: ci.delivered.consumer_seq, stream_seq: ci.delivered.stream_seq },
      ackFloor: { consumer_seq: ci.ack_floor.consumer_seq, stream_seq: ci.ack_floor.stream_seq },
      numAckPending: ci.num_ack_pending,
      numRedelivered: ci.num_redelivered,
      numPending: ci.num_pending,
    };
    const { stream: _s, name: _n, ...want } = c;
    assert.deepEqual(got, want, `consumer ${c.name}`);
  }
  const kv = await new Kvm(nc).open("cfg");
  for (const [key, value] of Object.entries(rec.kv)) {
    const e = await kv.get(key);
    assert.equal(e === null || e.operation !== "PUT" ? undefined : e.string(), value, `kv ${key}`);
  }
}

