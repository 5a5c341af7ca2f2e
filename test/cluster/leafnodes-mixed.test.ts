/**
 * Leaf nodes mixed with nats-server 2.9.10: a tsnats leaf on a nats-server hub, and a nats-server leaf on
 * a tsnats hub, each with the seeds' one-line remote block and leaf user credentials bound to an account.
 * Messages with headers cross both ways, request/reply crosses, queue groups are served local first.
 */
import { describe, after, before, test } from "node:test";
import assert from "node:assert/strict";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { suiteCleanup } from "../e2e/support.js";
import { natsServerAvailable, type Impl } from "../helpers/server-process.js";
import { routed } from "./support.js";
import { client, collect, startHub, startLeaf, waitFor } from "./leaf-support.js";

const SETUPS: { label: string; hub: Impl; leaf: Impl }[] = [
  { label: "tsnats leaf, nats-server hub", hub: "nats-server", leaf: "tsnats" },
  { label: "nats-server leaf, tsnats hub", hub: "tsnats", leaf: "nats-server" },
];

for (const s of SETUPS) {
  describe(`leaf nodes mixed: ${s.label}`, { skip: natsServerAvailable() ? undefined : "nats-server is not installed" }, () => {
    const cleanup = suiteCleanup();
    let central: NatsConnection;
    let edge: NatsConnection;
    before(async () => {
      const hub = await startHub(
        cleanup,
        s.hub,
        `accounts { EDGE { users = [ { user: e, password: e } ] } }`,
        `authorization { users = [ { user: leaf, password: secret, account: EDGE } ] }`,
      );
      const leaf = await startLeaf(cleanup, s.leaf, `{ url: "${hub.leafUrl("leaf", "secret")}" }`);
      [central, edge] = await Promise.all([client(cleanup, hub.srv, { user: "e", pass: "e" }), client(cleanup, leaf)]);
    });
    after(() => cleanup.run());

    test("messages with headers cross both ways, and request/reply", async () => {
      const atHub: string[] = [];
      central.subscribe("up.>", { callback: (_e, m) => void atHub.push(`${m.subject}:${m.string()}:${m.headers?.get("X-K") ?? ""}`) });
      const atEdge = collect(edge, "down.>");
      central.subscribe("svc", {
        callback: (_e, m) => {
          m.respond(`re:${m.string()}`);
        },
      });
      await routed(edge, [central]);
      await routed(central, [edge]);
      const h = headers();
      h.set("X-K", "v");
      edge.publish("up.a", "1", { headers: h });
      central.publish("down.b", "2");
      await waitFor("both messages", () => atHub.length === 1 && atEdge.length === 1);
      assert.deepEqual([atHub, atEdge], [["up.a:1:v"], ["down.b:2"]]);
      assert.equal(await edge.request("svc", "q", { timeout: 2000 }).then((m) => m.string()), "re:q");
    });

    test("queue groups are served local first on both sides", async () => {
      const hubMember = collect(central, "jobs", "workers");
      const edgeMember = collect(edge, "jobs", "workers");
      await routed(central, [edge]);
      await routed(edge, [central]);
      for (let i = 0; i < 10; i++) central.publish("jobs", `h${i}`);
      for (let i = 0; i < 10; i++) edge.publish("jobs", `e${i}`);
      await waitFor("20 jobs", () => hubMember.length + edgeMember.length === 20);
      assert.ok(hubMember.every((m) => m.startsWith("jobs:h")), `hub member got ${hubMember.join(",")}`);
      assert.ok(edgeMember.every((m) => m.startsWith("jobs:e")), `edge member got ${edgeMember.join(",")}`);
    });
  });
}
