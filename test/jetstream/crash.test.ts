/**
 * Crash safety: a tsnats child (`-js -sd DIR`) is killed with SIGKILL while a client publishes
 * asynchronously with many acks in flight, again and again on the same directory. After each restart
 * every acknowledged message must be there, under the sequence its PubAck named, in order, exactly once.
 * (A message whose ack never arrived may or may not be there; that is allowed.)
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startServerProcess } from "../helpers/server-process.js";
import { tempDir } from "./support.js";

const ROUNDS = 8;
const WINDOW = 128;

/** Every stored message of the stream, in order, through batched direct gets. */
async function readAll(nc: NatsConnection): Promise<{ seq: number; data: string }[]> {
  const jsm = await jetstreamManager(nc);
  const out: { seq: number; data: string }[] = [];
  const last = (await jsm.streams.info("CRASH")).state.last_seq;
  let next = 1;
  while (next <= last) {
    const it = await jsm.direct.getBatch("CRASH", { seq: next, batch: 1000 });
    let got = 0;
    for await (const m of it) {
      out.push({ seq: m.seq, data: m.string() });
      next = m.seq + 1;
      got++;
    }
    if (got === 0) break;
  }
  return out;
}

describe("SIGKILL during async publishing", () => {
  it(`keeps every acknowledged message over ${ROUNDS} crashes`, { timeout: 90_000 }, async (t) => {
    const dir = tempDir(t, "tsnats-crash-");
    /** seq -> payload of every message whose PubAck arrived. */
    const acked = new Map<number, string>();
    let published = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const srv = await startServerProcess({ impl: "tsnats", args: ["-js", "-sd", dir] });
      t.after(() => srv.stop("SIGKILL"));
      const nc = await connect({ servers: srv.url, reconnect: false });
      try {
        // Verify what the previous rounds acknowledged.
        if (round === 0) {
          const jsm = await jetstreamManager(nc);
          await jsm.streams.add({ name: "CRASH", subjects: ["crash.>"], allow_direct: true });
        } else {
          const stored = await readAll(nc);
          const bySeq = new Map(stored.map((m) => [m.seq, m.data]));
          for (const [seq, data] of acked) assert.equal(bySeq.get(seq), data, `round ${round}: acked seq ${seq} lost or changed`);
          for (let i = 1; i < stored.length; i++) assert.ok(stored[i]!.seq > stored[i - 1]!.seq, "out of order");
          assert.equal(new Set(stored.map((m) => m.data)).size, stored.length, "a message is stored twice");
        }
        // Publish with a window of acks in flight, and kill the server at a random moment.
        const js = jetstream(nc);
        const killAfter = 150 + Math.floor(Math.random() * 400);
        let killed = false;
        const killer = new Promise<void>((res) =>
          setTimeout(() => {
            killed = true;
            void srv.stop("SIGKILL").then(() => res());
          }, killAfter),
        );
        const inflight = new Set<Promise<void>>();
        while (!killed) {
          const data = `r${round}-${published++}`;
          const p: Promise<void> = js
            .publish(`crash.${published % 7}`, data, { timeout: 2000 })
            .then((ack) => {
              acked.set(ack.seq, data);
            })
            .catch(() => undefined)
            .finally(() => inflight.delete(p));
          inflight.add(p);
          if (inflight.size >= WINDOW) await Promise.race(inflight);
        }
        await killer;
        await Promise.allSettled(inflight);
      } finally {
        await nc.close().catch(() => undefined);
      }
    }
    assert.ok(acked.size > ROUNDS * 10, `only ${acked.size} acknowledged publishes`);
    // One last restart to check the final round.
    const srv = await startServerProcess({ impl: "tsnats", args: ["-js", "-sd", dir] });
    t.after(() => srv.stop("SIGKILL"));
    const nc = await connect({ servers: srv.url, reconnect: false });
    const stored = await readAll(nc);
    const bySeq = new Map(stored.map((m) => [m.seq, m.data]));
    for (const [seq, data] of acked) assert.equal(bySeq.get(seq), data, `acked seq ${seq} lost or changed`);
    await nc.close();
  });
});
