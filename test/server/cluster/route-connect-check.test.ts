import { test } from "node:test";
import assert from "node:assert/strict";
import { withDefaults, type ClusterOptions } from "../../../src/config/options.js";
import type { RouteConnect } from "../../../src/protocol/route-info.js";
import { checkRouteConnect } from "../../../src/server/cluster/route-connect-check.js";

const cluster = (c: Partial<ClusterOptions> = {}) => withDefaults({ cluster: { port: 6222, ...c } }).cluster!;
const connect = (c: Partial<RouteConnect> = {}): RouteConnect => ({
  echo: true,
  verbose: false,
  pedantic: false,
  tlsRequired: false,
  headers: true,
  name: "NID",
  cluster: "C",
  ...c,
});
const AUTH = { ok: false, err: "Authorization Violation", log: "authentication error", reason: "Authentication Failure" };

test("without cluster credentials: routes pass; a client or a gateway on the route port does not", () => {
  assert.deepEqual(checkRouteConnect(cluster(), connect()), { ok: true });
  assert.deepEqual(checkRouteConnect(cluster(), connect({ lang: "node" })), {
    ok: false,
    err: "attempted to connect to route port",
    log: "attempted to connect to route port",
    reason: "Wrong Port",
  });
  assert.deepEqual(checkRouteConnect(cluster(), connect({ gateway: "G1" })), {
    ok: false,
    err: 'Rejecting connection from gateway "G1" on the Route port',
    log: 'Rejecting connection from gateway "G1" on the Route port',
    reason: "Wrong Gateway",
  });
});

test("with cluster credentials they are checked first (as nats-server: a client there is an Authorization Violation)", () => {
  const c = cluster({ username: "ru", password: "rp" });
  assert.deepEqual(checkRouteConnect(c, connect({ user: "ru", pass: "rp" })), { ok: true });
  assert.deepEqual(checkRouteConnect(c, connect()), AUTH);
  assert.deepEqual(checkRouteConnect(c, connect({ user: "ru", pass: "no" })), AUTH);
  assert.deepEqual(checkRouteConnect(c, connect({ user: "x", pass: "rp" })), AUTH);
  assert.deepEqual(checkRouteConnect(c, connect({ lang: "node" })), AUTH);
  assert.deepEqual(checkRouteConnect(c, connect({ user: "ru", pass: "rp", gateway: "G" })), {
    ok: false,
    err: 'Rejecting connection from gateway "G" on the Route port',
    log: 'Rejecting connection from gateway "G" on the Route port',
    reason: "Wrong Gateway",
  });
});

test("a bcrypt cluster password is checked asynchronously", async () => {
  // bcrypt of "rp" (cost 4).
  const hash = "$2b$04$4ItDL4Y1a6VelZmIJQLCSepsAGru/7ApksZsbUEdPjQ7Weekas4Zm";
  const c = cluster({ username: "ru", password: hash });
  const bad = await checkRouteConnect(c, connect({ user: "ru", pass: "no" }));
  assert.deepEqual(bad, AUTH);
  const good = await checkRouteConnect(c, connect({ user: "ru", pass: "rp" }));
  assert.equal(good.ok, true);
});
