/**
 * Which clusters the cluster tests build. Each composition names the implementation of every node; with
 * TSNATS_TEST_IMPL=nats-server every node is nats-server (to check that a suite itself passes against the
 * reference). Mixed compositions need nats-server installed and are skipped visibly without it.
 */
import type { TestContext } from "node:test";
import { connect, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import { natsServerAvailable, type Impl } from "../helpers/server-process.js";
import { startCluster, type Cluster, type ClusterSpec } from "../helpers/cluster-process.js";
import { IMPL } from "../e2e/support.js";

export interface Composition {
  label: string;
  impls: Impl[];
}

const T: Impl = "tsnats";
const N: Impl = "nats-server";

export const COMPOSITIONS: Composition[] = [
  { label: "3 tsnats", impls: [T, T, T] },
  { label: "2 tsnats + nats-server", impls: [T, T, N] },
  { label: "nats-server x2 + tsnats", impls: [N, N, T] },
].map((c) => ({ ...c, impls: c.impls.map((k) => (IMPL === "nats-server" ? N : k)) }));

/** Why a composition cannot run here, or undefined when it can. */
export function skipReason(impls: Impl[]): string | undefined {
  return impls.includes(N) && !natsServerAvailable() ? "nats-server is not installed" : undefined;
}

/** Starts a cluster that is killed when the test (or suite) ends, and waits until it has formed. */
export async function clusterFor(t: Pick<TestContext, "after">, spec: ClusterSpec): Promise<Cluster> {
  const c = await startCluster(spec);
  t.after(() => c.stopAll());
  await c.formed();
  return c;
}

/** A nats.js connection to node `i` of `c`, closed when the test ends. */
export async function connectTo(
  t: Pick<TestContext, "after">,
  c: Cluster,
  i: number,
  opts: NodeConnectionOptions = {},
): Promise<NatsConnection> {
  const nc = await connect({ servers: c.nodes[i]!.url, reconnect: false, ...opts });
  t.after(() => nc.close().catch(() => undefined));
  return nc;
}

/**
 * Interest crosses a route asynchronously: after a SUB on one node, a publish on another may precede its
 * RS+. Each of `subs` subscribes to a probe subject after its other subscriptions, and `pub` publishes
 * probes until every one has arrived. A route carries one account's interest in order, so once a
 * connection's probe interest has crossed, so has everything it subscribed before.
 */
export async function routed(pub: NatsConnection, subs: NatsConnection[], ms = 5000): Promise<void> {
  for (const sub of subs) {
    const subject = `_probe.${Math.random().toString(36).slice(2)}`;
    let seen = false;
    const s = sub.subscribe(subject, { callback: () => void (seen = true) });
    await sub.flush();
    const deadline = Date.now() + ms;
    while (!seen) {
      if (Date.now() > deadline) throw new Error(`interest did not cross the route in ${ms} ms`);
      pub.publish(subject);
      await pub.flush();
      await new Promise((r) => setTimeout(r, 10));
    }
    s.unsubscribe();
    await sub.flush();
  }
}
