/**
 * Clustered JetStream in real processes (tsnats-server or nats-server), for restarts and kills: each
 * node with `-js`, its own store directory and a monitoring port; the meta group's state read from
 * /jsz, health from /healthz.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { startCluster, type Cluster } from "../../helpers/cluster-process.js";
import { freePort, type Impl } from "../../helpers/server-process.js";
import { waitUntil } from "./meta-support.js";

export interface JsProcCluster {
  cluster: Cluster;
  httpPorts: number[];
  urls: string[];
}

export async function jsProcCluster(t: Pick<TestContext, "after">, impl: Impl, n = 3): Promise<JsProcCluster> {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-jsproc-"));
  const httpPorts = await Promise.all(Array.from({ length: n }, () => freePort()));
  const cluster = await startCluster({
    impls: Array.from({ length: n }, () => impl),
    clusterName: "C1",
    args: ["-js"],
    argsOf: (i) => ["-sd", join(dir, `n${i + 1}`), "-m", String(httpPorts[i])],
  });
  t.after(async () => {
    await cluster.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });
  await cluster.formed();
  const c = { cluster, httpPorts, urls: cluster.nodes.map((nd) => nd.url) };
  await waitUntil(async () => {
    const v = await metaView(c);
    return v.every((m) => m.leader !== undefined && m.size === n && m.leader === v[0]!.leader);
  }, 30_000, "the meta group to form");
  return c;
}

export interface MetaView {
  leader: string | undefined;
  size: number;
}

/** Each node's meta_cluster (leader, cluster_size) from /jsz; an unreachable node reports none. */
export async function metaView(c: { httpPorts: number[] }, nodes?: number[]): Promise<MetaView[]> {
  const which = nodes ?? c.httpPorts.map((_, i) => i);
  return Promise.all(
    which.map(async (i) => {
      try {
        const r = await fetch(`http://127.0.0.1:${c.httpPorts[i]}/jsz`);
        const j = (await r.json()) as { meta_cluster?: { leader?: string; cluster_size?: number } };
        return { leader: j.meta_cluster?.leader, size: j.meta_cluster?.cluster_size ?? 0 };
      } catch {
        return { leader: undefined, size: 0 };
      }
    }),
  );
}

/** The meta leader every listed node agrees on (other than `not`), once they do. */
export async function agreedLeader(c: { httpPorts: number[] }, nodes: number[], ms = 20_000, not?: string): Promise<string> {
  let leader: string | undefined;
  await waitUntil(async () => {
    const v = await metaView(c, nodes);
    leader = v[0]!.leader;
    return leader !== undefined && leader !== not && v.every((m) => m.leader === leader);
  }, ms, "the nodes to agree on a meta leader");
  return leader!;
}

export async function healthy(c: { httpPorts: number[] }, i: number, ms = 30_000): Promise<void> {
  await waitUntil(async () => {
    try {
      return (await fetch(`http://127.0.0.1:${c.httpPorts[i]}/healthz`)).status === 200;
    } catch {
      return false;
    }
  }, ms, `node ${i + 1} to be healthy`);
}
