/**
 * Figures, not a benchmark: async publish (128 B, 256 in flight) to an R3 stream on 3 in-process
 * servers, beside a file stream on one standalone server, through the official client. Every publish
 * must be acked; the rates are printed (noisy: all servers and the client share this process).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { jetstream, jetstreamManager, type JetStreamClient, type PubAck } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { startServer } from "../../../src/index.js";
import { tempDir } from "../../store/helpers.js";
import { streamConfig, TestCluster, waitFor, lastSeq } from "./stream-group-kit.js";

const N = 20_000;
const WINDOW = 256;

async function publishAsync(js: JetStreamClient, subject: string): Promise<number> {
  const payload = new Uint8Array(128);
  const t0 = performance.now();
  // A sliding window: the oldest publish is awaited once WINDOW are in flight.
  const inflight: Promise<PubAck>[] = [];
  let acked = 0;
  for (let i = 0; i < N; i++) {
    inflight.push(js.publish(subject, payload));
    if (inflight.length >= WINDOW) {
      await inflight.shift();
      acked++;
    }
  }
  acked += (await Promise.all(inflight)).length;
  assert.equal(acked, N);
  return N / ((performance.now() - t0) / 1000);
}

test("figures: R3 async publish beside a standalone stream", async (t) => {
  const root = tempDir("tsnats-sgf-");
  t.after(() => rmSync(root, { recursive: true, force: true }));

  const single = await startServer({ jetstream: { enabled: true, storeDir: `${root}/single` } });
  const nc = await connect({ servers: single.url });
  await jetstreamManager(nc).then((m) => m.streams.add({ name: "ONE", subjects: ["one"] }));
  const standalone = await publishAsync(jetstream(nc), "one");
  await nc.close();
  await single.close();

  const c = await TestCluster.start(`${root}/r3`);
  t.after(() => c.close());
  await c.place(streamConfig({ name: "THREE", subjects: ["three"] }));
  const leader = await c.elect();
  const r3 = await publishAsync(jetstream(await c.connect(c.followers()[0]!)), "three");
  for (const n of c.nodes) await waitFor(() => lastSeq(n) === N, 10000, `${n.name} to apply every message`);
  console.log(`# async publish 128 B, ${WINDOW} in flight, ${N} msgs: standalone ${Math.round(standalone)} msgs/s; R3 (3 in-process servers, client on a follower, leader ${leader.name}) ${Math.round(r3)} msgs/s`);
});
