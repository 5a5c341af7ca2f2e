/**
 * A leaf user's own permissions on the hub (`authorization { users: [{ user, password, permissions }] }`,
 * checked as a client's when the `leafnodes` block has no authorization of its own): nats-server applies
 * them from the leaf's side — what the leaf publishes crosses only where the user may publish, and the
 * hub sends the leaf only what the user may subscribe to. The same test against a nats-server hub shows
 * that tsnats's hub behaves as nats-server 2.9.10's does.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { natsServerAvailable, type Impl } from "../helpers/server-process.js";
import type { NatsConnection } from "@nats-io/transport-node";
import { client, collect, dialLeafPort, startHub, startLeaf, waitFor } from "./leaf-support.js";

const USERS = `authorization { users: [
  { user: leaf, password: s, permissions: { publish: "up.ok.>", subscribe: { allow: "down.>", deny: "down.no.>" } } },
  { user: c, password: c }
] }`;

/** Publishes on `subject` until it shows up in `got` (the interest has crossed the link). */
async function probe(nc: NatsConnection, subject: string, got: string[]): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!got.some((g) => g.startsWith(`${subject}:`))) {
    if (Date.now() > deadline) throw new Error(`${subject} did not cross the link in 5 s`);
    nc.publish(subject, "p");
    await nc.flush();
    await new Promise((r) => setTimeout(r, 10));
  }
}

const SETUPS: { label: string; hub: Impl; leaf: Impl }[] = [
  { label: "tsnats hub, tsnats leaf", hub: "tsnats", leaf: "tsnats" },
  { label: "tsnats hub, nats-server leaf", hub: "tsnats", leaf: "nats-server" },
  { label: "nats-server hub, tsnats leaf (the reference)", hub: "nats-server", leaf: "tsnats" },
];

describe("a leaf user's permissions on the hub", () => {
  for (const s of SETUPS) {
    const skip = s.hub === "nats-server" || s.leaf === "nats-server" ? (natsServerAvailable() ? undefined : "nats-server is not installed") : undefined;
    test(`${s.label}: the leaf publishes only where it may, and receives only what it may subscribe to`, { skip }, async (t) => {
      const hub = await startHub(t, s.hub, USERS);
      const leaf = await startLeaf(t, s.leaf, `{ url: "${hub.leafUrl("leaf", "s")}" }`);
      const [central, edge] = await Promise.all([client(t, hub.srv, { user: "c", pass: "c" }), client(t, leaf)]);
      const atHub = collect(central, "up.>");
      const atEdge = collect(edge, "down.>");
      // The usual probes (`_probe.*`) are outside the permissions: probe on allowed subjects instead.
      await Promise.all([probe(edge, "up.ok.probe", atHub), probe(central, "down.ok.probe", atEdge)]);
      atHub.length = atEdge.length = 0;
      for (const subject of ["up.no.1", "up.ok.1"]) edge.publish(subject, "e");
      for (const subject of ["down.no.1", "down.other.1", "down.ok.1"]) central.publish(subject, "c");
      // The last of each batch is allowed: once it is in, the denied ones before it would have arrived too.
      await waitFor(() => JSON.stringify([atHub, atEdge]), () => atHub.includes("up.ok.1:e") && atEdge.includes("down.ok.1:c"));
      await Promise.all([central.flush(), edge.flush()]);
      assert.deepEqual(atHub, ["up.ok.1:e"]);
      assert.deepEqual(atEdge, ["down.other.1:c", "down.ok.1:c"]);
    });
  }

  test("the tsnats hub tells the leaf its permissions and enforces them on a leaf that ignores them", async (t) => {
    const hub = await startHub(t, "tsnats", USERS);
    const central = await client(t, hub.srv, { user: "c", pass: "c" });
    const atHub = collect(central, "up.>");
    await central.flush();
    const sock = await dialLeafPort(hub.leafPort);
    t.after(() => sock.destroy());
    let text = "";
    sock.on("data", (d: Buffer) => void (text += d.toString()));
    await waitFor("the hub's INFO", () => text.includes("\r\n"));
    sock.write(`CONNECT {"user":"leaf","pass":"s","headers":true,"name":"rogue"}\r\n`);
    await waitFor("the connect_info INFO", () => text.includes('"connect_info":true'));
    const second = text.split("\r\n").find((l) => l.includes('"connect_info":true'))!;
    const info = JSON.parse(second.slice(5)) as { import?: unknown; export?: unknown };
    assert.deepEqual([info.export, info.import], [{ allow: ["up.ok.>"] }, { allow: ["down.>"], deny: ["down.no.>"] }]);
    sock.write("LMSG up.no.1 1\r\nx\r\nLMSG up.ok.1 1\r\ny\r\n");
    await waitFor(() => JSON.stringify(atHub), () => atHub.includes("up.ok.1:y"));
    await central.flush();
    assert.deepEqual(atHub, ["up.ok.1:y"]);
  });
});
