/**
 * Several topology machines wired through a simulated network (seeded latencies, servers started in a
 * random order, killed and restarted): whatever the schedule, the cluster must settle as a full mesh
 * with one live route per pair of servers, every server advertising every other's client URL. A
 * failing seed replays exactly.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { RouteInfo } from "../../../src/protocol/route-info.js";
import type { ClusterName } from "../../../src/server/cluster/cluster-name.js";
import { ClusterTopology } from "../../../src/server/cluster/topology.js";
import type { RouteTarget, TopologyAction, TopologyEvent } from "../../../src/server/cluster/topology-types.js";
import { Rng } from "../../fuzz/prng.js";

interface Node {
  idx: number;
  up: boolean;
  /** Bumped on restart: the server id changes, as a restarted nats-server's does. */
  epoch: number;
  topo?: ClusterTopology;
  /** connId -> the other end. */
  conns: Map<number, { peer: number; peerConn: number }>;
  peerUrls: string[];
  name: ClusterName;
}

interface Pending {
  at: number;
  seq: number;
  node: number;
  epoch: number;
  event: TopologyEvent;
  /** Dropped when this connection is gone by delivery time. */
  conn?: number;
}

const host = (i: number) => `n${i}.sim:6222`;
const idOf = (n: Node) => `S${n.idx}E${n.epoch}`;

class Sim {
  readonly nodes: Node[];
  private queue: Pending[] = [];
  private seq = 0;
  private nextConn = 1;
  now = 0;
  /** Last delivery time per connection direction, to keep each direction in order. */
  private lastAt = new Map<number, number>();

  constructor(
    readonly rng: Rng,
    n: number,
    private readonly routesOf: (i: number) => number[],
    private readonly names: (i: number) => ClusterName,
  ) {
    this.nodes = Array.from({ length: n }, (_, idx) => ({ idx, up: false, epoch: 0, conns: new Map(), peerUrls: [], name: names(idx) }));
  }

  start(i: number): void {
    const n = this.nodes[i]!;
    n.up = true;
    n.epoch++;
    n.conns.clear();
    n.peerUrls = [];
    n.name = this.names(i);
    n.topo = new ClusterTopology({
      serverId: idOf(n),
      serverName: `node${i}`,
      clusterName: n.name,
      routes: this.routesOf(i).map((j): RouteTarget => ({ hostPort: host(j) })),
      connectRetries: 3,
      advertise: true,
      connectDelayMs: 1000,
      reconnectDelayMs: 1000,
      reconnectJitterMs: 100,
      backoff: false,
      maxConnectDelayMs: 30_000,
      connectErrorReports: 3600,
      reconnectErrorReports: 1,
      random: () => this.rng.next(),
    });
    this.apply(n, n.topo.handle({ kind: "start" }, this.now));
  }

  kill(i: number): void {
    const n = this.nodes[i]!;
    n.up = false;
    for (const [, end] of n.conns) this.post(end.peer, { kind: "closed", connId: end.peerConn }, this.latency(), end.peerConn);
    n.conns.clear();
    n.topo = undefined;
  }

  private info(n: Node): RouteInfo {
    const name = n.topo!.clusterName;
    return {
      serverId: idOf(n),
      serverName: `node${n.idx}`,
      version: "2.9.10",
      proto: 2,
      go: "sim",
      host: `n${n.idx}.sim`,
      port: 6222,
      headers: true,
      maxPayload: 1048576,
      cluster: name.name,
      ...(name.dynamic && { clusterDynamic: true }),
      connectUrls: [`n${n.idx}.sim:4222`],
      lnoc: true,
    };
  }

  private post(node: number, event: TopologyEvent, delay: number, conn?: number): void {
    const n = this.nodes[node]!;
    let at = this.now + delay;
    if (conn !== undefined) {
      at = Math.max(at, this.lastAt.get(conn) ?? 0);
      this.lastAt.set(conn, at);
    }
    this.queue.push({ at, seq: this.seq++, node, epoch: n.epoch, event, ...(conn !== undefined && { conn }) });
  }

