import { test } from "node:test";
import assert from "node:assert/strict";
import { connect, createServer } from "node:net";
import { parseFlags } from "../../../src/config/flags.js";
import { resolveOptions } from "../../../src/config/resolve.js";
import { goDialError } from "../../../src/server/cluster/dial-error.js";
import { initialClusterName, topologyConfig } from "../../../src/server/cluster/topology-config.js";

test("the seed's flags give the topology its routes, nats-server's timings and the cluster name", () => {
  const { options } = resolveOptions(
    parseFlags(["-js", "-n", "n1", "-cluster_name=mycluster", "-cluster=nats://0.0.0.0:6222", "-routes=nats://nats-2:6222,nats://u:p@nats-3:6222"]),
  );
  const name = initialClusterName(options, () => "RANDOM");
  assert.deepEqual(name, { name: "mycluster", dynamic: false });
  const random = () => 0.25;
  assert.deepEqual(topologyConfig(options, "NID", name, random), {
    serverId: "NID",
    serverName: "n1",
    clusterName: { name: "mycluster", dynamic: false },
    routes: [{ hostPort: "nats-2:6222" }, { hostPort: "nats-3:6222", username: "u", password: "p" }],
    connectRetries: 0,
    advertise: true,
    connectDelayMs: 1000,
    reconnectDelayMs: 1000,
    reconnectJitterMs: 100,
    backoff: false,
    maxConnectDelayMs: 30_000,
    connectErrorReports: 3600,
    reconnectErrorReports: 1,
    random,
  });
  // No name configured: a random, dynamic one.
  const unnamed = resolveOptions(parseFlags(["-cluster=nats://127.0.0.1:-1"])).options;
  assert.deepEqual(initialClusterName(unnamed, () => "RANDOM"), { name: "RANDOM", dynamic: true });
});

test("dial failures read as Go's", async () => {
  // A real refusal, as Node reports it.
  const srv = createServer();
  await new Promise<void>((res) => srv.listen(0, "127.0.0.1", res));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((res) => srv.close(() => res()));
  const err = await new Promise<NodeJS.ErrnoException>((res) => connect({ host: "127.0.0.1", port }).once("error", res));
  assert.equal(goDialError(`127.0.0.1:${port}`, err), `dial tcp 127.0.0.1:${port}: connect: connection refused`);
  assert.equal(goDialError("10.0.0.1:6222", { code: "ETIMEDOUT", message: "x" }), "dial tcp 10.0.0.1:6222: i/o timeout");
  assert.equal(goDialError("nats-2:6222", { code: "ENOTFOUND", message: "x" }, "nats-2"), "dial tcp: lookup nats-2: no such host");
  assert.equal(goDialError("h:1", { code: "EWEIRD", message: "weird" }), "dial tcp h:1: weird");
});
