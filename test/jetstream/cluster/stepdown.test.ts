/**
 * STREAM.LEADER.STEPDOWN and META.LEADER.STEPDOWN hand the leadership to a peer that can lead now
 * (online, heard from, holding every committed entry), take nats-server 2.11's placement body, and
 * answer its 10005 errors when no peer suits.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { jsError } from "../../../src/jetstream/errors.js";
import { chooseSuccessor, type GroupView } from "../../../src/jetstream/cluster/stepdown.js";
import type { PeerFacts } from "../../../src/jetstream/cluster/placement.js";
import { jetStreamOf } from "../../../src/jetstream/jetstream.js";
import type { RunningServer } from "../../../src/index.js";
import { answers, api, jsCluster, metaLeader, metaOf, waitUntil, type JsCluster } from "./meta-support.js";

const facts = (id: string, o: Partial<PeerFacts> = {}): PeerFacts => ({ id, name: `n-${id}`, cluster: "c1", tags: [], offline: false, ...o });

test("chooseSuccessor: only a reachable, caught-up voter; preferred, cluster and tags; nats-server's 10005 texts", () => {
  const peers = new Map([
    ["a", facts("a")],
    ["b", facts("b", { tags: ["az:1"] })],
    ["c", facts("c", { cluster: "c2", tags: ["az:2"] })],
    ["d", facts("d", { offline: true })],
  ]);
  const peer = (id: string) => peers.get(id);
  const g = (progress: GroupView["progress"]): GroupView => ({ self: "a", selfName: "n-a", voters: ["a", "b", "c", "d"], commitIndex: 10, progress });
  const healthy = g([
    { id: "b", matched: 10, heardAgoMs: 50 },
    { id: "c", matched: 12, heardAgoMs: 50 },
    { id: "d", matched: 12, heardAgoMs: 50 },
  ]);
  assert.equal(chooseSuccessor(healthy, peer, undefined), "c", "the most caught-up online voter");
  assert.equal(chooseSuccessor(healthy, peer, { tags: ["AZ:1"] }), "b");
  assert.equal(chooseSuccessor(healthy, peer, { cluster: "c1" }), "b");
  assert.equal(chooseSuccessor(healthy, peer, { preferred: "n-b" }), "b");
  assert.deepEqual(chooseSuccessor(healthy, peer, { tags: ["az:9"] }), jsError("JSClusterNoPeersErrF", { err: "no replacement peer connected" }));
  assert.deepEqual(chooseSuccessor(healthy, peer, { preferred: "n-a" }), jsError("JSClusterNoPeersErrF", { err: 'preferred server "n-a" is already leader' }));
  assert.deepEqual(chooseSuccessor(healthy, peer, { preferred: "zz" }), jsError("JSClusterNoPeersErrF", { err: 'preferred server "zz" not known' }));
  // Unheard for long, or behind the commit: not a successor; a preferred one that cannot lead gives way.
  const stale = g([
    { id: "b", matched: 10, heardAgoMs: 5000 },
    { id: "c", matched: 9, heardAgoMs: 50 },
    { id: "d", matched: 12, heardAgoMs: 50 },
  ]);
  assert.deepEqual(chooseSuccessor(stale, peer, undefined), jsError("JSClusterNoPeersErrF", { err: "no replacement peer connected" }));
  const one = g([
    { id: "b", matched: 10, heardAgoMs: 5000 },
    { id: "c", matched: 10, heardAgoMs: 50 },
  ]);
  assert.equal(chooseSuccessor(one, peer, { preferred: "n-b" }), "c");
});

function streamLeader(c: JsCluster, stream: string): RunningServer | undefined {
  return c.cluster.servers.find((s) => jetStreamOf(s.server)?.meta?.applier.replica("$G", stream)?.isLeader === true);
}

test("STREAM.LEADER.STEPDOWN: the preferred server leads; bodies checked; a closed follower is never chosen", async (t) => {
  const c = await jsCluster(t);
  const created = await api(c.ncs[0]!, "STREAM.CREATE.R3", { name: "R3", subjects: ["r3"], num_replicas: 3 });
  assert.equal(created.error, undefined);
  await waitUntil(() => streamLeader(c, "R3") !== undefined, 5000, "a stream leader");
  let leader = streamLeader(c, "R3")!;

  const self = await answers(c.ncs[0]!, "STREAM.LEADER.STEPDOWN.R3", { placement: { preferred: leader.server.name } });
  assert.deepEqual(self.map((a) => a.error), [{ code: 400, err_code: 10005, description: `preferred server "${leader.server.name}" is already leader` }]);
  const bad = JSON.parse((await c.ncs[0]!.request("$JS.API.STREAM.LEADER.STEPDOWN.R3", "{", { timeout: 5000 })).string()) as Record<string, unknown>;
  assert.equal((bad.error as { err_code: number }).err_code, 10025);
  // Any other body is ignored, as nats-server does.
  const text = JSON.parse((await c.ncs[0]!.request("$JS.API.STREAM.LEADER.STEPDOWN.R3", "please", { timeout: 5000 })).string()) as Record<string, unknown>;
  assert.equal(text.success, true);
  await waitUntil(() => streamLeader(c, "R3") !== undefined && streamLeader(c, "R3") !== leader, 5000, "a new stream leader");
  const noTags = await api(c.ncs[0]!, "STREAM.LEADER.STEPDOWN.R3", { placement: { tags: ["nowhere"] } });
  assert.deepEqual(noTags.error, { code: 400, err_code: 10005, description: "no replacement peer connected" });

  leader = streamLeader(c, "R3")!;
  const target = c.cluster.servers.find((s) => s !== leader)!;
  const sd = await api(c.ncs[1]!, "STREAM.LEADER.STEPDOWN.R3", { placement: { preferred: target.server.name } });
  assert.equal(sd.success, true);
  await waitUntil(() => streamLeader(c, "R3") === target, 5000, `${target.server.name} to lead R3`);

  // RAFT's own pick among equally caught-up followers is the first other voter: close that one.
  const group = metaOf(target).applier.replica("$G", "R3")!.group;
  const firstOther = group.voters.find((v) => v !== group.id)!;
  const dead = c.cluster.servers.find((s) => metaOf(s).selfId === firstOther)!;
  const live = c.cluster.servers.find((s) => s !== dead && s !== target)!;
  await c.ncs[c.cluster.servers.indexOf(dead)]!.close();
  await dead.close();
  // Unreachable: not heard from for longer than a successor may be.
  await new Promise((r) => setTimeout(r, 700));
  const after = await api(c.ncs[c.cluster.servers.indexOf(target)]!, "STREAM.LEADER.STEPDOWN.R3");
  assert.equal(after.success, true);
  await waitUntil(() => streamLeader(c, "R3") === live, 5000, `the live follower ${live.server.name} to lead R3`);
});

test("META.LEADER.STEPDOWN with a preferred server: that server leads the meta group", async (t) => {
  const c = await jsCluster(t);
  const leader = metaLeader(c)!;
  const target = c.cluster.servers.find((s) => s !== leader)!;
  const sd = await api(c.ncs[0]!, "META.LEADER.STEPDOWN", { placement: { preferred: target.server.name } });
  assert.equal(sd.success, true);
  await waitUntil(() => jetStreamOf(target.server)!.meta!.isLeader, 5000, `${target.server.name} to lead the meta group`);
  const none = await api(c.ncs[0]!, "META.LEADER.STEPDOWN", { placement: { cluster: "elsewhere" } });
  assert.deepEqual(none.error, { code: 400, err_code: 10005, description: "no replacement peer connected" });
});
