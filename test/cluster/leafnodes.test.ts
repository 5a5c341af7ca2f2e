/**
 * Leaf nodes between tsnats servers: a hub with accounts A and B and two leaves bound to A (the second
 * with deny_imports/deny_exports). Interest crosses both ways and from leaf to leaf through the hub,
 * accounts stay apart, denies hold, queue groups are served local first, the link comes back after the
 * hub is killed and restarted; the seeds' one-line remote block; two servers that are each other's leaf
 * detect the loop.
 */
import { describe, before, after, test } from "node:test";
import assert from "node:assert/strict";
import { headers, type NatsConnection } from "@nats-io/transport-node";
import { suiteCleanup } from "../e2e/support.js";
import { freePort, startServerProcess, type ServerProcess } from "../helpers/server-process.js";
import { routed } from "./support.js";
import { client, collect, startHub, startLeaf, waitFor, type Hub } from "./leaf-support.js";

const HUB_ACCOUNTS = `accounts {
  A { users = [ { user: a, password: a } ] }
  B { users = [ { user: b, password: b } ] }
}`;
const HUB_LEAF_AUTH = `authorization { users = [
  { user: l1, password: p1, account: A }
  { user: l2, password: p2, account: A }
] }`;

async function settleAll(...ncs: NatsConnection[]): Promise<void> {
  for (const nc of ncs) await nc.flush();
  await new Promise((r) => setTimeout(r, 100));
  for (const nc of ncs) await nc.flush();
}

describe("a tsnats hub and two tsnats leaves", () => {
  const cleanup = suiteCleanup();
  let hub: Hub;
  let leaf1: ServerProcess;
  let leaf2: ServerProcess;
  let hubA: NatsConnection;
  let hubB: NatsConnection;
  let l1: NatsConnection;
  let l2: NatsConnection;
  before(async () => {
    hub = await startHub(cleanup, "tsnats", HUB_ACCOUNTS, HUB_LEAF_AUTH);
    [leaf1, leaf2] = await Promise.all([
      startLeaf(cleanup, "tsnats", `{ url: "${hub.leafUrl("l1", "p1")}" }`),
      startLeaf(cleanup, "tsnats", `{ url: "${hub.leafUrl("l2", "p2")}", deny_imports: ["secret.>"], deny_exports: ["private.>"] }`),
    ]);
    [hubA, hubB, l1, l2] = await Promise.all([
      client(cleanup, hub.srv, { user: "a", pass: "a" }),
      client(cleanup, hub.srv, { user: "b", pass: "b" }),
      client(cleanup, leaf1),
      client(cleanup, leaf2),
    ]);
  });
  after(() => cleanup.run());

  test("interest crosses both ways, and from leaf to leaf through the hub, with headers", async () => {
    const onLeaf1: string[] = [];
    l1.subscribe("down.>", { callback: (_e, m) => void onLeaf1.push(`${m.subject}:${m.string()}:${m.headers?.get("X-Id") ?? ""}`) });
    const onHub = collect(hubA, "up.>");
    const onLeaf2 = collect(l2, "across.>");
    await routed(hubA, [l1, l2]);
    await routed(l1, [hubA]);
    await routed(l1, [l2]);
    const h = headers();
    h.set("X-Id", "h1");
    hubA.publish("down.1", "d", { headers: h });
    l1.publish("up.1", "u");
    l1.publish("across.1", "x");
    await waitFor("the three messages", () => onLeaf1.length + onHub.length + onLeaf2.length === 3);
    assert.deepEqual([onLeaf1, onHub, onLeaf2], [["down.1:d:h1"], ["up.1:u"], ["across.1:x"]]);
    hubA.subscribe("svc", {
      callback: (_e, m) => {
        m.respond(`re:${m.string()}`);
      },
    });
    await routed(hubA, [l2]);
    const r = await l2.request("svc", "q", { timeout: 2000 }).then((m) => m.string());
    assert.equal(r, "re:q");
  });

  test("accounts stay apart: the leaves are bound to A, B sees nothing of them", async () => {
    const inB = collect(hubB, "acct.>");
    const inA = collect(hubA, "acct.>");
    const onLeaf = collect(l1, "acct.>");
    await routed(hubA, [l1]);
    await routed(l1, [hubA]);
    l1.publish("acct.from-leaf", "1");
    hubB.publish("acct.from-b", "2");
    hubA.publish("acct.from-a", "3");
    await waitFor(() => `A messages (A: ${inA.join(",")}, leaf: ${onLeaf.join(",")})`, () => inA.length === 2 && onLeaf.length === 2);
    await settleAll(hubB, l1, hubA);
    assert.deepEqual(inB, ["acct.from-b:2"]);
    assert.deepEqual(inA.sort(), ["acct.from-a:3", "acct.from-leaf:1"]);
    // The leaf's client hears its own message (echo) and A's, never B's.
    assert.deepEqual(onLeaf.sort(), ["acct.from-a:3", "acct.from-leaf:1"]);
  });

  test("deny_imports and deny_exports hold", async () => {
    const onLeaf2 = collect(l2, "secret.>");
    const okOnLeaf2 = collect(l2, "open.>");
    const onHub = collect(hubA, "private.>");
    const okOnHub = collect(hubA, "shared.>");
    await routed(hubA, [l2]);
    await routed(l2, [hubA]);
    hubA.publish("secret.x", "no");
    hubA.publish("open.x", "yes");
    l2.publish("private.y", "no");
    l2.publish("shared.y", "yes");
    await waitFor("the allowed messages", () => okOnLeaf2.length === 1 && okOnHub.length === 1);
    await settleAll(hubA, l2);
    assert.deepEqual([onLeaf2, onHub], [[], []]);
  });

  test("queue groups are served local first across the link", async () => {
    const hubMember = collect(hubA, "work", "q");
    const leafMember = collect(l1, "work", "q");
    await routed(hubA, [l1]);
    await routed(l1, [hubA]);
    for (let i = 0; i < 20; i++) hubA.publish("work", `h${i}`);
    for (let i = 0; i < 20; i++) l1.publish("work", `l${i}`);
    await waitFor("40 messages", () => hubMember.length + leafMember.length === 40);
    assert.ok(hubMember.every((m) => m.startsWith("work:h")), `hub member got ${hubMember.join(",")}`);
    assert.ok(leafMember.every((m) => m.startsWith("work:l")), `leaf member got ${leafMember.join(",")}`);
    // With no member left on the hub, the leaf's member serves the hub's publishers.
    const onlyLeaf = collect(l2, "work2", "q");
    await routed(hubA, [l2]);
    for (let i = 0; i < 5; i++) hubA.publish("work2", `h${i}`);
    await waitFor("the leaf member to serve the hub", () => onlyLeaf.length === 5);
  });

  test("the link comes back after the hub is killed and restarted", async () => {
    const onLeaf = collect(l1, "after.>");
    await routed(hubA, [l1]);
    await hub.srv.stop("SIGKILL");
    const again = await startHub(cleanup, "tsnats", HUB_ACCOUNTS, HUB_LEAF_AUTH, hub.leafPort, hub.srv.port);
    const hubA2 = await client(cleanup, again.srv, { user: "a", pass: "a" });
    await routed(hubA2, [l1], 10_000);
    hubA2.publish("after.restart", "back");
    await waitFor("the message after the restart", () => onLeaf.length === 1);
    assert.deepEqual(onLeaf, ["after.restart:back"]);
  });
});