  private latency(): number {
    return this.rng.between(1, 40);
  }

  private send(from: Node, connId: number, event: (peerConn: number) => TopologyEvent): void {
    const end = from.conns.get(connId);
    if (!end) return;
    this.post(end.peer, event(end.peerConn), this.latency(), end.peerConn);
  }

  /** The far end learns of a close after what was already sent to it (TCP: data, then FIN). */
  private closeEnd(node: number, connId: number): void {
    this.post(node, { kind: "closed", connId }, this.latency(), connId);
  }

  private apply(n: Node, actions: TopologyAction[]): void {
    for (const a of actions) {
      switch (a.kind) {
        case "dial": {
          const target = Number(/^n(\d+)\./.exec(a.target.hostPort)![1]);
          if (target === n.idx) {
            this.post(n.idx, { kind: "dialSelf", dialId: a.dialId }, 0);
            break;
          }
          const peer = this.nodes[target]!;
          const delay = this.latency();
          if (!peer.up) {
            this.post(n.idx, { kind: "dialFailed", dialId: a.dialId, error: "connection refused" }, delay);
            break;
          }
          // Both ends exist from now; each side learns of its end after the connect latency.
          const mine = this.nextConn++;
          const theirs = this.nextConn++;
          n.conns.set(mine, { peer: target, peerConn: theirs });
          peer.conns.set(theirs, { peer: n.idx, peerConn: mine });
          this.post(n.idx, { kind: "dialed", dialId: a.dialId, connId: mine }, delay, mine);
          this.post(target, { kind: "accepted", connId: theirs }, delay, theirs);
          // The dialler sends CONNECT then INFO; the acceptor its INFO on accept.
          const dialler = this.info(n);
          this.post(target, { kind: "connect", connId: theirs, connect: connectOf(dialler) }, delay, theirs);
          this.post(target, { kind: "info", connId: theirs, info: dialler, remoteIp: `n${n.idx}.ip` }, delay, theirs);
          this.post(n.idx, { kind: "info", connId: mine, info: this.info(peer), remoteIp: `n${target}.ip` }, delay, mine);
          break;
        }
        case "close": {
          const end = n.conns.get(a.connId);
          if (!end) break;
          n.conns.delete(a.connId);
          this.post(n.idx, { kind: "closed", connId: a.connId }, 0);
          this.closeEnd(end.peer, end.peerConn);
          break;
        }
        case "forwardInfo":
          for (const c of a.connIds) this.send(n, c, (peerConn) => ({ kind: "info", connId: peerConn, info: a.info, remoteIp: `n${n.idx}.ip` }));
          break;
        case "peerUrls":
          n.peerUrls = a.urls;
          break;
        case "sendErr":
        case "registered":
        case "clusterName":
        case "log":
          break;
      }
    }
  }

  /** Runs events (and due ticks) until `until`. */
  run(until: number): void {
    for (;;) {
      let wake: { at: number; node: number } | undefined;
      for (const n of this.nodes) {
        const at = n.topo?.nextWakeAt();
        if (at !== undefined && (wake === undefined || at < wake.at)) wake = { at, node: n.idx };
      }
      this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.queue[0];
      if (wake && (!next || wake.at < next.at)) {
        if (wake.at > until) break;
        this.now = Math.max(this.now, wake.at);
        const n = this.nodes[wake.node]!;
        this.apply(n, n.topo!.handle({ kind: "tick" }, this.now));
        continue;
      }
      if (!next || next.at > until) break;
      this.queue.shift();
      this.now = Math.max(this.now, next.at);
      const n = this.nodes[next.node]!;
      if (!n.up || n.epoch !== next.epoch || !n.topo) continue;
      // Input on a connection this end closed is never read; a far close ends it here.
      const ev = next.event;
      if ("connId" in ev && next.conn !== undefined && !n.conns.has(ev.connId)) continue;
      if (ev.kind === "closed" && next.conn !== undefined) n.conns.delete(ev.connId);
      this.apply(n, n.topo.handle(ev, this.now));
    }
    this.now = Math.max(this.now, until);
  }

