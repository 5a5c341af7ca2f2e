import { test } from "node:test";
import assert from "node:assert/strict";
import { withDefaults, type ClusterOptions } from "../../../src/config/options.js";
import { localRouteInfo, routeConnect, type LocalServer } from "../../../src/server/cluster/route-handshake.js";
import { defaultTlsOptions } from "../../../src/config/tls-options.js";

const me: LocalServer = {
  serverId: "NID",
  serverName: "n1",
  version: "2.11.0",
  go: "tsnats",
  maxPayload: 1048576,
  headers: true,
  jetstream: false,
  clusterName: { name: "C", dynamic: false },
  listenHost: "0.0.0.0",
  listenPort: 6222,
  clientConnectUrls: ["10.0.0.1:4222", "10.0.0.2:4222"],
};

const cluster = (c: Partial<ClusterOptions>) => withDefaults({ cluster: { port: 6222, ...c } }).cluster!;

test("the route INFO from the options: auth, TLS, permissions, JetStream, a dynamic name, client URLs", () => {
  assert.deepEqual(localRouteInfo(cluster({}), me), {
    serverId: "NID",
    serverName: "n1",
    version: "2.11.0",
    proto: 2,
    go: "tsnats",
    host: "0.0.0.0",
    port: 6222,
    headers: true,
    maxPayload: 1048576,
    cluster: "C",
    connectUrls: ["10.0.0.1:4222", "10.0.0.2:4222"],
    lnoc: true,
  });
  const full = localRouteInfo(
    cluster({ username: "u", password: "p", tls: defaultTlsOptions(), permissions: { import: { allow: ["a"] }, export: { deny: ["b"] } } }),
    { ...me, jetstream: true, clusterName: { name: "xyz", dynamic: true } },
  );
  assert.equal(full.authRequired, true);
  assert.equal(full.tlsRequired, true);
  assert.equal(full.tlsVerify, true);
  assert.equal(full.jetstream, true);
  assert.equal(full.clusterDynamic, true);
  assert.deepEqual(full.import, { allow: ["a"] });
  assert.deepEqual(full.export, { deny: ["b"] });
  // no_advertise keeps client URLs out.
  assert.equal(localRouteInfo(cluster({ noAdvertise: true }), me).connectUrls, undefined);
});

test("an advertised address replaces the listener's and is where gossip sends peers", () => {
  const a = localRouteInfo(cluster({ advertise: "nats-1.example:7222" }), me);
  assert.deepEqual([a.host, a.port, a.ip], ["nats-1.example", 7222, "nats-route://nats-1.example:7222/"]);
  // Without a port (or with 0 / -1): the listener's.
  const b = localRouteInfo(cluster({ advertise: "nats-1.example" }), me);
  assert.deepEqual([b.host, b.port, b.ip], ["nats-1.example", 6222, "nats-route://nats-1.example:6222/"]);
  const c = localRouteInfo(cluster({ advertise: "[::1]:-1" }), me);
  assert.deepEqual([c.host, c.port, c.ip], ["::1", 6222, "nats-route://[::1]:6222/"]);
});

test("the route CONNECT: credentials only from the route URL, our id and cluster name", () => {
  assert.deepEqual(routeConnect({ hostPort: "h:1" }, me, false), {
    echo: true,
    verbose: false,
    pedantic: false,
    tlsRequired: false,
    headers: true,
    name: "NID",
    cluster: "C",
    lnoc: true,
  });
  const withCreds = routeConnect({ hostPort: "h:1", username: "u", password: "p" }, { ...me, clusterName: { name: "d", dynamic: true } }, true);
  assert.deepEqual([withCreds.user, withCreds.pass, withCreds.tlsRequired, withCreds.clusterDynamic], ["u", "p", true, true]);
});
