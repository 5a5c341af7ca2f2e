/**
 * A RAFT group of 3 over real routes: one member per in-process server (startCluster), its messages on
 * $NRG.* in the system account. Election, commit on a majority, a member restarted on its own files
 * catching up, failover when the leader's server closes, and no committed entry lost.
 * Prints noisy figures: commit latency (sequential proposals) and proposals per second (concurrent).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { startCluster, startServer, type RunningServer } from "../../../src/index.js";
import { NrgTransport } from "../../../src/jetstream/cluster/nrg-transport.js";
import { raftNodeId } from "../../../src/raft/node-id.js";
import { RaftGroup } from "../../../src/raft/raft-group.js";
import { tempDir } from "../../store/helpers.js";
import { ListMachine, waitFor } from "../../raft/group-kit.js";

interface Member {
  server: RunningServer;
  group: RaftGroup;
  sm: ListMachine;
}

async function join3(server: RunningServer, root: string, voters: string[]): Promise<Member> {
  const sm = new ListMachine();
  const group = await RaftGroup.open({
    group: "T",
    id: raftNodeId(server.server.name),
    voters,
    dir: join(root, server.server.name),
    transport: new NrgTransport(server.server),
    stateMachine: sm,
    onError: (err) => {
      throw err;
    },
  });
  return { server, group, sm };
}

function leaderOf(members: Member[]): Member | undefined {
  return members.find((m) => m.group.role === "leader");
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

test("a RAFT group of 3 servers over routes: commit, restart and catch-up, failover, nothing committed lost", async (t) => {
  const root = tempDir("tsnats-nrg-");
  const cluster = await startCluster(3);
  const live: Member[] = [];
  t.after(async () => {
    await Promise.all(live.map((m) => m.group.close()));
    await Promise.all([cluster.close(), ...live.map((m) => m.server.close())]);
    rmSync(root, { recursive: true, force: true });
  });
  const voters = cluster.servers.map((s) => raftNodeId(s.server.name));
  for (const s of cluster.servers) live.push(await join3(s, root, voters));
  await waitFor(() => leaderOf(live) !== undefined, 5000, "a leader");
  let leader = leaderOf(live)!;

  /** Every proposal that resolved, in commit order. */
  const committed: string[] = [];
  const propose = async (m: Member, data: string): Promise<void> => {
    await m.group.propose(Buffer.from(data));
    committed.push(data);
  };

  const latencies: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    await propose(leader, `s${i}`);
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  const n = 2000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => propose(leader, `c${i}`)));
  const rate = n / ((performance.now() - t0) / 1000);
  console.log(`# commit latency p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms; ${Math.round(rate)} proposals/s (${n} concurrent, 16 B)`);
  for (const m of live) await waitFor(() => m.sm.items.length === committed.length, 5000, `${m.group.id} to apply every entry`);

  // A follower's server closes; the other two still commit; it comes back on its own files and catches up.
  const follower = live.find((m) => m !== leader)!;
  const name = follower.server.server.name;
  await follower.group.close();
  await follower.server.close();
  live.splice(live.indexOf(follower), 1);
  for (let i = 0; i < 50; i++) await propose(leader, `m${i}`);
  const restarted = await startServer({ serverName: name, cluster: { name: "tsnats", port: -1, routes: [`nats://127.0.0.1:${leader.server.server.routes!.port}`] } });
  await waitFor(() => (restarted.server.routes?.remoteCount() ?? 0) === 2, 5000, "the restarted server's routes");
  const back = await join3(restarted, root, voters);
  live.push(back);
  await waitFor(() => back.sm.items.length === committed.length, 5000, "the restarted member to catch up");
  assert.ok(!back.group.repairing, "a clean restart is not damage");

  // The leader's server closes: another leader within a couple of seconds, and it has every entry.
  const old = leader;
  await old.group.close();
  const closedAt = performance.now();
  await old.server.close();
  live.splice(live.indexOf(old), 1);
  await waitFor(() => leaderOf(live) !== undefined, 4000, "a new leader");
  const failoverMs = performance.now() - closedAt;
  console.log(`# failover after the leader's close: ${failoverMs.toFixed(0)} ms (election timeout 1-2 s)`);
  assert.ok(failoverMs < 3000, `a new leader within 3 s, not ${failoverMs} ms`);
  leader = leaderOf(live)!;
  for (let i = 0; i < 20; i++) await propose(leader, `f${i}`);
  for (const m of live) await waitFor(() => m.sm.items.length === committed.length, 5000, `${m.group.id} to apply every entry`);
  for (const m of live) assert.deepEqual(m.sm.items, committed, "every committed entry, in commit order, on every live member");
});
