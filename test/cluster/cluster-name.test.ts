/**
 * Cluster names against nats-server 2.9.10: a nats-server started without a name (a dynamic one) is
 * offered a peer's name in the route CONNECT; whether it takes the name or refuses the route must be
 * what cluster-name.ts decides for the same names.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { decodeRouteInfo, encodeRouteConnect } from "../../src/protocol/route-info.js";
import { clusterNameMismatch, onRemoteConnect } from "../../src/server/cluster/cluster-name.js";
import { freePort, natsServerAvailable, startServerProcess } from "../helpers/server-process.js";

/** Dials nats-server's route port, sends CONNECT naming `cluster`; returns its INFO and what followed. */
async function offer(routePort: number, cluster: string, dynamic: boolean): Promise<{ info: string; reply: string; closed: boolean }> {
  const s = connect({ host: "127.0.0.1", port: routePort });
  let buf = "";
  let closed = false;
  s.on("data", (d: Buffer) => (buf += d.toString("latin1")));
  s.on("close", () => (closed = true));
  s.on("error", () => {});
  for (let k = 0; k < 100 && !buf.includes("\r\n"); k++) await new Promise((r) => setTimeout(r, 20));
  const info = buf.slice(0, buf.indexOf("\r\n") + 2);
  buf = "";
  s.write(
    encodeRouteConnect({ echo: true, verbose: false, pedantic: false, tlsRequired: false, headers: true, name: `NPEER${cluster}`, cluster, clusterDynamic: dynamic, lnoc: true }) +
      "PING\r\n",
  );
  for (let k = 0; k < 100 && !closed && !buf.includes("PONG\r\n"); k++) await new Promise((r) => setTimeout(r, 20));
  s.destroy();
  return { info, reply: buf, closed };
}

const CASES: [string, string, boolean][] = [
  ["a configured name is taken", "NAMED", false],
  ["a higher dynamic name is taken", "zzzzzzzzzzzzzzzzzzzzzz", true],
  ["a lower dynamic name is refused", "0000000000000000000000", true],
];

for (const [what, offered, dynamic] of CASES) {
  test(`a nats-server with a dynamic cluster name: ${what}`, async (t) => {
    if (!natsServerAvailable()) return t.skip("nats-server not installed");
    const routePort = await freePort();
    const ns = await startServerProcess({ impl: "nats-server", args: ["-cluster", `nats://127.0.0.1:${routePort}`, "-n", "S1"] });
    try {
      for (let k = 0; k < 100 && !ns.output().includes("Listening for route connections"); k++) await new Promise((r) => setTimeout(r, 20));
      const first = await offer(routePort, offered, dynamic);
      const info = decodeRouteInfo(first.info.slice(5, -3));
      assert.ok(info.ok);
      assert.equal(info.value.clusterDynamic, true);
      const theirs = info.value.cluster!;
      const decision = onRemoteConnect({ name: theirs, dynamic: true }, offered, dynamic);
      if (decision.kind === "reject") {
        assert.equal(first.reply, `-ERR '${clusterNameMismatch(offered, theirs)}'\r\n`);
        assert.equal(first.closed, true);
      } else {
        assert.equal(decision.kind, "adopt");
        assert.match(first.reply, /PONG\r\n/);
        assert.equal(first.closed, false);
        // The next route sees the adopted name.
        const next = await offer(routePort, offered, dynamic);
        const nextInfo = decodeRouteInfo(next.info.slice(5, -3));
        assert.ok(nextInfo.ok);
        assert.equal(nextInfo.value.cluster, offered);
      }
      // The case says what nats-server does, so that both cannot agree by doing nothing.
      assert.equal(decision.kind, what.endsWith("refused") ? "reject" : "adopt");
    } finally {
      await ns.stop();
    }
  });
}
