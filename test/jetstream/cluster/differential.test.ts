/**
 * The clustered $JS.API against a 3-node nats-server 2.9.10 cluster (the reference): the same requests
 * to node 1 of each, errors compared whole, successful answers by shape (every member the reference
 * sends is there, `cluster` included; tsnats may add later versions' members). Skipped visibly
 * without nats-server.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { natsServerAvailable, type Impl } from "../../helpers/server-process.js";
import { api, waitUntil } from "./meta-support.js";
import { jsProcCluster } from "./process-cluster.js";

type Json = Record<string, unknown>;

const STEPS: [string, unknown?][] = [
  ["STREAM.CREATE.R5", { name: "R5", subjects: ["r5"], num_replicas: 5 }],
  ["STREAM.CREATE.T", { name: "T", subjects: ["t"], placement: { tags: ["nope"] } }],
  ["STREAM.CREATE.C", { name: "C", subjects: ["c"], placement: { cluster: "other" } }],
  ["STREAM.CREATE.A", { name: "A", subjects: ["a"] }],
  ["STREAM.INFO.A"],
  ["STREAM.INFO.NOPE"],
  ["STREAM.NAMES"],
  ["STREAM.LIST"],
  ["CONSUMER.DURABLE.CREATE.A.d2", { stream_name: "A", config: { durable_name: "d2", ack_policy: "explicit" } }],
  ["CONSUMER.INFO.A.d2"],
  ["CONSUMER.INFO.A.nope"],
  ["CONSUMER.INFO.NOPE.nope"],
  ["CONSUMER.NAMES.A"],
  ["STREAM.UPDATE.A", { name: "A", subjects: ["a"], num_replicas: 3 }],
  ["STREAM.UPDATE.A", { name: "A", subjects: ["a"], num_replicas: 1 }],
  ["STREAM.CREATE.B3", { name: "B3", subjects: ["b3"], num_replicas: 3 }],
  ["STREAM.INFO.B3"],
  ["STREAM.PEER.REMOVE.B3", { peer: "n9" }],
  ["STREAM.PEER.REMOVE.A", { peer: "n9" }],
  ["STREAM.LEADER.STEPDOWN.NOPE"],
  ["CONSUMER.LEADER.STEPDOWN.A.nope"],
  ["INFO"],
  ["CONSUMER.DELETE.A.d2"],
  ["STREAM.DELETE.A"],
  ["STREAM.DELETE.A"],
  ["STREAM.DELETE.B3"],
  ["STREAM.NAMES"],
];

/** The step that grows stream A from one replica to three. */
const GROW = STEPS.findIndex(([s, b]) => s === "STREAM.UPDATE.A" && (b as Json).num_replicas === 3);

async function run(t: Parameters<typeof jsProcCluster>[0], impl: Impl): Promise<{ answers: Json[]; meta: Json }> {
  const c = await jsProcCluster(t, impl);
  const nc = await connect({ servers: c.urls[0] });
  t.after(() => nc.close());
  const answers: Json[] = [];
  // 20 s: a grown stream is answered once its new peers are voters, which can take up to ~10 s (an
  // election, then the voters) on a loaded machine.
  for (const [subject, body] of STEPS) answers.push(await api(nc, subject, body, 20_000));
  let meta: Json = {};
  await waitUntil(async () => {
    meta = ((await (await fetch(`http://127.0.0.1:${c.httpPorts[0]}/jsz`)).json()) as Json).meta_cluster as Json;
    return meta !== undefined;
  }, 5000, "meta_cluster");
  return { answers, meta };
}

/** Every member of `ref` is in `ours`, with the same JSON type, recursively (arrays by their first item). */
function sameShape(ref: unknown, ours: unknown, path: string): void {
  if (ref === null || typeof ref !== "object") {
    assert.equal(typeof ours, typeof ref, `${path}: ${JSON.stringify(ours)} for ${JSON.stringify(ref)}`);
    return;
  }
  assert.ok(ours !== null && typeof ours === "object", `${path}: ${JSON.stringify(ours)} is not an object or array`);
  if (Array.isArray(ref)) {
    assert.ok(Array.isArray(ours), `${path} is an array`);
    assert.equal((ours as unknown[]).length, ref.length, `${path}: length`);
    if (ref.length > 0) sameShape(ref[0], (ours as unknown[])[0], `${path}[0]`);
    return;
  }
  for (const [k, v] of Object.entries(ref)) {
    assert.ok(k in (ours as Json), `${path}.${k} is missing in ${JSON.stringify(ours)}`);
    sameShape(v, (ours as Json)[k], `${path}.${k}`);
  }
}

test("clustered $JS.API answers and /jsz meta_cluster: tsnats against nats-server 2.9.10", { skip: natsServerAvailable() ? false : "nats-server is not installed" }, async (t) => {
  const ref = await run(t, "nats-server");
  const ours = await run(t, "tsnats");
  STEPS.forEach(([subject], i) => {
    const r = ref.answers[i]!;
    const o = ours.answers[i]!;
    assert.equal(o.type, r.type, `${subject}: type`);
    if (r.error !== undefined) assert.deepEqual(o, r, `${subject}: the error answer`);
    else {
      assert.equal(o.error, undefined, `${subject}: ${JSON.stringify(o.error)}`);
      if (i === GROW) {
        // nats-server answers before the grown stream's new group elects (no leader, its 3 peers as
        // replicas); tsnats's one peer leads throughout (leader and 2 replicas): the same 3 peers.
        const peers = (x: Json): number => { const ci = x.cluster as { leader?: string; replicas?: unknown[] }; return (ci.leader === undefined ? 0 : 1) + (ci.replicas?.length ?? 0); };
        assert.deepEqual([peers(o), peers(r)], [3, 3], `${subject}: the grown stream's peers`);
        sameShape({ ...r, cluster: undefined }, { ...o, cluster: undefined }, subject);
      } else sameShape(r, o, subject);
      for (const k of ["total", "offset", "limit", "streams", "consumers", "success", "did_create"]) {
        if (typeof r[k] !== "object") assert.deepEqual(o[k], r[k], `${subject}: ${k}`);
      }
      if (subject.endsWith("NAMES") || subject.startsWith("CONSUMER.NAMES")) assert.deepEqual(o, r, `${subject}: names`);
    }
  });
  sameShape(ref.meta, ours.meta, "meta_cluster");
  assert.equal(ours.meta.cluster_size, ref.meta.cluster_size);
});
