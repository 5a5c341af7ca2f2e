/**
 * TLS on the leaf link: a hub with `leafnodes { tls { ... verify } }` and leaves whose remote has a `tls`
 * block (mutual TLS), tsnats with tsnats and mixed with nats-server 2.9.10 both ways. And the security
 * property: a link that asked for TLS never speaks plain text — a leaf whose remote asks for TLS answers a
 * plain hub's INFO with a TLS hello, never CONNECT; a TLS hub says tls_required and drops a plain CONNECT.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { once } from "node:events";
import { freePort, natsServerAvailable, type Impl } from "../helpers/server-process.js";
import { pki } from "../tls/pki.js";
import { routed } from "./support.js";
import { client, collect, dialLeafPort, startHub, startLeaf, waitFor } from "./leaf-support.js";

function hubTls(): string {
  const p = pki();
  return `tls { cert_file: "${p.server.cert}", key_file: "${p.server.key}", ca_file: "${p.ca.cert}", verify: true, timeout: 2 }`;
}

function remoteTls(): string {
  const p = pki();
  return `tls { cert_file: "${p.route.cert}", key_file: "${p.route.key}", ca_file: "${p.ca.cert}" }`;
}

/** The first bytes a socket receives, or "" when it is closed first. */
function firstBytes(s: Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    s.once("data", (d: Buffer) => resolve(d));
    s.once("close", () => resolve(Buffer.alloc(0)));
  });
}

const SETUPS: { label: string; hub: Impl; leaf: Impl }[] = [
  { label: "tsnats leaf, tsnats hub", hub: "tsnats", leaf: "tsnats" },
  { label: "tsnats leaf, nats-server hub", hub: "nats-server", leaf: "tsnats" },
  { label: "nats-server leaf, tsnats hub", hub: "tsnats", leaf: "nats-server" },
];

describe("leaf nodes over TLS", () => {
  for (const s of SETUPS) {
    const skip = s.hub === "nats-server" || s.leaf === "nats-server" ? (natsServerAvailable() ? undefined : "nats-server is not installed") : undefined;
    test(`${s.label}: mutual TLS, messages cross both ways`, { skip }, async (t) => {
      const hub = await startHub(t, s.hub, "", hubTls());
      const leaf = await startLeaf(t, s.leaf, `{ url: "tls://127.0.0.1:${hub.leafPort}", ${remoteTls()} }`);
      const [central, edge] = await Promise.all([client(t, hub.srv), client(t, leaf)]);
      const atHub = collect(central, "up.>");
      const atEdge = collect(edge, "down.>");
      await routed(edge, [central]);
      await routed(central, [edge]);
      edge.publish("up.a", "1");
      central.publish("down.b", "2");
      await waitFor("both messages", () => atHub.length === 1 && atEdge.length === 1);
      assert.deepEqual([atHub, atEdge], [["up.a:1"], ["down.b:2"]]);
    });
  }

  test("a hub with verify refuses a leaf that has no certificate", async (t) => {
    const hub = await startHub(t, "tsnats", "", hubTls());
    const leaf = await startLeaf(t, "tsnats", `{ url: "tls://127.0.0.1:${hub.leafPort}", tls { ca_file: "${pki().ca.cert}" } }`);
    await waitFor("the hub's handshake error", () => hub.srv.output().includes("TLS leafnode handshake error"));
    assert.match(hub.srv.output(), /TLS leafnode handshake error: tls: client didn't provide a certificate/);
    assert.doesNotMatch(hub.srv.output() + leaf.output(), /Leafnode connection registered/);
  });

  test("a leaf whose remote asks for TLS answers a plain hub's INFO with a TLS hello, not CONNECT", async (t) => {
    const got: Buffer[] = [];
    const fake = createServer((sock) => {
      sock.write(`INFO {"server_id":"FAKE","version":"2.9.10","proto":1,"headers":true,"max_payload":1048576,"client_id":1,"leafnode_urls":["127.0.0.1:1"],"nonce":"abc"}\r\n`);
      void firstBytes(sock).then((b) => {
        got.push(b);
        sock.destroy();
      });
    });
    const port = await freePort();
    fake.listen(port, "127.0.0.1");
    await once(fake, "listening");
    t.after(() => fake.close());
    await startLeaf(t, "tsnats", `{ url: "nats://127.0.0.1:${port}", ${remoteTls()} }`);
    await waitFor("the leaf's first bytes", () => got.length > 0);
    assert.equal(got[0]![0], 0x16, `expected a TLS handshake record, got ${JSON.stringify(got[0]!.toString("latin1").slice(0, 40))}`);
    assert.ok(!got[0]!.toString("latin1").includes("CONNECT"));
  });

  test("a TLS hub says tls_required and verify, and drops a leaf that sends CONNECT in plain text", async (t) => {
    const hub = await startHub(t, "tsnats", "", hubTls());
    const sock = await dialLeafPort(hub.leafPort);
    t.after(() => sock.destroy());
    const info = (await firstBytes(sock)).toString();
    assert.match(info, /^INFO /);
    const parsed = JSON.parse(info.slice(5)) as { tls_required?: boolean; tls_verify?: boolean };
    assert.equal(parsed.tls_required, true);
    assert.equal(parsed.tls_verify, true);
    const closed = once(sock, "close");
    const answer: Buffer[] = [];
    sock.on("data", (d: Buffer) => void answer.push(d));
    sock.write(`CONNECT {"name":"plain","headers":true}\r\nLS+ x\r\nPING\r\n`);
    await closed;
    // No PONG, no INFO with connect_info: nothing of the plain-text protocol was taken.
    assert.equal(Buffer.concat(answer).toString(), "");
  });
});
