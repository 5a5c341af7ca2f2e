/**
 * The topology state machine, one rule at a time, with a fake clock: retries and backoff, gossip,
 * duplicate routes, routes to self, cluster names, servers that leave.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { RouteInfo } from "../../../src/protocol/route-info.js";
import { ClusterTopology } from "../../../src/server/cluster/topology.js";
import type { TopologyAction, TopologyConfig, TopologyEvent } from "../../../src/server/cluster/topology-types.js";
import { Rng } from "../../fuzz/prng.js";

function config(over: Partial<TopologyConfig> = {}): TopologyConfig {
  return {
    serverId: "SELF",
    serverName: "self",
    clusterName: { name: "C", dynamic: false },
    routes: [],
    connectRetries: 0,
    advertise: true,
    connectDelayMs: 1000,
    reconnectDelayMs: 1000,
    reconnectJitterMs: 100,
    backoff: false,
    maxConnectDelayMs: 30_000,
    connectErrorReports: 3600,
    reconnectErrorReports: 1,
    random: () => 0.5,
    ...over,
  };
}

function info(id: string, over: Partial<RouteInfo> = {}): RouteInfo {
  return {
    serverId: id,
    serverName: id.toLowerCase(),
    version: "2.9.10",
    proto: 2,
    go: "go",
    host: `${id.toLowerCase()}.host`,
    port: 6222,
    headers: true,
    maxPayload: 1048576,
    cluster: "C",
    connectUrls: [`${id.toLowerCase()}.host:4222`],
    lnoc: true,
    ...over,
  };
}

/** A topology with a clock and the actions it returned, by kind. */
class Harness {
  now = 0;
  readonly t: ClusterTopology;
  last: TopologyAction[] = [];

  constructor(cfg: TopologyConfig) {
    this.t = new ClusterTopology(cfg);
  }

  on(e: TopologyEvent): TopologyAction[] {
    return (this.last = this.t.handle(e, this.now));
  }

  at(ms: number): TopologyAction[] {
    this.now = ms;
    return this.on({ kind: "tick" });
  }

  of<K extends TopologyAction["kind"]>(kind: K, actions = this.last): Extract<TopologyAction, { kind: K }>[] {
    return actions.filter((a): a is Extract<TopologyAction, { kind: K }> => a.kind === kind);
  }

  /** An accepted route whose peer sent CONNECT and INFO. */
  acceptPeer(connId: number, i: RouteInfo, remoteIp = "10.0.0.9"): TopologyAction[] {
    this.on({ kind: "accepted", connId });
    const a = this.on({ kind: "connect", connId, connect: connectFrom(i) });
    return [...a, ...this.on({ kind: "info", connId, info: i, remoteIp })];
  }
}

function connectFrom(i: RouteInfo) {
  return { echo: false, verbose: false, pedantic: false, tlsRequired: false, headers: true, name: i.serverId, cluster: i.cluster ?? "", ...(i.clusterDynamic && { clusterDynamic: true }) };
}

test("a configured route is dialled at start and redialled every second, for ever", () => {
  const h = new Harness(config({ routes: [{ hostPort: "b:6222" }] }));
  const [dial] = h.of("dial", h.on({ kind: "start" }));
  assert.deepEqual(dial, { kind: "dial", dialId: 1, target: { hostPort: "b:6222" }, type: "explicit" });
  for (let attempt = 1; attempt <= 50; attempt++) {
    const a = h.on({ kind: "dialFailed", dialId: 1, error: "connection refused" });
    // Errors of a first connection: logged on attempt 1, then quietly (every 3600th).
    assert.deepEqual(h.of("log", a), [
      { kind: "log", level: attempt === 1 ? "error" : "debug", text: `Error trying to connect to route (attempt ${attempt}): connection refused` },
    ]);
    assert.equal(h.t.nextWakeAt(), h.now + 1000);
    assert.deepEqual(h.at(h.now + 999), []);
    assert.deepEqual(h.of("dial", h.at(h.now + 1)).length, 1);
  }
});

test("with backoff the delay doubles up to the maximum", () => {
  const h = new Harness(config({ routes: [{ hostPort: "b:6222" }], backoff: true, maxConnectDelayMs: 8000 }));
  h.on({ kind: "start" });
  const delays: number[] = [];
  for (let k = 0; k < 6; k++) {
    h.on({ kind: "dialFailed", dialId: 1, error: "refused" });
    const at = h.t.nextWakeAt()!;
    delays.push(at - h.now);
    h.at(at);
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 8000, 8000]);
});

