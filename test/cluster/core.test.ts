/**
 * Core NATS across a 3-node cluster, through nats.js clients connected to different nodes: wildcards,
 * headers, queue groups delivering once cluster-wide, request/reply, no-responders, unsubscribe and drain.
 * The same suite runs on a tsnats cluster and on mixed clusters with nats-server.
 */
import { describe, before, after, test } from "node:test";
import assert from "node:assert/strict";
import { errors, headers, type Msg, type NatsConnection } from "@nats-io/transport-node";
import type { Cluster } from "../helpers/cluster-process.js";
import { suiteCleanup } from "../e2e/support.js";
import { COMPOSITIONS, clusterFor, connectTo, routed, skipReason } from "./support.js";

/** A 503 status, not a timeout: the long timeout makes a missing status a TimeoutError. */
const noResponders = (e: unknown) => e instanceof errors.RequestError && e.isNoResponders();

for (const comp of COMPOSITIONS) {
  describe(`core messaging across a cluster [${comp.label}]`, { skip: skipReason(comp.impls) }, () => {
    const cleanup = suiteCleanup();
    let c: Cluster;
    /** conns[i] is connected to node i. */
    let conns: NatsConnection[];
    before(async () => {
      c = await clusterFor(cleanup, { impls: comp.impls });
      conns = await Promise.all([0, 1, 2].map((i) => connectTo(cleanup, c, i)));
    });
    after(() => cleanup.run());

    test("wildcard subscribers on one node get what is published on the others, with headers", async () => {
      const got: string[] = [];
      const subs = [
        conns[1]!.subscribe("w.*", { callback: (_e, m) => void got.push(`*:${m.subject}:${m.string()}:${m.headers?.get("X-Id") ?? ""}`) }),
        conns[1]!.subscribe("w.>", { callback: (_e, m) => void got.push(`>:${m.subject}:${m.string()}:${m.headers?.get("X-Id") ?? ""}`) }),
      ];
      await routed(conns[0]!, [conns[1]!]);
      await routed(conns[2]!, [conns[1]!]);
      const h = headers();
      h.set("X-Id", "h1");
      conns[0]!.publish("w.a", "one", { headers: h });
      conns[2]!.publish("w.b.c", "two");
      conns[0]!.publish("x.a", "never");
      await routed(conns[0]!, [conns[1]!]);
      await routed(conns[2]!, [conns[1]!]);
      assert.deepEqual(got.sort(), [">:w.a:one:h1", ">:w.b.c:two:", "*:w.a:one:h1"].sort());
      for (const s of subs) s.unsubscribe();
    });

    test("a queue group with members on every node gets each message exactly once", async () => {
      const got: number[][] = [[], [], []];
      const plain: number[] = [];
      conns.forEach((nc, i) => nc.subscribe("q.work", { queue: "workers", callback: (_e, m) => void got[i]!.push(Number(m.string())) }));
      conns[2]!.subscribe("q.work", { callback: (_e, m) => void plain.push(Number(m.string())) });
      await routed(conns[0]!, [conns[1]!, conns[2]!]);
      const n = 600;
      for (let i = 0; i < n; i++) conns[0]!.publish("q.work", String(i));
      await routed(conns[0]!, [conns[0]!, conns[1]!, conns[2]!]);
      const all = Array.from({ length: n }, (_, i) => i);
      assert.deepEqual(got.flat().sort((a, b) => a - b), all, "each message to exactly one member");
      assert.deepEqual(plain, all, "a plain subscriber on another node gets every message, in order");
    });

    test("queue members are chosen in proportion across servers: 1 here, 4 there gets about 1 in 5 here", async () => {
      const local: number[] = [];
      const remote: number[] = [];
      conns[0]!.subscribe("qw.work", { queue: "w", callback: (_e, m) => void local.push(Number(m.string())) });
      const remoteConns = await Promise.all([0, 1, 2, 3].map(() => connectTo(cleanup, c, 1)));
      for (const nc of remoteConns) nc.subscribe("qw.work", { queue: "w", callback: (_e, m) => void remote.push(Number(m.string())) });
      await routed(conns[0]!, remoteConns);
      const n = 1000;
      for (let i = 0; i < n; i++) conns[0]!.publish("qw.work", String(i));
      await routed(conns[0]!, [conns[0]!, ...remoteConns]);
      assert.equal(local.length + remote.length, n);
      // Weighted: ~200 here (sd ~13); a choice by server, not by member, would give ~500.
      assert.ok(local.length > 100 && local.length < 330, `${local.length} of ${n} to the one local member`);
      await Promise.all(remoteConns.map((nc) => nc.close()));
    });

    test("request/reply across nodes; no responders anywhere gets 503", async () => {
      const svc = conns[2]!.subscribe("svc.echo", { callback: (_e, m: Msg) => void m.respond(`echo:${m.string()}:${m.headers?.get("X-R") ?? ""}`) });
      await routed(conns[0]!, [conns[2]!]);
      const h = headers();
      h.set("X-R", "r1");
      const r = await conns[0]!.request("svc.echo", "hi", { timeout: 3000, headers: h });
      assert.equal(r.string(), "echo:hi:r1");
      await assert.rejects(conns[1]!.request("svc.nobody", "x", { timeout: 3000 }), noResponders);
      svc.unsubscribe();
    });

    test("an unsubscribe on one node stops delivery from the others, and the last one leaving means no responders", async () => {
      const got: string[] = [];
      const s = conns[1]!.subscribe("u.one", { callback: (_e, m) => void got.push(m.string()) });
      await routed(conns[0]!, [conns[1]!]);
      conns[0]!.publish("u.one", "before");
      await routed(conns[0]!, [conns[1]!]);
      s.unsubscribe();
      await conns[1]!.flush();
      await routed(conns[0]!, [conns[1]!]); // the RS- crossed before the probe's RS+
      conns[0]!.publish("u.one", "after");
      await routed(conns[0]!, [conns[1]!]);
      assert.deepEqual(got, ["before"]);
      await assert.rejects(conns[0]!.request("u.one", "x", { timeout: 3000 }), noResponders);
    });

    test("auto-unsubscribe after a count holds across nodes", async () => {
      const got: string[] = [];
      conns[1]!.subscribe("a.max", { max: 3, callback: (_e, m) => void got.push(m.string()) });
      await routed(conns[2]!, [conns[1]!]);
      for (let i = 0; i < 10; i++) conns[2]!.publish("a.max", String(i));
      await routed(conns[2]!, [conns[1]!]);
      assert.deepEqual(got, ["0", "1", "2"]);
    });

    test("drain delivers what was published before it", async () => {
      const nc = await connectTo(cleanup, c, 1);
      const got: string[] = [];
      nc.subscribe("d.x", { callback: (_e, m) => void got.push(m.string()) });
      await routed(conns[0]!, [nc]);
      for (let i = 0; i < 50; i++) conns[0]!.publish("d.x", String(i));
      await routed(conns[0]!, [nc]);
      await nc.drain();
      assert.equal(got.length, 50);
      assert.deepEqual(got, Array.from({ length: 50 }, (_, i) => String(i)));
    });
  });
}
