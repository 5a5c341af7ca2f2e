/**
 * The advisories of replicated streams, in nats-server's shapes: a stream's new leader announces itself
 * (`STREAM.LEADER_ELECTED.<stream>`) and its consumers' (`CONSUMER.LEADER_ELECTED.<stream>.<consumer>`:
 * they are led by the stream's leader); a replica that lost the leadership and still sees no leader
 * after QUORUM_WAIT_MS reports the group stalled (`STREAM.QUORUM_LOST.<stream>`).
 */
import type { JsAccount } from "../js-account.js";
import type { StreamReplica } from "./stream-replica.js";

const QUORUM_WAIT_MS = 2000;

/** Runs on every leadership change of a replica held here. */
export function replicaLeaderAdvisories(jsa: JsAccount, replica: StreamReplica, isLeader: boolean): void {
  const stream = replica.stream.name;
  const account = jsa.account.name;
  if (isLeader) {
    const replicas = replica.clusterInfo().replicas ?? [];
    const leader = jsa.server.name;
    jsa.advisory(`STREAM.LEADER_ELECTED.${stream}`, "stream_leader_elected", { account, stream, leader, replicas });
    for (const consumer of replica.stream.consumers.keys()) {
      jsa.advisory(`CONSUMER.LEADER_ELECTED.${stream}.${consumer}`, "consumer_leader_elected", { account, stream, consumer, leader, replicas });
    }
    return;
  }
  const timer = setTimeout(() => {
    if (replica.isLeader || replica.leaderName !== undefined || !jsa.streams.has(stream)) return;
    jsa.advisory(`STREAM.QUORUM_LOST.${stream}`, "stream_quorum_lost", { account, stream, replicas: replica.clusterInfo().replicas ?? [] });
  }, QUORUM_WAIT_MS);
  timer.unref();
}