test("gossip: a peer's news of another server is dialled as an implicit route, tried 1 + connect_retries times", () => {
  for (const retries of [0, 2]) {
    const h = new Harness(config({ connectRetries: retries, username: "ru", password: "rp" }));
    h.on({ kind: "start" });
    h.acceptPeer(1, info("B"));
    // B tells us about D (an async INFO with another server id).
    const a = h.on({ kind: "info", connId: 1, info: info("D", { ip: "nats-route://10.0.0.4:6222/", authRequired: true }), remoteIp: "10.0.0.9" });
    assert.deepEqual(h.of("dial", a), [
      { kind: "dial", dialId: 1, target: { hostPort: "10.0.0.4:6222", username: "ru", password: "rp" }, type: "implicit" },
    ]);
    let attempts = 0;
    for (;;) {
      h.on({ kind: "dialFailed", dialId: 1, error: "refused" });
      attempts++;
      const at = h.t.nextWakeAt();
      if (at === undefined) break;
      assert.equal(h.of("dial", h.at(at)).length, 1);
    }
    assert.equal(attempts, 1 + retries);
  }
});

test("gossip is not dialled for ourselves, a server already connected, or one configured anyway", () => {
  const h = new Harness(config({ routes: [{ hostPort: "D.host:6222" }] }));
  h.on({ kind: "start" });
  h.acceptPeer(10, info("B"));
  h.acceptPeer(11, info("E"));
  for (const news of [info("SELF", { ip: "nats-route://x:1/" }), info("E", { ip: "nats-route://e:1/" }), info("D", { ip: "nats-route://d:1/" })]) {
    assert.deepEqual(h.of("dial", h.on({ kind: "info", connId: 10, info: news, remoteIp: "1.1.1.1" })), []);
  }
});

test("a new route's INFO is forwarded to the other routes, without its nonce, with where to dial it", () => {
  const h = new Harness(config());
  h.on({ kind: "start" });
  const first = h.acceptPeer(1, info("B", { nonce: "n1" }));
  assert.deepEqual(h.of("forwardInfo", first), [], "the only route: nobody to tell");
  assert.deepEqual(h.of("registered", first), [{ kind: "registered", connId: 1, remoteId: "B", remoteName: "b" }]);
  const second = h.acceptPeer(2, info("D", { nonce: "n2" }), "10.0.0.4");
  const [fwd] = h.of("forwardInfo", second);
  assert.deepEqual(fwd!.connIds, [1]);
  assert.equal(fwd!.info.nonce, undefined);
  assert.equal(fwd!.info.ip, "nats-route://10.0.0.4:6222/");
  // An advertised address is kept as the peer gave it.
  const third = h.acceptPeer(3, info("E", { ip: "nats-route://adv:7000/" }), "10.0.0.5");
  assert.equal(h.of("forwardInfo", third)[0]!.info.ip, "nats-route://adv:7000/");
  assert.deepEqual(h.of("forwardInfo", third)[0]!.connIds, [1, 2]);
});

test("duplicate routes: the first registered stays; the kept one takes over the dialled one's URL and type", () => {
  // A and B dial each other at once. On A: conn 1 is A's dial to B, conn 2 is B's dial accepted.
  const h = new Harness(config({ routes: [{ hostPort: "b.host:6222" }] }));
  h.on({ kind: "start" });
  h.on({ kind: "dialed", dialId: 1, connId: 1 });
  // B's INFO arrives first on the accepted connection: it registers.
  const reg = h.acceptPeer(2, info("B"));
  assert.deepEqual(h.of("registered", reg).map((r) => r.connId), [2]);
  // Then on the dialled one: a duplicate, closed.
  const dup = h.on({ kind: "info", connId: 1, info: info("B"), remoteIp: "10.0.0.2" });
  assert.deepEqual(h.of("close", dup), [{ kind: "close", connId: 1, reason: "Duplicate Route" }]);
  assert.deepEqual(h.of("registered", dup), []);
  // Its close does not redial: B is connected.
  const closed = h.on({ kind: "closed", connId: 1 });
  assert.deepEqual(h.of("dial", closed), []);
  assert.equal(h.t.nextWakeAt(), undefined);
  assert.deepEqual(h.t.connectedServers(), ["B"]);
  // The kept (accepted) connection is now the configured route: when it closes, B is redialled for
  // ever at its configured address, after the reconnect delay and jitter.
  h.now = 5000;
  h.on({ kind: "closed", connId: 2 });
  assert.equal(h.t.nextWakeAt(), 5000 + 1000 + 50);
  assert.deepEqual(h.of("dial", h.at(6050)), [{ kind: "dial", dialId: 2, target: { hostPort: "b.host:6222" }, type: "explicit" }]);
});

