/**
 * For stream group tests: 3 in-process JetStream servers over real routes, each opening its replica of
 * a placed stream directly with StreamGroup.open (the meta group is not involved), and servers that
 * restart on their own files.
 */
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startCluster, startServer, type RunningServer } from "../../../src/index.js";
import { StreamGroup, type StreamGroupTuning } from "../../../src/jetstream/cluster/stream-group.js";
import type { StreamPlacement } from "../../../src/jetstream/cluster/stream-replica.js";
import { jetStreamOf } from "../../../src/jetstream/jetstream.js";
import { decodeStreamConfig, normalizeStreamConfig, type StreamConfig } from "../../../src/jetstream/stream/config.js";
import { raftNodeId } from "../../../src/raft/node-id.js";
import type { StoredMsg } from "../../../src/store/index.js";
import { nowNanos } from "../../../src/util/nanos.js";
import { waitFor } from "../../raft/group-kit.js";

export { waitFor };

export const TUNING: StreamGroupTuning = { timing: { heartbeatMs: 50, electionMinMs: 500, electionMaxMs: 1000 } };

export function streamConfig(raw: Record<string, unknown>): StreamConfig {
  return normalizeStreamConfig(decodeStreamConfig({ storage: "file", num_replicas: 3, ...raw }));
}

export interface Node {
  server: RunningServer;
  name: string;
  storeDir: string;
  replica: StreamGroup | undefined;
  conns: NatsConnection[];
  running: boolean;
}

export class TestCluster {
  readonly nodes: Node[] = [];
  placement!: StreamPlacement;
  cfg!: StreamConfig;
  created = nowNanos();

  constructor(readonly root: string) {}

  static async start(root: string): Promise<TestCluster> {
    const c = new TestCluster(root);
    const cluster = await startCluster(3, { jetstream: { enabled: true, storeDir: root } });
    cluster.servers.forEach((s, i) => c.nodes.push({ server: s, name: s.server.name, storeDir: join(root, `s${i + 1}`), replica: undefined, conns: [], running: true }));
    return c;
  }

  /** Opens the stream's replica on every node. */
  async place(cfg: StreamConfig, tuning: StreamGroupTuning = TUNING, group = "S-test0001"): Promise<void> {
    this.cfg = cfg;
    this.placement = { group, peers: this.nodes.map((n) => raftNodeId(n.name)), cluster: "tsnats" };
    for (const n of this.nodes) await this.open(n, tuning);
  }

  async open(n: Node, tuning: StreamGroupTuning = TUNING): Promise<StreamGroup> {
    const jsa = jetStreamOf(n.server.server)!.accountOf(n.server.server.globalAccount)!;
    n.replica = await StreamGroup.open(jsa, this.cfg, this.created, this.placement, tuning);
    return n.replica;
  }

  live(): Node[] {
    return this.nodes.filter((n) => n.replica !== undefined);
  }

  leader(): Node | undefined {
    return this.live().find((n) => n.replica!.isLeader);
  }

  async elect(ms = 5000): Promise<Node> {
    await waitFor(() => this.leader() !== undefined, ms, "a stream leader");
    return this.leader()!;
  }

  followers(): Node[] {
    return this.live().filter((n) => !n.replica!.isLeader);
  }

  async connect(n: Node): Promise<NatsConnection> {
    const nc = await connect({ servers: n.server.url, reconnect: false });
    n.conns.push(nc);
    return nc;
  }

  /** Stops the node's replica and server (as a clean shutdown: files kept). */
  async stopNode(n: Node): Promise<void> {
    for (const nc of n.conns.splice(0)) await nc.close().catch(() => undefined);
    await n.replica?.stop();
    n.replica = undefined;
    n.running = false;
    await n.server.close();
  }

  /** Starts the node's server again on its files, routed to the running nodes; the replica is opened by the caller. */
  async restartServer(n: Node): Promise<void> {
    const up = this.nodes.filter((x) => x !== n && x.running);
    n.server = await startServer({
      serverName: n.name,
      jetstream: { enabled: true, storeDir: n.storeDir },
      cluster: { name: "tsnats", port: -1, routes: up.map((x) => `nats://127.0.0.1:${x.server.server.routes!.port}`) },
    });
    n.running = true;
    await waitFor(() => (n.server.server.routes?.remoteCount() ?? 0) >= up.length, 5000, "the restarted server's routes");
  }

  async close(): Promise<void> {
    for (const n of this.nodes) {
      for (const nc of n.conns.splice(0)) await nc.close().catch(() => undefined);
      await n.replica?.stop().catch(() => undefined);
    }
    await Promise.all(this.nodes.filter((n) => n.running).map((n) => n.server.close()));
  }
}

/** Every message of a replica's store, in order, as comparable text. */
export function contents(n: Node): string[] {
  const store = n.replica!.stream.store;
  const out: string[] = [];
  for (let m: StoredMsg | undefined = store.loadNextMsg(">", 0); m !== undefined; m = store.loadNextMsg(">", m.seq + 1)) {
    out.push(`${m.seq} ${m.subject} ${m.time} ${m.hdr?.toString("latin1") ?? ""} ${m.data.toString("latin1")}`);
  }
  return out;
}

export function lastSeq(n: Node): number {
  return n.replica!.stream.store.state().lastSeq;
}