  /** The cluster is a full mesh of the servers that are up, one connection per pair, URLs known. */
  assertMesh(seed: number): void {
    const up = this.nodes.filter((n) => n.up);
    for (const n of up) {
      const want = up.filter((m) => m !== n).map(idOf).sort();
      assert.deepEqual(n.topo!.connectedServers().sort(), want, `seed ${seed}: node ${n.idx} routes`);
      assert.equal(n.conns.size, up.length - 1, `seed ${seed}: node ${n.idx} keeps ${n.conns.size} connections`);
      const urls = up.filter((m) => m !== n).map((m) => `n${m.idx}.sim:4222`).sort();
      assert.deepEqual([...n.peerUrls].sort(), urls, `seed ${seed}: node ${n.idx} peer URLs`);
    }
    const names = new Set(up.map((n) => n.topo!.clusterName.name));
    assert.equal(names.size, 1, `seed ${seed}: cluster names ${[...names].join(", ")}`);
  }
}

function connectOf(i: RouteInfo) {
  return { echo: false, verbose: false, pedantic: false, tlsRequired: false, headers: true, name: i.serverId, cluster: i.cluster ?? "", ...(i.clusterDynamic && { clusterDynamic: true }) };
}

const SEEDS = 150;

test("every server lists every other: a full mesh, whatever the start order and latencies", () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const rng = new Rng(seed);
    const n = rng.between(2, 5);
    const sim = new Sim(rng, n, (i) => Array.from({ length: n }, (_, j) => j).filter((j) => j !== i || rng.chance(0.3)), () => ({ name: "C", dynamic: false }));
    for (const i of Array.from({ length: n }, (_, k) => k).sort(() => rng.next() - 0.5)) {
      sim.start(i);
      sim.run(sim.now + rng.between(0, 1500));
    }
    sim.run(sim.now + 20_000);
    sim.assertMesh(seed);
  }
});

test("gossip: servers that know only the seed find each other", () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const rng = new Rng(1000 + seed);
    const n = rng.between(3, 6);
    // Node 0 is the seed and knows nobody; the others know only node 0.
    const sim = new Sim(rng, n, (i) => (i === 0 ? [] : [0]), () => ({ name: "C", dynamic: false }));
    for (let i = 0; i < n; i++) {
      sim.start(i);
      sim.run(sim.now + rng.between(0, 300));
    }
    sim.run(sim.now + 20_000);
    sim.assertMesh(seed);
  }
});

test("servers that leave are dropped, and come back into the mesh when restarted", () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const rng = new Rng(2000 + seed);
    const n = rng.between(3, 5);
    const sim = new Sim(rng, n, (i) => Array.from({ length: n }, (_, j) => j).filter((j) => j !== i), () => ({ name: "C", dynamic: false }));
    for (let i = 0; i < n; i++) sim.start(i);
    sim.run(10_000);
    sim.assertMesh(seed);
    const victim = rng.int(n);
    sim.kill(victim);
    sim.run(sim.now + 5_000);
    sim.assertMesh(seed);
    sim.start(victim);
    sim.run(sim.now + 20_000);
    sim.assertMesh(seed);
  }
});

test("servers without a cluster name settle on one (the highest dynamic name)", () => {
  for (let seed = 1; seed <= SEEDS; seed++) {
    const rng = new Rng(3000 + seed);
    const n = rng.between(2, 4);
    const sim = new Sim(rng, n, (i) => Array.from({ length: n }, (_, j) => j).filter((j) => j !== i), (i) => ({ name: `dyn${i}-${rng.int(1000)}`, dynamic: true }));
    for (let i = 0; i < n; i++) sim.start(i);
    sim.run(60_000);
    sim.assertMesh(seed);
  }
});
