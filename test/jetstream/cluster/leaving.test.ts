/**
 * A clean shutdown tells the cluster at once: the peers count the server offline on its `gone`
 * announcement (not OFFLINE_MS later), and the leaderships it held move before it goes (not an
 * election timeout later), as nats-server's shutdown event and stepdownRaftNodes do.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { RunningServer } from "../../../src/index.js";
import { jetStreamOf } from "../../../src/jetstream/jetstream.js";
import { raftNodeId } from "../../../src/raft/node-id.js";
import { api, jsCluster, metaOf, waitUntil } from "./meta-support.js";

test("a server shutting down hands over its stream and meta leaderships and is offline to its peers at once", async (t) => {
  const c = await jsCluster(t);
  assert.equal((await api(c.ncs[0]!, "STREAM.CREATE.BYE", { name: "BYE", subjects: ["bye"], num_replicas: 3 })).error, undefined);
  const leads = (s: RunningServer) => jetStreamOf(s.server)?.meta?.applier.replica("$G", "BYE")?.isLeader === true;
  await waitUntil(() => c.cluster.servers.some(leads), 5000, "a stream leader");
  const leaving = c.cluster.servers.find(leads)!;
  // The meta leadership is made to sit on the same server, so both hand-overs are seen.
  if (!metaOf(leaving).isLeader) {
    const ml = c.cluster.servers.find((s) => metaOf(s).isLeader)!;
    metaOf(ml).stepDown(raftNodeId(leaving.server.name));
    await waitUntil(() => metaOf(leaving).isLeader, 5000, "the meta leadership to move");
  }
  const rest = c.cluster.servers.filter((s) => s !== leaving);
  await leaving.close();
  const closedAt = Date.now();
  // RAFT elections take 600 to 900 ms (and peers count one offline 3 s after its last word): well within that.
  await waitUntil(() => rest.some(leads) && rest.some((s) => metaOf(s).isLeader), 300, "new stream and meta leaders");
  // The `gone` announcement may be handled a moment after the hand-overs; still far below OFFLINE_MS (3 s).
  const gone = raftNodeId(leaving.server.name);
  await waitUntil(() => rest.every((s) => metaOf(s).peers.get(gone)?.offline === true), 1000 - (Date.now() - closedAt), "every peer to count it offline");
  assert.equal((await api(c.ncs.find((_nc, i) => c.cluster.servers[i] !== leaving)!, "STREAM.INFO.BYE")).error, undefined, "the stream answers");
});
