/**
 * How a cluster comes together and comes apart, with real processes: interest made before a route came
 * up, interest that leaves with its server, gossip of implicit routes, clients told every server's URL
 * and failing over to a live one, `$SYS` requests answered by every server, accounts across servers.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, type Msg } from "@nats-io/transport-node";
import { COMPOSITIONS, clusterFor, connectTo, routed, skipReason } from "./support.js";
import { startCluster } from "../helpers/cluster-process.js";
import { delay, waitUntil } from "../e2e/support.js";

const ACCOUNTS = `
accounts {
  SYS { users = [ { user: sys, password: sys } ] }
  A {
    users = [ { user: a, password: a } ]
    exports = [ { stream: "feed.>" }, { service: "svc.>" } ]
  }
  B {
    users = [ { user: b, password: b } ]
    imports = [
      { stream: { account: A, subject: "feed.>" }, prefix: "fromA" }
      { service: { account: A, subject: "svc.>" } }
    ]
  }
}
system_account: SYS
`;

for (const comp of COMPOSITIONS) {
  describe(`cluster topology [${comp.label}]`, { skip: skipReason(comp.impls) }, () => {
    test("subscriptions made before a route comes up are sent when it comes up", async (t) => {
      // Node 1 starts alone with a subscriber; nodes 2 and 3 join later, naming node 1 as their route.
      const c = await startCluster({ impls: comp.impls, sequential: true, routesOf: (i) => (i === 0 ? [] : [0]) });
      t.after(() => c.stopAll());
      await c.formed();
      const early = await connectTo(t, c, 0);
      const got: string[] = [];
      early.subscribe("early.x", { callback: (_e, m) => void got.push(m.string()) });
      await early.flush();
      // Restart node 2: its route to node 1 comes up after the subscription exists.
      await c.nodes[1]!.proc.stop("SIGKILL");
      await c.start(1);
      await c.formed();
      const late = await connectTo(t, c, 1);
      late.publish("early.x", "hello");
      await routed(late, [early]);
      assert.deepEqual(got, ["hello"]);
    });

    test("a server that leaves takes its interest with it", async (t) => {
      const c = await clusterFor(t, { impls: comp.impls });
      const gone = await connect({ servers: c.nodes[2]!.url, reconnect: false });
      gone.subscribe("leaves.svc", { callback: (_e, m: Msg) => void m.respond("here") });
      const asker = await connectTo(t, c, 0);
      await routed(asker, [gone]);
      assert.equal((await asker.request("leaves.svc", "", { timeout: 3000 })).string(), "here");
      await c.nodes[2]!.proc.stop("SIGKILL");
      await gone.closed();
      // Until the route is seen to be down a request may still go there and time out; then 503.
      let status = "";
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        try {
          await asker.request("leaves.svc", "", { timeout: 500 });
          status = "answered";
        } catch (e) {
          status = (e as { isNoResponders?: () => boolean }).isNoResponders?.() ? "503" : "timeout";
        }
        if (status === "503") break;
        await delay(100);
      }
      assert.equal(status, "503");
    });

    test("gossip: a server given only one route connects to the rest of the cluster", async (t) => {
      // Node 3 names only node 1; it must learn node 2 from node 1 and route to it directly (one hop:
      // node 1 never forwards what it got from a route, so only a direct route delivers 2 -> 3).
      const c = await clusterFor(t, { impls: comp.impls, sequential: true, routesOf: (i) => (i === 0 ? [] : [0]) });
      const n2 = await connectTo(t, c, 1);
      const n3 = await connectTo(t, c, 2);
      const got: string[] = [];
      n3.subscribe("g.x", { callback: (_e, m) => void got.push(m.string()) });
      await routed(n2, [n3]);
      n2.publish("g.x", "direct");
      await routed(n2, [n3]);
      assert.deepEqual(got, ["direct"]);
    });

    test("clients learn every server's URL and fail over to a live one", async (t) => {
      const c = await clusterFor(t, { impls: comp.impls });
      const nc = await connect({ servers: c.nodes[0]!.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
      t.after(() => nc.close().catch(() => undefined));
      const other = await connectTo(t, c, 1);
      const got: string[] = [];
      other.subscribe("fo.x", { callback: (_e, m) => void got.push(m.string()) });
      await routed(nc, [other]);
      await waitUntil(() => nc.getServer() !== undefined, 1000, "server");
      // The INFO (first or async) names the other nodes' client URLs.
      const known = await discovered(nc, c.nodes.map((nd) => nd.proc.port));
      assert.ok(known >= 2, `the client knows ${known} other servers`);
      await c.nodes[0]!.proc.stop("SIGKILL");
      await waitUntil(() => nc.getServer() !== c.nodes[0]!.url.replace("nats://", ""), 10_000, "reconnect elsewhere");
      for (;;) {
        try {
          await routed(nc, [other], 10_000);
          break;
        } catch (e) {
          if (nc.isClosed()) throw e;
        }
      }
      nc.publish("fo.x", "after");
      await routed(nc, [other]);
      assert.ok(got.includes("after"), `got ${JSON.stringify(got)}`);
    });

    test("a server in lame duck mode is taken out of the URLs the others give their clients", async (t) => {
      const slow = "lame_duck_duration: 30s\nlame_duck_grace_period: 20s\n";
      const c = await clusterFor(t, { impls: comp.impls, configOf: () => slow });
      const nc = await connectTo(t, c, 1);
      const urls = () => ((nc.info as { connect_urls?: string[] } | undefined)?.connect_urls ?? []).join(",");
      const duck = `:${c.nodes[0]!.proc.port}`;
      await waitUntil(() => urls().includes(duck), 5000, "node1 in connect_urls");
      process.kill(c.nodes[0]!.proc.pid, "SIGUSR2");
      await waitUntil(() => !urls().includes(duck) && urls().includes(`:${c.nodes[2]!.proc.port}`), 10_000, `node1 gone from connect_urls (${urls()})`);
    });

    test("$SYS.REQ.SERVER.PING gets one reply per server; accounts, exports and imports work across servers", async (t) => {
      const c = await clusterFor(t, { impls: comp.impls, configOf: () => ACCOUNTS, formedAs: { user: "a", pass: "a" } });
      const sys = await connectTo(t, c, 0, { user: "sys", pass: "sys" });
      const replies: string[] = [];
      const inbox = sys.subscribe("_INBOX.ping.>", { callback: (_e, m) => void replies.push(m.json<{ server: { name: string } }>().server.name) });
      sys.publish("$SYS.REQ.SERVER.PING", "", { reply: "_INBOX.ping.1" });
      await waitUntil(() => replies.length >= 3, 5000, "three PING replies");
      await delay(200);
      assert.deepEqual(replies.sort(), ["node1", "node2", "node3"]);
      inbox.unsubscribe();

      const a = await connectTo(t, c, 0, { user: "a", pass: "a" });
      const b = await connectTo(t, c, 2, { user: "b", pass: "b" });
      // Barriers need a connection of the same account on the other node: a route carries one
      // account's interest and messages in order.
      const aOn3 = await connectTo(t, c, 2, { user: "a", pass: "a" });
      const bOn1 = await connectTo(t, c, 0, { user: "b", pass: "b" });
      const got: string[] = [];
      b.subscribe("fromA.feed.>", { callback: (_e, m) => void got.push(`${m.subject}:${m.string()}`) });
      a.subscribe("svc.time", { callback: (_e, m: Msg) => void m.respond(`A answers ${m.string()}`) });
      await b.flush();
      await routed(a, [aOn3]);
      await routed(aOn3, [a]);
      a.publish("feed.news", "n1");
      await routed(a, [aOn3]);
      await waitUntil(() => got.length > 0, 2000, "the imported message");
      assert.deepEqual(got, ["fromA.feed.news:n1"]);
      assert.equal((await b.request("svc.time", "b", { timeout: 3000 })).string(), "A answers b");
      // Account isolation: B's own subject space does not reach A.
      const leak: string[] = [];
      a.subscribe("private.x", { callback: (_e, m) => void leak.push(m.string()) });
      await routed(aOn3, [a]);
      b.publish("private.x", "no");
      await routed(b, [bOn1]);
      assert.deepEqual(leak, []);
    });
  });
}

/** How many of `ports` the client's server list names, waiting up to 3 s for an async INFO. */
async function discovered(nc: import("@nats-io/transport-node").NatsConnection, ports: number[]): Promise<number> {
  const deadline = Date.now() + 3000;
  let n = 0;
  while (Date.now() < deadline) {
    const info = nc.info as { connect_urls?: string[] } | undefined;
    const urls = info?.connect_urls ?? [];
    n = ports.filter((p) => urls.some((u) => u.endsWith(`:${p}`))).length;
    if (n >= ports.length - 1) return n;
    await delay(50);
  }
  return n;
}
