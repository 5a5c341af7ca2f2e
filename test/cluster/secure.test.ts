/**
 * Routes with authorization and with mutual TLS: a node with the right credentials (or certificate)
 * joins and carries messages; one with wrong credentials never does, and the cluster keeps working.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "@nats-io/transport-node";
import { connect as netConnect } from "node:net";
import { freePort, startServerProcess } from "../helpers/server-process.js";
import { delay } from "../e2e/support.js";
import { pki } from "../tls/pki.js";
import { COMPOSITIONS, clusterFor, connectTo, routed, skipReason } from "./support.js";

/** What a route port says, within 300 ms, to a peer that connects without TLS and sends nothing. */
async function plainGreeting(port: number): Promise<string> {
  const s = netConnect(port, "127.0.0.1");
  let got = "";
  s.on("data", (d) => (got += d.toString("latin1")));
  s.on("error", () => undefined);
  await delay(300);
  s.destroy();
  return got;
}

const ROUTE_AUTH = "authorization { user: ruser, password: rpass, timeout: 2 }";

for (const comp of COMPOSITIONS) {
  describe(`secured routes [${comp.label}]`, { skip: skipReason(comp.impls) }, () => {
    test("routes with user and password form the cluster; wrong credentials are refused", async (t) => {
      const c = await clusterFor(t, { impls: comp.impls, clusterBlock: () => ROUTE_AUTH, routeAuth: "ruser:rpass@" });
      const a = await connectTo(t, c, 0);
      const b = await connectTo(t, c, 2);
      const got: string[] = [];
      b.subscribe("auth.x", { callback: (_e, m) => void got.push(m.string()) });
      await routed(a, [b]);
      a.publish("auth.x", "ok");
      await routed(a, [b]);
      assert.deepEqual(got, ["ok"]);

      // A node with a wrong password: its route is refused, so nothing it publishes arrives. (Its own
      // cluster credentials are wrong too: implicit routes to the nodes it learns about use those.)
      const lone = await startServerProcess({
        impl: comp.impls[2]!,
        args: ["-n", "intruder"],
        config: `cluster { name: tcluster, listen: "127.0.0.1:${await freePort()}", ${ROUTE_AUTH.replace("rpass", "wrong")}
          routes: ["nats://ruser:wrong@127.0.0.1:${c.nodes[0]!.clusterPort}"] }`,
      });
      t.after(() => lone.stop("SIGKILL"));
      const ic = await connect({ servers: lone.url, reconnect: false });
      t.after(() => ic.close());
      await delay(1500);
      ic.publish("auth.x", "intruder");
      await ic.flush();
      await delay(300);
      a.publish("auth.x", "still");
      await routed(a, [b]);
      assert.deepEqual(got, ["ok", "still"]);
    });

    test("routes over mutual TLS form the cluster", async (t) => {
      const p = pki();
      const tls = `tls { cert_file: "${p.route.cert}", key_file: "${p.route.key}", ca_file: "${p.ca.cert}", verify: true, timeout: 3 }`;
      const c = await clusterFor(t, { impls: comp.impls, clusterBlock: () => tls });
      const a = await connectTo(t, c, 1);
      const b = await connectTo(t, c, 2);
      const got: string[] = [];
      b.subscribe("tls.x", { callback: (_e, m) => void got.push(m.string()) });
      await routed(a, [b]);
      a.publish("tls.x", "secret");
      await routed(a, [b]);
      assert.deepEqual(got, ["secret"]);
      // Every node's route port speaks TLS first: a plain-text peer hears no INFO.
      for (const nd of c.nodes) assert.equal(await plainGreeting(nd.clusterPort), "", `${nd.name} (${nd.impl}) greeted in plain text`);
    });
  });
}
