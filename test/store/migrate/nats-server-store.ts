/**
 * Writes a JetStream store with the reference nats-server (2.9.10 here) through the official clients,
 * and records what nats-server itself reports about it before it stops: every message with its headers
 * and sequence, every stream's state, every consumer's delivered and ack floor, KV values. Migration
 * tests start tsnats on the same directory and compare against that record.
 *
 * What the store holds, chosen to reach every part of the 2.9 layout:
 * - ORDERS: 40 subjects, headers on some messages, interior deletes (`.idx` delete maps), the first
 *   message deleted (a block's first sequence moved up), a filtered purge;
 * - SMALL: max_bytes small enough for 32 KB blocks, so the messages spread over several `.blk` files;
 * - EMPTY: everything purged, then nothing more: only the sequences remain;
 * - KV_cfg: a KV bucket with history, updates, a delete and a purge of keys;
 * - consumers on ORDERS with acked, pending, redelivered and filtered state.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, AckPolicy, DeliverPolicy, type JetStreamManager } from "@nats-io/jetstream";
import { headers } from "@nats-io/nats-core";
import { Kvm } from "@nats-io/kv";
import { startServerProcess } from "../../helpers/server-process.js";

export interface RecordedMsg {
  seq: number;
  subject: string;
  /** Header block as nats-server returned it (raw NATS/1.0 text), or "" without headers. */
  headers: string;
  data: string;
  /** RFC 3339 time as nats-server reported it. */
  time: string;
}

export interface RecordedStream {
  name: string;
  firstSeq: number;
  lastSeq: number;
  messages: number;
  numDeleted: number;
  msgs: RecordedMsg[];
}

export interface RecordedConsumer {
  stream: string;
  name: string;
  delivered: { consumer_seq: number; stream_seq: number };
  ackFloor: { consumer_seq: number; stream_seq: number };
  numAckPending: number;
  numRedelivered: number;
  numPending: number;
}

export interface RecordedStore {
  /** The directory given to nats-server with -sd. */
  dir: string;
  streams: RecordedStream[];
  consumers: RecordedConsumer[];
  /** KV_cfg: key -> current value, undefined for deleted or purged keys. */
  kv: Record<string, string | undefined>;
}

function hdrText(h: { toString(): string } | undefined): string {
  return h === undefined ? "" : h.toString();
}

async function recordStream(jsm: JetStreamManager, name: string): Promise<RecordedStream> {
  const si = await jsm.streams.info(name);
  const st = si.state;
  const msgs: RecordedMsg[] = [];
  for (let seq = st.first_seq; seq <= st.last_seq && st.messages > 0; seq++) {
    // null: no message at this sequence.
    const m = await jsm.streams.getMessage(name, { seq });
    if (m !== null) msgs.push({ seq: m.seq, subject: m.subject, headers: hdrText(m.header), data: Buffer.from(m.data).toString("base64"), time: m.time.toISOString() });
  }
  return { name, firstSeq: st.first_seq, lastSeq: st.last_seq, messages: st.messages, numDeleted: st.num_deleted ?? 0, msgs };
}

/**
 * nats-server 2.9.10 can leave a consumer's o.dat empty when it stops (the file is truncated, then
 * written, while the process exits); nats-server itself then restarts that consumer from nothing. Such
 * a store cannot show that consumer state survives the switch, so it is written again (rarely needed).
 */
export async function writeNatsServerStore(): Promise<RecordedStore> {
  for (let attempt = 1; ; attempt++) {
    const rec = await writeOnce();
    const obs = join(rec.dir, "jetstream", "$G", "streams", "ORDERS", "obs");
    const empty = readdirSync(obs).filter((c) => statSync(join(obs, c, "o.dat")).size === 0);
    if (empty.length === 0) return rec;
    rmSync(rec.dir, { recursive: true, force: true });
    if (attempt === 3) throw new Error(`nats-server left empty consumer state files (${empty.join(", ")}) three times`);
  }
}

