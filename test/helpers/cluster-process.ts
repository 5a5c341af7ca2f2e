/**
 * Starts a cluster of server processes on 127.0.0.1, each node tsnats or nats-server, joined by routes
 * given as nats-server flags (`-n -cluster -cluster_name -routes`), the form the bench harness and the
 * user documents use. `formed()` waits until a message published on every node reaches every other
 * node, which proves the routes are up and interest has propagated both ways.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { freePort, startServerProcess, type Impl, type ServerProcess } from "./server-process.js";

export interface ClusterNode {
  name: string;
  impl: Impl;
  clusterPort: number;
  /** The running process; replaced by `restart`. */
  proc: ServerProcess;
  url: string;
}

export interface ClusterSpec {
  /** One entry per node, in order. */
  impls: Impl[];
  /** The routes each node is given, by node index; default: every other node. */
  routesOf?: (i: number, n: number) => number[];
  /** Extra flags for every node. */
  args?: string[];
  /** Extra flags for node i. */
  argsOf?: (i: number) => string[];
  /** Config file text per node (its cluster flags still come from the spec). */
  configOf?: (i: number) => string | undefined;
  clusterName?: string;
  /** Route URL user info, e.g. `ruser:rpass@`. */
  routeAuth?: string;
  /**
   * Give the cluster settings in the config file (`cluster { name, listen, routes, ...}`) instead of as
   * flags; this text goes inside the block. (nats-server's cluster flags replace the file's whole
   * cluster block, authorization included.)
   */
  clusterBlock?: (i: number) => string;
  /** Credentials for the connections `formed()` makes. */
  formedAs?: { user: string; pass: string };
  /** Start nodes one after another, not all at once. */
  sequential?: boolean;
}

export interface Cluster {
  nodes: ClusterNode[];
  /** Waits until every node's messages reach every other node. */
  formed(timeoutMs?: number): Promise<void>;
  /** Starts (again) node i on its old ports. */
  start(i: number): Promise<ClusterNode>;
  stopAll(): Promise<void>;
}

const everyOther = (i: number, n: number): number[] => [...Array(n).keys()].filter((j) => j !== i);

export async function startCluster(spec: ClusterSpec): Promise<Cluster> {
  const n = spec.impls.length;
  const clientPorts = await Promise.all(spec.impls.map(() => freePort()));
  const clusterPorts = await Promise.all(spec.impls.map(() => freePort()));
  const name = spec.clusterName ?? "tcluster";
  const nodes: (ClusterNode | undefined)[] = new Array(n).fill(undefined);

  const start = async (i: number): Promise<ClusterNode> => {
    const routes = (spec.routesOf ?? everyOther)(i, n).map((j) => `nats://${spec.routeAuth ?? ""}127.0.0.1:${clusterPorts[j]}`);
    const args = ["-n", `node${i + 1}`];
    let config = spec.configOf?.(i);
    if (spec.clusterBlock) {
      const list = routes.map((r) => JSON.stringify(r)).join(", ");
      config = `${config ?? ""}\ncluster {\n  name: ${name}\n  listen: "127.0.0.1:${clusterPorts[i]}"\n  routes: [${list}]\n  ${spec.clusterBlock(i)}\n}\n`;
    } else {
      args.push("-cluster", `nats://127.0.0.1:${clusterPorts[i]}`, "-cluster_name", name);
      if (routes.length > 0) args.push("-routes", routes.join(","));
    }
    const proc = await startServerProcess({
      impl: spec.impls[i]!,
      port: clientPorts[i],
      args: [...args, ...(spec.args ?? []), ...(spec.argsOf?.(i) ?? [])],
      config,
    });
    const node = { name: `node${i + 1}`, impl: spec.impls[i]!, clusterPort: clusterPorts[i]!, proc, url: proc.url };
    nodes[i] = node;
    return node;
  };

  // Every start is waited for, so that when one node fails the ones that started are stopped rather
  // than left to outlive the test (holding their ports).
  const started = spec.sequential ? [] : await Promise.allSettled(spec.impls.map((_, i) => start(i)));
  let failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
  for (let i = 0; spec.sequential && i < n && failed === undefined; i++) {
    await start(i).catch((reason: unknown) => (failed = { status: "rejected", reason }));
  }
  if (failed !== undefined) {
    await Promise.allSettled(nodes.map((nd) => nd?.proc.stop("SIGKILL")));
    throw failed.reason;
  }

  const cluster: Cluster = {
    get nodes() {
      return nodes as ClusterNode[];
    },
    formed: (timeoutMs = 15_000) => waitFormed(nodes as ClusterNode[], timeoutMs, spec.formedAs),
    start,
    async stopAll() {
      await Promise.all((nodes as ClusterNode[]).map((nd) => nd.proc.stop("SIGKILL")));
    },
  };
  return cluster;
}

/** Every node's publishes reach a subscriber on every other node. */
async function waitFormed(nodes: ClusterNode[], timeoutMs: number, auth?: { user: string; pass: string }): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const conns: NatsConnection[] = [];
  try {
    for (const nd of nodes) conns.push(await connect({ servers: nd.url, reconnect: false, ...auth }));
    const seen = new Set<string>();
    const subject = `_formed.${Math.random().toString(36).slice(2)}`;
    conns.forEach((nc, j) => nc.subscribe(`${subject}.*`, { callback: (_e, m) => void seen.add(`${m.string()}>${j}`) }));
    await Promise.all(conns.map((c) => c.flush()));
    const want = nodes.length * (nodes.length - 1);
    for (;;) {
      conns.forEach((nc, i) => nc.publish(`${subject}.x`, String(i)));
      await Promise.all(conns.map((c) => c.flush()));
      await new Promise((r) => setTimeout(r, 50));
      const crossed = [...seen].filter((k) => k.split(">")[0] !== k.split(">")[1]).length;
      if (crossed === want) return;
      if (Date.now() > deadline) {
        const out = nodes.map((nd) => `--- ${nd.name} (${nd.impl}):\n${nd.proc.output().slice(-3000)}`).join("\n");
        throw new Error(`cluster did not form in ${timeoutMs} ms (${crossed}/${want} paths):\n${out}`);
      }
    }
  } finally {
    await Promise.all(conns.map((c) => c.close()));
  }
}
