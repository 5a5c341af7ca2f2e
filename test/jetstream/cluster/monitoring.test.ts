/**
 * Monitoring of clustered JetStream on 3 in-process servers: /jsz's meta_cluster (one leader seen by
 * all, the others as replicas), leader-only filtering, per-stream cluster info, /healthz checking the
 * meta layer, and /raftz's view of the meta and stream groups in nats-server 2.11's shape.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { api, jsCluster, metaLeader } from "./meta-support.js";

async function get(port: number | undefined, path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: r.status, body: await r.text() };
}

test("/jsz meta_cluster, /healthz and /raftz on every server of a 3-node cluster", async (t) => {
  const c = await jsCluster(t, 3, { httpPort: -1 });
  await api(c.ncs[0]!, "STREAM.CREATE.M", { name: "M", subjects: ["m"] });
  await api(c.ncs[0]!, "STREAM.CREATE.R", { name: "R", subjects: ["r"], num_replicas: 3 });
  const leader = metaLeader(c)!.server.name;
  const states: string[] = [];
  for (const s of c.cluster.servers) {
    const jsz = JSON.parse((await get(s.monitorPort, "/jsz?streams=true")).body) as Record<string, any>;
    const mc = jsz.meta_cluster;
    assert.equal(mc.name, "tsnats");
    assert.equal(mc.leader, leader, `${s.server.name} sees the meta leader`);
    assert.equal(mc.cluster_size, 3);
    assert.equal(typeof mc.peer, "string");
    assert.equal(mc.replicas.length, 2, "the other two servers as replicas");
    assert.ok(mc.replicas.every((r: any) => r.current === true && typeof r.peer === "string"));
    assert.equal(jsz.ha_assets, 2, "the meta group and the R3 stream's group");
    const details = jsz.account_details[0].stream_detail as Record<string, any>[];
    const r = details.find((d) => d.name === "R");
    assert.ok(r !== undefined, "every server holds a replica of R");
    assert.equal(typeof r.cluster.leader, "string");

    const only = await get(s.monitorPort, "/jsz?leader-only=true");
    assert.equal(only.status, s.server.name === leader ? 200 : 400);

    const health = await get(s.monitorPort, "/healthz");
    assert.deepEqual([health.status, JSON.parse(health.body)], [200, { status: "ok" }]);

    const raftz = JSON.parse((await get(s.monitorPort, "/raftz")).body) as Record<string, any>;
    const g = raftz.$SYS._meta_;
    assert.equal(g.size, 3);
    assert.equal(g.quorum_needed, 2);
    assert.equal(g.state, s.server.name === leader ? "LEADER" : "FOLLOWER");
    assert.ok(g.applied > 0 && g.committed >= g.applied);
    assert.equal(Object.keys(g.peers).length, 2);
    assert.deepEqual(Object.keys(raftz.$SYS), ["_meta_"], "stream groups are filed under their account");
    const streams = JSON.parse((await get(s.monitorPort, "/raftz?acc=$G")).body) as Record<string, any>;
    const names = Object.keys(streams.$G);
    assert.equal(names.length, 1, "R's group (M has one replica, no group)");
    const rg = streams.$G[names[0]!];
    assert.equal(rg.size, 3);
    assert.equal(rg.traffic_account, "$SYS");
    assert.equal(Object.keys(rg.peers).length, 2);
    states.push(rg.state);
    const one = JSON.parse((await get(s.monitorPort, `/raftz?acc=$G&group=${names[0]}`)).body) as Record<string, any>;
    assert.deepEqual(Object.keys(one.$G), names);
    const none = await get(s.monitorPort, "/raftz?group=nope");
    assert.deepEqual([none.status, none.body], [404, "No Raft nodes returned, check supplied filters"]);
  }
  assert.deepEqual(states.sort(), ["FOLLOWER", "FOLLOWER", "LEADER"], "one leader of R's group");
});
