/**
 * The replay edge case, by hand on two replicas (sim-replica.ts, the real Stream and catch-up code):
 * a replica snapshots, then applies a publish with Nats-Expected-Last-Subject-Sequence and a delete of
 * the sequence that check named; its file store flushes both; it crashes. Cut back to the snapshot,
 * the store still lacks the deleted message (removals up to the cut stay removed), so replaying the
 * publish would now fail its check. The replica must notice (the snapshot's message count) and adopt a
 * peer's state instead of replaying.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { encodeMsg, encodeOp, EntryType } from "../../../../src/jetstream/cluster/stream-entries.js";
import { decodeStreamConfig, normalizeStreamConfig } from "../../../../src/jetstream/stream/config.js";
import { buildHeaders, JS_EXPECTED_LAST_SUBJ_SEQ } from "../../../../src/jetstream/headers.js";
import type { Entry } from "../../../../src/raft/types.js";
import { MemoryStore } from "../../../../src/store/index.js";
import { copyStore, SimReplica } from "./sim-replica.js";

const cfg = normalizeStreamConfig(decodeStreamConfig({ name: "EDGE", subjects: ["s.*"], storage: "file", num_replicas: 3, duplicate_window: 60e9 }));
const T0 = Date.UTC(2040, 0, 1) * 1e6;
let index = 0;
const msg = (subject: string, data: string, hdr?: [string, string][]): Entry => ({
  index: ++index,
  term: 1,
  kind: "normal",
  data: encodeMsg("n0", subject, undefined, hdr && Buffer.from(buildHeaders(hdr), "latin1"), Buffer.from(data), T0 + index * 1e6),
});
const del = (seq: number): Entry => ({ index: ++index, term: 1, kind: "normal", data: encodeOp(EntryType.Delete, "n0", { seq, erase: false }) });

function replica(id: string, store: MemoryStore, at: number, laterRemovals: () => void = () => undefined): SimReplica {
  return new SimReplica(id, cfg, store, () => undefined, at, () => undefined, laterRemovals);
}

describe("stream replay edge case", () => {
  it("a store cut back to its snapshot that holds a later removal adopts a peer's state instead of replaying onto it", async () => {
    index = 0;
    const leader = replica("n0", new MemoryStore(), 0);
    const follower = replica("n1", new MemoryStore(), 0);
    const before = [msg("s.a", "a1"), msg("s.b", "b1")];
    for (const r of [leader, follower]) r.apply(before);
    const snapshot = JSON.parse(follower.snapshotData().toString());
    const after = [msg("s.a", "a2", [[JS_EXPECTED_LAST_SUBJ_SEQ, "1"]]), del(1)];
    for (const r of [leader, follower]) r.apply(after);
    assert.match(leader.digest(), / 3=s\.a\/a2$/, "the checked publish is stored at 3 on the replicas that applied it once");
    const image = copyStore(follower.store); // flushed: holds the removal of 1 and message 3

    // The old path, still the fallback when no peer answers: replaying onto the cut store decides differently.
    const replaying = replica("n1", copyStore(image), 2);
    replaying.bring(snapshot, false, 2, () => 0);
    await replaying.pending;
    replaying.giveUp();
    replaying.apply(after);
    assert.doesNotMatch(replaying.digest(), / 3=/, "replayed onto the cut store, the publish fails its check");

    let noticed = 0;
    const restarted = replica("n1", copyStore(image), 2, () => noticed++);
    restarted.bring(snapshot, false, 2, () => 0);
    await restarted.pending;
    assert.equal(noticed, 1, "the cut store's message count differs from the snapshot's");
    assert.ok(restarted.fetching !== undefined && restarted.busy, "it waits for a peer's state");
    restarted.apply(after); // committed entries arrive meanwhile
    restarted.fetchFrom(leader);
    await restarted.pending;
    assert.equal(restarted.busy, false);
    assert.equal(restarted.digest(), leader.digest());
    const next = msg("s.a", "a3", [[JS_EXPECTED_LAST_SUBJ_SEQ, "3"]]);
    for (const r of [leader, restarted]) r.apply([next]);
    assert.equal(restarted.digest(), leader.digest(), "and decides the next check as the leader does");
    assert.match(restarted.digest(), / 4=s\.a\/a3$/);
  });
});
