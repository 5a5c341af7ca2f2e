/** The nats CLI's one-cell view of a stream's or consumer's replica group: the leader starred, laggards marked "!". */
import type { ClusterInfo } from "@nats-io/jetstream";

export function renderCluster(c: ClusterInfo | undefined): string {
  if (!c) return "";
  const peers = c.leader ? [`${c.leader}*`] : [];
  for (const r of c.replicas ?? []) peers.push(r.offline || !r.current ? `${r.name}!` : r.name);
  return peers.join(", ");
}