/** Runs nats-server on a fresh directory, fills it, records it, and stops the server cleanly. */
async function writeOnce(): Promise<RecordedStore> {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-ns-store-"));
  const srv = await startServerProcess({ impl: "nats-server", args: ["-js", "-sd", dir] });
  try {
    const nc = await connect({ servers: srv.url });
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);

    await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
    for (let i = 1; i <= 400; i++) {
      const subj = `orders.${i % 40}.${i % 3 === 0 ? "new" : "paid"}`;
      if (i % 5 === 0) {
        const h = headers();
        h.set("X-Order", String(i));
        h.append("X-Tag", "a");
        h.append("X-Tag", "b");
        await js.publish(subj, `order ${i}`, { headers: h, msgID: `id-${i}` });
      } else {
        await js.publish(subj, i % 7 === 0 ? new Uint8Array(0) : `order ${i}`);
      }
    }
    for (const seq of [1, 2, 17, 18, 19, 250, 399]) await jsm.streams.deleteMessage("ORDERS", seq, seq % 2 === 0);
    await jsm.streams.purge("ORDERS", { filter: "orders.7.*" });

    await jsm.streams.add({ name: "SMALL", subjects: ["small.*"], max_bytes: 120_000 });
    const big = "x".repeat(700);
    for (let i = 1; i <= 120; i++) await js.publish(`small.${i % 4}`, `${i}:${big}`);
    await jsm.streams.deleteMessage("SMALL", 60);

    await jsm.streams.add({ name: "EMPTY", subjects: ["empty"] });
    for (let i = 0; i < 25; i++) await js.publish("empty", String(i));
    await jsm.streams.purge("EMPTY");

    const kvm = new Kvm(nc);
    const kv = await kvm.create("cfg", { history: 5 });
    await kv.put("a", "1");
    await kv.put("b", "2");
    await kv.put("a", "11");
    await kv.put("c.d", "deep");
    await kv.put("gone", "x");
    await kv.delete("gone");
    await kv.put("purged", "y");
    await kv.purge("purged");
    await kv.put("a", "111");

    // A pull consumer: 30 delivered, some acked out of order, one nak'ed (redelivered), the rest pending.
    await jsm.consumers.add("ORDERS", { durable_name: "worker", ack_policy: AckPolicy.Explicit, ack_wait: 3600 * 1e9 });
    const worker = await js.consumers.get("ORDERS", "worker");
    const batch = await worker.fetch({ max_messages: 30, expires: 2000 });
    const got = [];
    for await (const m of batch) got.push(m);
    for (const m of got.slice(0, 10)) await m.ackAck();
    for (const m of got.slice(15, 18)) await m.ackAck();
    got[12]!.nak();
    const again = await worker.fetch({ max_messages: 1, expires: 2000 });
    for await (const m of again) void m; // the redelivery of got[12], left pending
    // A filtered consumer with ack all, caught up to one message.
    await jsm.consumers.add("ORDERS", { durable_name: "paid3", ack_policy: AckPolicy.All, filter_subject: "orders.3.*", deliver_policy: DeliverPolicy.All });
    const paid3 = await js.consumers.get("ORDERS", "paid3");
    const pb = await paid3.fetch({ max_messages: 5, expires: 2000 });
    const pgot = [];
    for await (const m of pb) pgot.push(m);
    await pgot[2]!.ackAck();
    // A consumer nobody read.
    await jsm.consumers.add("ORDERS", { durable_name: "idle", ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.Last });

    const streams: RecordedStream[] = [];
    for (const name of ["ORDERS", "SMALL", "EMPTY", "KV_cfg"]) streams.push(await recordStream(jsm, name));
    const consumers: RecordedConsumer[] = [];
    for (const name of ["worker", "paid3", "idle"]) {
      const ci = await jsm.consumers.info("ORDERS", name);
      consumers.push({
        stream: "ORDERS",
        name,
        delivered: { consumer_seq: ci.delivered.consumer_seq, stream_seq: ci.delivered.stream_seq },
        ackFloor: { consumer_seq: ci.ack_floor.consumer_seq, stream_seq: ci.ack_floor.stream_seq },
        numAckPending: ci.num_ack_pending,
        numRedelivered: ci.num_redelivered,
        numPending: ci.num_pending,
      });
    }
    const kvOut: Record<string, string | undefined> = {};
    for (const key of ["a", "b", "c.d", "gone", "purged"]) {
      const e = await kv.get(key);
      kvOut[key] = e === null || e.operation !== "PUT" ? undefined : e.string();
    }
    await nc.close();
    return { dir, streams, consumers, kv: kvOut };
  } finally {
    await srv.stop("SIGTERM");
  }
}
