/**
 * Many durable consumers across a restart: every consumer comes back with exactly the state it had
 * (delivered, ack floor, pending, redelivered, num_pending), whatever its ack policy and filter, after
 * a clean stop and after SIGKILL, and goes on delivering from where it was.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { AckPolicy, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { api, fill, jsServer, NS } from "./consumer-helpers.js";

const CONSUMERS = 240;
const MESSAGES = 600;

function name(k: number): string {
  return `c${String(k).padStart(4, "0")}`;
}

/** The persisted part of a CONSUMER.INFO answer. */
function stateOf(info: Record<string, any>): unknown {
  return {
    name: info.name,
    delivered: { consumer_seq: info.delivered.consumer_seq, stream_seq: info.delivered.stream_seq },
    ack_floor: { consumer_seq: info.ack_floor.consumer_seq, stream_seq: info.ack_floor.stream_seq },
    num_ack_pending: info.num_ack_pending,
    num_redelivered: info.num_redelivered,
    num_pending: info.num_pending,
    config: info.config,
  };
}

for (const signal of ["SIGTERM", "SIGKILL"] as const) {
  test(`${CONSUMERS} durable consumers come back with their exact state after a restart (${signal})`, { timeout: 120_000 }, async (t) => {
    const { srv, storeDir } = await jsServer(t);
    const nc = await connect({ servers: srv.url, reconnect: false });
    t.after(() => nc.close().catch(() => undefined));
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    await jsm.streams.add({ name: "M", subjects: ["m.>"] });
    await fill(js, (i) => `m.${i % 10}`, MESSAGES);

    for (let k = 0; k < CONSUMERS; k++) {
      const kind = k % 4;
      await jsm.consumers.add("M", {
        durable_name: name(k),
        ack_policy: kind === 2 ? AckPolicy.All : AckPolicy.Explicit,
        ack_wait: 60_000 * NS,
        ...(kind === 1 ? { filter_subject: `m.${k % 10}` } : {}),
        ...(kind === 3 ? { max_deliver: 2 } : {}),
      });
      const c = await js.consumers.get("M", name(k));
      const n = 1 + (k % 9);
      let i = 0;
      const got = [];
      for await (const m of await c.fetch({ max_messages: n, expires: 2000 })) {
        got.push(m);
        if (++i === n) break;
      }
      for (const [j, m] of got.entries()) {
        if (kind === 2) {
          if (j === got.length - 2) assert.equal(await m.ackAck(), true);
        } else if (j % 3 === 0) {
          assert.equal(await m.ackAck(), true);
        } else if (j % 3 === 1 && kind === 3) {
          m.nak();
        }
      }
      if (kind === 3 && got.length > 1) {
        // The NAK'd messages come again: their delivery counts are part of the state.
        for await (const m of await c.fetch({ max_messages: 1, expires: 1000 })) {
          assert.ok(m.info.deliveryCount >= 1);
          break;
        }
      }
    }
    await nc.flush();
    const before = new Map<string, unknown>();
    for (let k = 0; k < CONSUMERS; k++) before.set(name(k), stateOf(await api(nc, `CONSUMER.INFO.M.${name(k)}`)));
    await nc.close();
    const states = [...before.values()] as { num_redelivered: number; num_ack_pending: number; ack_floor: { stream_seq: number } }[];
    assert.ok(states.some((x) => x.num_redelivered > 0), "some consumers have redeliveries to keep");
    assert.ok(states.some((x) => x.num_ack_pending > 1 && x.ack_floor.stream_seq > 0), "and pending messages above an ack floor");

    // Written to the page cache within milliseconds of each change, so a kill of the process loses nothing.
    await srv.stop(signal);
    const again = await jsServer(t, { storeDir, port: srv.port });
    const nc2 = await connect({ servers: again.srv.url, reconnect: false });
    t.after(() => nc2.close().catch(() => undefined));
    const list = await api(nc2, "CONSUMER.NAMES.M");
    assert.equal(list.total, CONSUMERS);
    for (let k = 0; k < CONSUMERS; k++) {
      const info = await api(nc2, `CONSUMER.INFO.M.${name(k)}`);
      assert.equal(info.error, undefined, JSON.stringify(info.error));
      assert.deepEqual(stateOf(info), before.get(name(k)), name(k));
    }

    // They deliver on from where they were: the next message of an unfiltered consumer follows its last.
    const js2 = jetstream(nc2);
    for (const k of [0, 2, 4]) {
      const last = (before.get(name(k)) as { delivered: { stream_seq: number } }).delivered.stream_seq;
      const c = await js2.consumers.get("M", name(k));
      const m = await c.next({ expires: 2000 });
      assert.equal(m?.seq, last + 1, name(k));
    }
  });
}
