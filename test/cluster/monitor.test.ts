/**
 * Monitoring of a cluster: /routez (with subs=1) and /varz's cluster block, routes and connect_urls, on
 * tsnats nodes, with the field names nats-server's nodes use in the same (mixed) cluster.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { freePort } from "../helpers/server-process.js";
import { COMPOSITIONS, clusterFor, connectTo, routed, skipReason } from "./support.js";

type Json = Record<string, unknown>;

async function getJson(port: number, path: string): Promise<Json> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`);
  assert.equal(r.status, 200, path);
  return (await r.json()) as Json;
}

for (const comp of COMPOSITIONS) {
  describe(`cluster monitoring [${comp.label}]`, { skip: skipReason(comp.impls) }, () => {
    test("/routez lists the other servers with their interest; /varz shows the cluster and every client URL", async (t) => {
      const mports = await Promise.all(comp.impls.map(() => freePort()));
      const c = await clusterFor(t, { impls: comp.impls, argsOf: (i) => ["-m", String(mports[i])] });
      const sub = await connectTo(t, c, 1);
      sub.subscribe("mon.watch");
      sub.subscribe("mon.q", { queue: "workers" });
      const pub = await connectTo(t, c, 0);
      await routed(pub, [sub]);

      const varz = await Promise.all(mports.map((p) => getJson(p, "/varz")));
      const ids = varz.map((v) => v.server_id as string);
      const keysOf: Map<string, string[]> = new Map();
      for (let i = 0; i < 3; i++) {
        const v = varz[i]!;
        const cluster = v.cluster as Json;
        assert.equal(cluster.name, "tcluster", `node${i + 1} cluster name`);
        assert.equal(cluster.cluster_port, c.nodes[i]!.clusterPort);
        assert.equal(v.routes, 2, `node${i + 1} routes`);
        assert.equal(v.remotes, 2, `node${i + 1} remotes`);
        const urls = v.connect_urls as string[];
        for (const nd of c.nodes) assert.ok(urls.includes(`127.0.0.1:${nd.proc.port}`), `node${i + 1} connect_urls ${JSON.stringify(urls)} lack ${nd.proc.port}`);

        const rz = await getJson(mports[i]!, "/routez?subs=1");
        assert.equal(rz.server_id, ids[i]);
        assert.equal(rz.num_routes, 2);
        const routes = rz.routes as Json[];
        assert.deepEqual(routes.map((r) => r.remote_id).sort(), ids.filter((_, j) => j !== i).sort());
        for (const r of routes) keysOf.set(c.nodes[i]!.impl, Object.keys(r).sort());
        if (i !== 1) {
          const fromSub = routes.find((r) => r.remote_id === ids[1])!;
          const list = fromSub.subscriptions_list as string[];
          assert.ok(list.includes("mon.watch"), `node${i + 1} sees node2's interest: ${JSON.stringify(list)}`);
          assert.ok((fromSub.subscriptions as number) >= 2);
        }
      }
      // Both servers describe a route with the same fields.
      const kinds = [...keysOf.keys()];
      if (kinds.length === 2) assert.deepEqual(keysOf.get("tsnats"), keysOf.get("nats-server"));
    });
  });
}
