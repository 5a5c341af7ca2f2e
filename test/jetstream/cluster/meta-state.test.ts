/** The meta group's pure parts: the assignments state machine and placement. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MetaState } from "../../../src/jetstream/cluster/meta-state.js";
import type { StreamAssignment } from "../../../src/jetstream/cluster/meta-entries.js";
import { placePeers, type PeerFacts } from "../../../src/jetstream/cluster/placement.js";
import { isApiError } from "../../../src/jetstream/errors.js";

function sa(name: string, created: number, peers = ["A"]): StreamAssignment {
  return { account: "$G", config: { name, subjects: [name] }, created, placement: { group: `S-${name}`, peers, cluster: "C" } };
}

test("meta state: assignments, removals by creation time, consumers follow their stream, snapshot round trip", () => {
  const s = new MetaState();
  assert.deepEqual(s.apply({ op: "stream", sa: sa("X", 1) }), [{ kind: "stream", account: "$G", name: "X" }]);
  s.apply({ op: "consumer", ca: { account: "$G", stream: "X", name: "c", config: {}, created: 2 } });
  assert.deepEqual(s.apply({ op: "consumer", ca: { account: "$G", stream: "NOPE", name: "c", config: {}, created: 2 } }), [], "no consumer of a missing stream");
  assert.equal(s.consumersOf("$G", "X").size, 1);
  // A removal proposed against an older stream of the same name does nothing.
  s.apply({ op: "removeStream", account: "$G", name: "X", created: 1 });
  s.apply({ op: "stream", sa: sa("X", 5) });
  assert.equal(s.consumersOf("$G", "X").size, 0, "a new stream of a reused name starts without consumers");
  assert.deepEqual(s.apply({ op: "removeStream", account: "$G", name: "X", created: 1 }), []);
  assert.equal(s.stream("$G", "X")?.created, 5);
  s.apply({ op: "stream", sa: sa("Y", 6, ["A", "B", "C"]) });
  s.apply({ op: "consumer", ca: { account: "$G", stream: "Y", name: "d", config: { x: 1 }, created: 7 } });
  s.apply({ op: "removePeer", peer: "Z" });
  assert.deepEqual([...s.assetsByPeer()].sort(), [["A", 2], ["B", 1], ["C", 1]]);
  const copy = new MetaState();
  copy.restore(s.snapshot());
  assert.deepEqual(copy.accountStreams("$G"), s.accountStreams("$G"));
  assert.deepEqual([...copy.consumersOf("$G", "Y").keys()], ["d"]);
  assert.ok(copy.removedPeers.has("Z"));
  assert.deepEqual(s.apply({ op: "removeConsumer", account: "$G", stream: "Y", name: "d" }), [{ kind: "consumer", account: "$G", stream: "Y", name: "d" }]);
  assert.deepEqual(s.apply({ op: "removeConsumer", account: "$G", stream: "Y", name: "d" }), [], "a second removal changes nothing");
});

const PEERS: PeerFacts[] = [
  { id: "a", name: "na", cluster: "C", tags: ["az:1", "ssd"], offline: false },
  { id: "b", name: "nb", cluster: "C", tags: ["az:1"], offline: false },
  { id: "c", name: "nc", cluster: "C", tags: ["az:2", "ssd"], offline: false },
  { id: "d", name: "nd", cluster: "C", tags: ["az:3"], offline: true },
  { id: "e", name: "ne", cluster: "D", tags: [], offline: false },
];

test("placement: cluster, tags, unique_tag, offline peers, fewest assets first, the preferred peer first", () => {
  const none = new Map<string, number>();
  assert.deepEqual(placePeers(PEERS, { replicas: 3, defaultCluster: "C", assets: none }), ["a", "b", "c"]);
  const r4 = placePeers(PEERS, { replicas: 4, defaultCluster: "C", assets: none });
  assert.ok(isApiError(r4) && r4.errCode === 10005 && r4.description === "no suitable peers for placement", "the offline peer is not used");
  assert.deepEqual(placePeers(PEERS, { replicas: 2, tags: ["SSD"], defaultCluster: "C", assets: none }), ["a", "c"]);
  const unique = placePeers(PEERS, { replicas: 3, defaultCluster: "C", uniqueTag: "az:", assets: none });
  assert.ok(isApiError(unique), "two live availability zones cannot hold three replicas");
  assert.deepEqual(placePeers(PEERS, { replicas: 2, defaultCluster: "C", uniqueTag: "az:", assets: none }), ["a", "c"]);
  assert.deepEqual(placePeers(PEERS, { replicas: 1, defaultCluster: "C", assets: new Map([["a", 3], ["b", 1], ["c", 2]]) }), ["b"]);
  assert.deepEqual(placePeers(PEERS, { replicas: 2, preferred: "nc", defaultCluster: "C", assets: none }), ["c", "a"]);
  assert.deepEqual(placePeers(PEERS, { replicas: 1, cluster: "D", defaultCluster: "C", assets: none }), ["e"]);
  const tags = placePeers(PEERS, { replicas: 1, tags: ["gpu"], defaultCluster: "C", assets: none });
  assert.ok(isApiError(tags) && tags.description === "no suitable peers for placement, tags not matched ['gpu']");
  assert.deepEqual(placePeers(PEERS, { replicas: 2, defaultCluster: "C", assets: none, exclude: new Set(["a"]) }), ["b", "c"]);
});
