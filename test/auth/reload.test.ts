/**
 * SIGHUP with changed users, permissions and accounts: clients whose credentials still hold stay
 * connected (taking their new permissions); the others are closed with 'Authorization Violation'.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { describe, test } from "node:test";
import { errors } from "@nats-io/transport-node";
import { tempFile } from "../helpers/server-process.js";
import { IMPL, serverFor, settle, waitUntil, within } from "../e2e/support.js";
import { connectOk, connectRefused, logShows, serverErrors } from "./support.js";

const BEFORE = `
authorization { users: [
  { user: alice, password: a }
  { user: bob, password: b }
  { user: carol, password: c }
] }
accounts { T: { users: [ { user: tina, password: t } ] } }
`;

const AFTER = `
authorization { users: [
  { user: alice, password: a, permissions: { publish: "a.>", subscribe: "a.>" } }
  { user: carol, password: changed }
  { user: dave, password: d }
] }
accounts { T: { users: [ { user: tina, password: t } ] }, U: { users: [ { user: tom, password: t } ] } }
`;

describe(`reload [${IMPL}]`, () => {
  test("changed users, permissions and accounts apply on SIGHUP without harming valid clients", async (t) => {
    const file = tempFile("reload.conf", BEFORE);
    const srv = await serverFor(t, { args: ["-c", file] });
    const alice = await connectOk(t, srv, { user: "alice", pass: "a" });
    const bob = await connectOk(t, srv, { user: "bob", pass: "b" });
    const carol = await connectOk(t, srv, { user: "carol", pass: "c" });
    const tina = await connectOk(t, srv, { user: "tina", pass: "t" });
    const aliceErrs = serverErrors(alice);
    const bobErrs = serverErrors(bob);
    const aliceGot: string[] = [];
    alice.subscribe("a.x", { callback: (_e, m) => void aliceGot.push(m.subject) });
    alice.subscribe("b.x");
    await alice.flush();
    await connectRefused(srv, { user: "dave", pass: "d" });

    writeFileSync(file, AFTER);
    process.kill(srv.pid, "SIGHUP");
    await logShows(srv, /Reloaded server configuration/);

    await within(bob.closed(), 5000, "bob's close");
    await within(carol.closed(), 5000, "carol's close");
    // Deliberate difference: nats-server 2.9.10 closes such clients without a word (reason "Client Closed");
    // tsnats tells them 'Authorization Violation' first, so clients stop retrying credentials that are gone.
    if (IMPL === "tsnats") assert.ok(bobErrs.some((e) => e instanceof errors.AuthorizationError), `bob was told: ${bobErrs.join(", ")}`);
    assert.equal(alice.isClosed(), false);
    assert.equal(tina.isClosed(), false);
    await tina.flush();

    // alice keeps a.x, loses b.x (with the -ERR) and may now publish only to a.>.
    await waitUntil(() => aliceErrs.some((e) => e instanceof errors.PermissionViolationError && e.subject === "b.x"), 5000, "the -ERR for b.x");
    alice.publish("a.x");
    alice.publish("c.x");
    await waitUntil(() => aliceErrs.some((e) => e instanceof errors.PermissionViolationError && e.subject === "c.x"), 5000, "the -ERR for c.x");
    await settle(alice);
    assert.deepEqual(aliceGot, ["a.x"]);

    const dave = await connectOk(t, srv, { user: "dave", pass: "d" });
    await dave.flush();
    const tom = await connectOk(t, srv, { user: "tom", pass: "t" });
    await tom.flush();
    await connectRefused(srv, { user: "carol", pass: "c" });
  });
});