test("a kept accepted route that replaced nothing dialled is still redialled once at its INFO address", () => {
  const h = new Harness(config());
  h.on({ kind: "start" });
  h.acceptPeer(1, info("B"));
  // A second accepted connection from B: duplicate; the kept one is marked to retry.
  h.acceptPeer(2, info("B"));
  h.on({ kind: "closed", connId: 2 });
  h.on({ kind: "closed", connId: 1 });
  assert.equal(h.t.nextWakeAt(), 50, "jitter only: not a configured route");
  assert.deepEqual(h.of("dial", h.at(50)), [{ kind: "dial", dialId: 1, target: { hostPort: "b.host:6222" }, type: "implicit" }]);
  h.on({ kind: "dialFailed", dialId: 1, error: "refused" });
  assert.equal(h.t.nextWakeAt(), undefined, "implicit: no more attempts without connect_retries");
});

test("a route to ourselves is closed and never redialled", () => {
  const h = new Harness(config({ routes: [{ hostPort: "me:6222" }] }));
  h.on({ kind: "start" });
  h.on({ kind: "dialed", dialId: 1, connId: 1 });
  const a = h.on({ kind: "info", connId: 1, info: info("SELF"), remoteIp: "127.0.0.1" });
  assert.deepEqual(h.of("close", a), [{ kind: "close", connId: 1, reason: "Duplicate Route" }]);
  h.on({ kind: "closed", connId: 1 });
  assert.equal(h.t.nextWakeAt(), undefined);
  // The shell may know before dialling that the address is ours: then nothing more either.
  const h2 = new Harness(config({ routes: [{ hostPort: "me:6222" }] }));
  h2.on({ kind: "start" });
  h2.on({ kind: "dialSelf", dialId: 1 });
  assert.equal(h2.t.nextWakeAt(), undefined);
});

test("a peer of another cluster is refused on CONNECT with nats-server's -ERR, and on INFO", () => {
  const h = new Harness(config());
  h.on({ kind: "start" });
  h.on({ kind: "accepted", connId: 1 });
  const text = 'Rejecting connection, cluster name "OTHER" does not match "C"';
  assert.deepEqual(h.on({ kind: "connect", connId: 1, connect: connectFrom(info("X", { cluster: "OTHER" })) }), [
    { kind: "log", level: "error", text },
    { kind: "sendErr", connId: 1, text },
    { kind: "close", connId: 1, reason: "Cluster Name Conflict" },
  ]);
  // Our dial to a server of another cluster: its INFO closes it; a configured route keeps being redialled.
  const h2 = new Harness(config({ routes: [{ hostPort: "x:6222" }] }));
  h2.on({ kind: "start" });
  h2.on({ kind: "dialed", dialId: 1, connId: 1 });
  assert.deepEqual(h2.of("close", h2.on({ kind: "info", connId: 1, info: info("X", { cluster: "OTHER" }), remoteIp: "1.1.1.1" })), [
    { kind: "close", connId: 1, reason: "Cluster Name Conflict" },
  ]);
  h2.on({ kind: "closed", connId: 1 });
  assert.equal(h2.t.nextWakeAt(), 1050);
});

