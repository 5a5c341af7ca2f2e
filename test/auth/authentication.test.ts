/**
 * Every authentication method through nats.js, with success and failure: single user/password, token,
 * a users list with plain and bcrypt ($2a$, as `nats server passwd` writes) passwords, nkey users
 * (signed nonce), no_auth_user, auth_timeout. Failures are 'Authorization Violation' and a close,
 * logged with the client's address; the client learns nothing more.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import bcrypt from "bcryptjs";
import { createUser } from "@nats-io/nkeys";
import { nkeyAuthenticator, tokenAuthenticator } from "@nats-io/transport-node";
import { RawClient } from "../e2e/raw-client.js";
import { IMPL, serverFor } from "../e2e/support.js";
import { connectOk, connectRefused, logShows } from "./support.js";

const AUTH_VIOLATION = "-ERR 'Authorization Violation'\r\n";

/** A bcrypt hash the way the nats tooling writes it: `$2a$`, cost 11. */
const hashed = (pw: string) => bcrypt.hashSync(pw, 11).replace(/^\$2b\$/, "$2a$");

describe(`authentication [${IMPL}]`, () => {
  test("single user/password: accepted, wrong password and no credentials refused and logged with the address", async (t) => {
    const srv = await serverFor(t, { config: `authorization { user: app, password: "s3cret" }` });
    const nc = await connectOk(t, srv, { user: "app", pass: "s3cret" });
    await nc.flush();
    await connectRefused(srv, { user: "app", pass: "wrong" });
    await connectRefused(srv, {});
    // With a single configured user nats-server does not name the user; it tags the client by CONNECT's version and lang.
    await logShows(srv, /\[ERR\] 127\.0\.0\.1:\d+ - cid:\d+ - "v[\d.]+:nats\.js" - authentication error\n/);
  });

  test("the client only ever sees 'Authorization Violation', then the close", async (t) => {
    const srv = await serverFor(t, { config: `authorization { user: app, password: "s3cret" }` });
    const c = await RawClient.open(srv.port, 'CONNECT {"verbose":false,"user":"app","pass":"nope"}\r\n');
    await c.waitClosed();
    assert.equal(c.text().slice(c.text().indexOf("\r\n") + 2), AUTH_VIOLATION);
    assert.equal(c.info().auth_required, true);
    const early = await RawClient.open(srv.port, "PING\r\n");
    await early.waitClosed();
    assert.equal(early.text().slice(early.text().indexOf("\r\n") + 2), AUTH_VIOLATION);
  });

  test("token: accepted, wrong and missing token refused", async (t) => {
    const srv = await serverFor(t, { config: `authorization { token: "t0ken" }` });
    const nc = await connectOk(t, srv, { authenticator: tokenAuthenticator("t0ken") });
    await nc.flush();
    await connectRefused(srv, { authenticator: tokenAuthenticator("other") });
    await connectRefused(srv, { user: "x", pass: "y" });
  });

  test("users list with bcrypt ($2a$11$) and plain passwords", async (t) => {
    const srv = await serverFor(t, {
      config: `authorization { users: [ {user: a, password: "${hashed("pa")}"}, {user: b, password: "pb"} ] }`,
    });
    for (let i = 0; i < 2; i++) {
      const nc = await connectOk(t, srv, { user: "a", pass: "pa" });
      await nc.flush();
    }
    await connectOk(t, srv, { user: "b", pass: "pb" });
    await connectRefused(srv, { user: "a", pass: "pb" });
    await connectRefused(srv, { user: "b", pass: "pa" });
    await connectRefused(srv, { user: "c", pass: "pa" });
    await logShows(srv, /\[ERR\] 127\.0\.0\.1:\d+ - cid:\d+ - "v[\d.]+:nats\.js" - authentication error - User "c"\n/);
  });

  test("a bcrypt check does not lose ops pipelined behind CONNECT", async (t) => {
    const srv = await serverFor(t, { config: `authorization { users: [ {user: a, password: "${hashed("pa")}"} ] }` });
    const c = await RawClient.open(srv.port, 'CONNECT {"verbose":false,"user":"a","pass":"pa"}\r\nSUB x 1\r\nPUB x 2\r\nhi\r\nPING\r\n');
    await c.waitFor("PONG\r\n");
    assert.deepEqual(c.messages().map((m) => [m.subject, m.payload.toString()]), [["x", "hi"]]);
    c.destroy();
  });

  test("nkey users: INFO carries a nonce; a signature by the right key is accepted, others refused", async (t) => {
    const user = createUser();
    const stranger = createUser();
    const srv = await serverFor(t, { config: `authorization { users: [ {nkey: ${user.getPublicKey()}} ] }` });
    const raw = await RawClient.open(srv.port, null);
    assert.match(String(raw.info().nonce), /^[A-Za-z0-9_-]{15}$/);
    raw.destroy();
    const nc = await connectOk(t, srv, { authenticator: nkeyAuthenticator(user.getSeed()) });
    await nc.flush();
    await connectRefused(srv, { authenticator: nkeyAuthenticator(stranger.getSeed()) });
    const forged = await RawClient.open(srv.port, null);
    forged.send(`CONNECT ${JSON.stringify({ verbose: false, nkey: user.getPublicKey(), sig: "AAAA" })}\r\n`);
    await forged.waitClosed();
    assert.ok(forged.text().endsWith(AUTH_VIOLATION));
    await logShows(srv, new RegExp(`authentication error - Nkey "${user.getPublicKey()}"`));
  });

  test("no_auth_user: clients without credentials become that user (and get its permissions); INFO does not ask for auth", async (t) => {
    const srv = await serverFor(t, {
      config: `authorization { users: [ {user: guest, password: g, permissions: {publish: "public.>"}}, {user: admin, password: adm} ] }
no_auth_user: guest`,
    });
    const raw = await RawClient.open(srv.port, null);
    assert.equal(raw.info().auth_required, undefined);
    raw.send('CONNECT {"verbose":false}\r\nPUB secret 0\r\n\r\nPUB public.x 0\r\n\r\nPING\r\n');
    await raw.waitFor("PONG\r\n");
    assert.match(raw.text(), /-ERR 'Permissions Violation for Publish to "secret"'\r\nPONG\r\n$/);
    raw.destroy();
    const admin = await connectOk(t, srv, { user: "admin", pass: "adm" });
    await admin.flush();
    await connectRefused(srv, { user: "admin", pass: "wrong" });
  });

  test("auth_timeout: a client that never sends CONNECT is told 'Authentication Timeout' and closed", async (t) => {
    const srv = await serverFor(t, { config: `authorization { user: a, password: b, timeout: 0.5 }` });
    const c = await RawClient.open(srv.port, null);
    await c.waitClosed(5000);
    assert.ok(c.text().endsWith("-ERR 'Authentication Timeout'\r\n"), c.text());
  });

  test("allowed_connection_types without STANDARD refuses a plain client", async (t) => {
    const srv = await serverFor(t, {
      config: `authorization { users: [ {user: ws, password: p, allowed_connection_types: ["WEBSOCKET"]}, {user: std, password: p, allowed_connection_types: ["STANDARD"]} ] }`,
    });
    await connectRefused(srv, { user: "ws", pass: "p" });
    const nc = await connectOk(t, srv, { user: "std", pass: "p" });
    await nc.flush();
  });
});