describe("leaf node set-ups", () => {
  const cleanup = suiteCleanup();
  after(() => cleanup.run());

  test("the seeds' block connects an edge server to a central one", async () => {
    const hub = await startHub(cleanup, "tsnats");
    const edge = await startLeaf(cleanup, "tsnats", `{ url: "${hub.leafUrl()}" }`);
    const [central, local] = await Promise.all([client(cleanup, hub.srv), client(cleanup, edge)]);
    const got = collect(central, "sensors.>");
    await routed(local, [central]);
    local.publish("sensors.t1", "21.5");
    await waitFor("the edge's reading", () => got.length === 1);
    assert.deepEqual(got, ["sensors.t1:21.5"]);
  });

  test("a hub checks a bcrypt leaf password and refuses a wrong one", async () => {
    const hub = await startHub(cleanup, "tsnats", "", `authorization { user: edge, password: "$2b$04$TWWXUpa/YPZ/2B4ufK3QD.RDFumzKcOmBK.1crHG9OeVPEDn7nQFC" }`);
    const [good, bad] = await Promise.all([
      startLeaf(cleanup, "tsnats", `{ url: "${hub.leafUrl("edge", "s3cret")}" }`),
      startLeaf(cleanup, "tsnats", `{ url: "${hub.leafUrl("edge", "wrong")}" }`),
    ]);
    const [central, edge] = await Promise.all([client(cleanup, hub.srv), client(cleanup, good)]);
    await routed(central, [edge]);
    await waitFor("the refusal", () => /Authorization Violation/.test(bad.output()));
  });

  test("a hub cluster: leaves on different hub servers hear each other through the route", async () => {
    const [r1, r2, p1, p2] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const hubConf = (route: number, peer: number, leaf: number) =>
      `cluster { name: hubc, listen: "127.0.0.1:${route}", routes: ["nats://127.0.0.1:${peer}"] }\nleafnodes { listen: "127.0.0.1:${leaf}" }\n`;
    const [h1, h2] = await Promise.all([startServerProcess({ config: hubConf(r1, r2, p1) }), startServerProcess({ config: hubConf(r2, r1, p2) })]);
    cleanup.after(() => h1.stop("SIGKILL"));
    cleanup.after(() => h2.stop("SIGKILL"));
    const [e1, e2] = await Promise.all([startLeaf(cleanup, "tsnats", `{ url: "nats://127.0.0.1:${p1}" }`), startLeaf(cleanup, "tsnats", `{ url: "nats://127.0.0.1:${p2}" }`)]);
    const [c1, c2, ch2] = await Promise.all([client(cleanup, e1), client(cleanup, e2), client(cleanup, h2)]);
    const got = collect(c1, "far.>");
    await routed(c2, [c1], 8000);
    await routed(ch2, [c1]);
    c2.publish("far.from-leaf", "1");
    ch2.publish("far.from-hub", "2");
    await waitFor("both messages", () => got.length === 2);
    assert.deepEqual(got.sort(), ["far.from-hub:2", "far.from-leaf:1"]);
  });

  test("two servers that are each other's leaf detect the loop", async () => {
    const [pa, pb] = [await freePort(), await freePort()];
    const conf = (listen: number, remote: number) => `leafnodes {\n listen: "127.0.0.1:${listen}"\n remotes = [ { url: "nats://127.0.0.1:${remote}" } ]\n}\n`;
    const a = await startServerProcess({ config: conf(pa, pb) });
    cleanup.after(() => a.stop("SIGKILL"));
    const b = await startServerProcess({ config: conf(pb, pa) });
    cleanup.after(() => b.stop("SIGKILL"));
    await waitFor("a loop to be reported", () => /Loop detected for leafnode account="\$G"/.test(a.output() + b.output()), 8000);
  });
});