test("a dynamic cluster name gives way to a configured one, or to a higher dynamic one", () => {
  const dyn = (name: string) => config({ clusterName: { name, dynamic: true } });
  // Configured peer, through CONNECT: its name becomes ours for good; other routes are dropped.
  const h = new Harness(dyn("zzz"));
  h.on({ kind: "start" });
  h.acceptPeer(1, info("B", { cluster: "zzz", clusterDynamic: true }));
  const a = h.acceptPeer(2, info("D", { cluster: "NAMED" }));
  assert.deepEqual(h.of("clusterName", a), [{ kind: "clusterName", name: { name: "NAMED", dynamic: false } }]);
  assert.deepEqual(h.of("close", a), [{ kind: "close", connId: 1, reason: "Cluster Name Conflict" }]);
  assert.deepEqual(h.t.clusterName, { name: "NAMED", dynamic: false });
  // Now configured: a dynamic peer is refused.
  h.on({ kind: "accepted", connId: 3 });
  assert.equal(h.of("close", h.on({ kind: "connect", connId: 3, connect: connectFrom(info("E", { cluster: "abc", clusterDynamic: true })) })).length, 1);

  // Two dynamic names: the lower one adopts the higher; the higher refuses the lower.
  const low = new Harness(dyn("aaa"));
  low.on({ kind: "start" });
  const adopt = low.acceptPeer(1, info("B", { cluster: "bbb", clusterDynamic: true }));
  assert.deepEqual(low.of("clusterName", adopt), [{ kind: "clusterName", name: { name: "bbb", dynamic: true } }]);
  assert.deepEqual(low.t.connectedServers(), ["B"]);
  const high = new Harness(dyn("bbb"));
  high.on({ kind: "start" });
  assert.equal(high.of("close", high.acceptPeer(1, info("A", { cluster: "aaa", clusterDynamic: true }))).length, 1);
  // Through INFO (on a route we dialled) the adopted name stays dynamic.
  const viaInfo = new Harness(dyn("aaa"));
  viaInfo.on({ kind: "start" });
  viaInfo.on({ kind: "accepted", connId: 1 });
  const a2 = viaInfo.on({ kind: "info", connId: 1, info: info("B", { cluster: "NAMED" }), remoteIp: "1.1.1.1" });
  assert.deepEqual(viaInfo.of("clusterName", a2), [{ kind: "clusterName", name: { name: "NAMED", dynamic: true } }]);
});

test("an accepted peer with our server name is refused", () => {
  const h = new Harness(config());
  h.on({ kind: "start" });
  const a = h.acceptPeer(1, info("B", { serverName: "self" }));
  assert.deepEqual(h.of("close", a), [{ kind: "close", connId: 1, reason: "Duplicate Server Name" }]);
  assert.deepEqual(h.of("log", a), [{ kind: "log", level: "error", text: 'Remote server has a duplicate name: "self"' }]);
});

test("a server that leaves takes its client URLs along; lame duck removes them first", () => {
  const h = new Harness(config({ routes: [{ hostPort: "b.host:6222" }] }));
  h.on({ kind: "start" });
  h.on({ kind: "dialed", dialId: 1, connId: 1 });
  assert.deepEqual(h.of("peerUrls", h.on({ kind: "info", connId: 1, info: info("B"), remoteIp: "1.1.1.2" })), [{ kind: "peerUrls", urls: ["b.host:4222"] }]);
  assert.deepEqual(h.of("peerUrls", h.acceptPeer(2, info("D", { connectUrls: ["d.host:4222", "b.host:4222"] }))), [
    { kind: "peerUrls", urls: ["b.host:4222", "d.host:4222"] },
  ]);
  // D enters lame duck mode: its URLs go (b.host:4222 stays, B still announces it).
  assert.deepEqual(h.of("peerUrls", h.on({ kind: "info", connId: 2, info: info("D", { ldm: true }), remoteIp: "1.1.1.3" })), [
    { kind: "peerUrls", urls: ["b.host:4222"] },
  ]);
  // B goes away: its URL goes, and B, a configured route, is redialled.
  h.now = 100;
  assert.deepEqual(h.of("peerUrls", h.on({ kind: "closed", connId: 1 })), [{ kind: "peerUrls", urls: [] }]);
  assert.deepEqual(h.t.connectedServers(), ["D"]);
  assert.equal(h.t.nextWakeAt(), 100 + 1050);
  // D (accepted, implicit) goes away: not redialled by us (it will dial us).
  h.on({ kind: "closed", connId: 2 });
  assert.equal(h.t.nextWakeAt(), 1150);
});

test("no_advertise keeps peers' client URLs out", () => {
  const h = new Harness(config({ advertise: false }));
  h.on({ kind: "start" });
  assert.deepEqual(h.of("peerUrls", h.acceptPeer(1, info("B"))), []);
  assert.deepEqual(h.of("peerUrls", h.on({ kind: "closed", connId: 1 })), []);
});

test("shutdown stops every dial", () => {
  const h = new Harness(config({ routes: [{ hostPort: "b:1" }, { hostPort: "c:1" }], random: new Rng(1).next.bind(new Rng(1)) }));
  assert.equal(h.of("dial", h.on({ kind: "start" })).length, 2);
  h.on({ kind: "dialFailed", dialId: 1, error: "x" });
  h.on({ kind: "shutdown" });
  assert.equal(h.t.nextWakeAt(), undefined);
  assert.deepEqual(h.at(10_000), []);
});
