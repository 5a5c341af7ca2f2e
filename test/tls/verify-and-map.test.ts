/**
 * verify_and_map: the client certificate names the user (email, DNS or URI alternative name, or the
 * subject DN), who then has that user's permissions. Same tests against nats-server.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { freePort, natsServerAvailable, type Impl } from "../helpers/server-process.js";
import { pki } from "./pki.js";
import { connectError, connz, tlsBlock, tlsClient, tlsOpts, tlsServer } from "./support.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];
if (!natsServerAvailable()) test("nats-server differential cases", { skip: "nats-server is not installed" }, () => {});

const USERS = `authorization {
  users = [
    { user: "alice@example.com", permissions: { publish: "allowed.>", subscribe: "_INBOX.>" } }
    { user: "CN=bob,O=Acme" }
    { user: "O=Acme,OU=Dev,CN=carol" }
  ]
}
`;

for (const impl of IMPLS) {
  test(`${impl}: users come from the certificate (email SAN, then subject), with their permissions`, async (t) => {
    const p = pki();
    const mon = await freePort();
    const srv = await tlsServer(t, `${tlsBlock("verify_and_map: true")}${USERS}`, impl, ["-m", String(mon)]);
    const alice = await tlsClient(t, srv, tlsOpts(p.alice), { name: "alice" });
    const bob = await tlsClient(t, srv, tlsOpts(p.bob), { name: "bob" });
    await alice.flush();
    await bob.flush();
    const users = new Map((await connz(mon)).map((c) => [c.name, c.authorized_user]));
    assert.equal(users.get("alice"), "alice@example.com");
    assert.equal(users.get("bob"), "CN=bob,O=Acme");

    const errors: string[] = [];
    void (async () => {
      for await (const s of alice.status()) if (s.type === "error") errors.push(String(s.error));
    })();
    alice.publish("denied", "x");
    await alice.flush();
    const sub = bob.subscribe("allowed.>", { max: 1 });
    await bob.flush();
    alice.publish("allowed.one", "ok");
    for await (const m of sub) assert.equal(m.string(), "ok");
    assert.match(errors.join("\n"), /Permissions Violation for Publish to "denied"/i);
  });

  test(`${impl}: a certificate that names no user, or a CONNECT user other than the certificate's, is refused`, async (t) => {
    const p = pki();
    const srv = await tlsServer(t, `${tlsBlock("verify_and_map: true")}authorization { users = [ { user: "someone" }, { user: "alice@example.com" } ] }\n`, impl);
    assert.match((await connectError(srv, tlsOpts(p.bob))).message, /Authorization Violation/i);
    assert.match((await connectError(srv, tlsOpts(p.alice), { user: "someone", pass: "x" })).message, /Authorization Violation/i);
    await (await tlsClient(t, srv, tlsOpts(p.alice), { user: "alice@example.com" })).flush();
    await connectError(srv, tlsOpts());
  });
}
