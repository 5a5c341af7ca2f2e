/**
 * Writing what was read from nats-server (a store directory or a snapshot) in tsnats's forms: the
 * messages into a stream store, the consumers as consumer directories with their state.
 *
 * Invariant (asserted): a filled store holds exactly the messages and sequence range nats-server's
 * block indexes counted; anything else fails the import instead of serving a partial stream.
 */
import { join } from "node:path";
import type { StreamStore } from "../../store/index.js";
import type { NatsStream } from "../../store/migrate/nats-stream.js";
import { decodeConsumerConfig } from "../consumer/config.js";
import { FileConsumerStore } from "../consumer/store.js";
import { assert } from "../../util/assert.js";
import { consumerSnapshot } from "./consumer-state.js";

/**
 * Fills `store`, which must never have held a message (see openFillStore), with the live messages of
 * `ns` at their sequences; deleted sequences stay used. Throws at the first damage nats-stream reports.
 */
export async function fillStore(store: StreamStore, ns: NatsStream): Promise<void> {
  if (ns.firstSeq > 1) store.compact(ns.firstSeq);
  for await (const m of ns.messages()) {
    // Copies: the block buffer is released once its messages are written.
    store.storeRawMsg(m.seq, m.subject, m.hdr === undefined ? undefined : Buffer.from(m.hdr), Buffer.from(m.data), m.time);
  }
  store.skipTo(ns.lastSeq);
  await store.flush();
  const st = store.state();
  assert(st.msgs === ns.msgs && st.lastSeq === ns.lastSeq && (ns.msgs === 0 || st.firstSeq === ns.firstSeq), () => `imported store holds ${st.msgs} messages in ${st.firstSeq}..${st.lastSeq}, nats-server's indexes count ${ns.msgs} in ${ns.firstSeq}..${ns.lastSeq}`);
}

/** Checks every consumer config of `ns` before anything is written (throws an ApiError). */
export function consumerConfigs(ns: NatsStream): void {
  for (const c of ns.consumers) decodeConsumerConfig(c.config);
}

/** Writes each consumer of `ns` as `<obsDir>/<name>/`, resuming where nats-server left it. */
export async function writeConsumers(obsDir: string, ns: NatsStream): Promise<void> {
  for (const c of ns.consumers) {
    const config = decodeConsumerConfig(c.config);
    await FileConsumerStore.write(join(obsDir, c.name), { name: c.name, created: c.created, config }, consumerSnapshot(c.state));
  }
}
