/**
 * The route wire, the same raw session against nats-server 2.9.10 and against tsnats: a raw route
 * connection plays a peer server, a raw client connection makes interest and messages on the server's
 * side. Every line nats-server sends is
 * parsed with our decoders and must encode back to the same bytes; every line we send is made by our
 * encoders and nats-server must act on it (deliver to its client, keep the route open). Malformed ops
 * must make nats-server log the very text our parsers return, and close the route.
 *
 * Ids are normalised where they vary (server ids, nonces, ports).
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { decodeRouteConnect, decodeRouteInfo, encodeRouteConnect, encodeRouteInfo, type RouteConnect, type RouteInfo } from "../../src/protocol/route-info.js";
import {
  encodeRoutedMsgLine,
  encodeRsMinus,
  encodeRsPlus,
  parseHmsg,
  parseLmsg,
  parseRemoteSub,
  parseRemoteUnsub,
  parseRmsg,
  type RoutedMsg,
} from "../../src/protocol/route-ops.js";
import { createServer } from "node:net";
import { withDefaults } from "../../src/config/options.js";
import { checkRouteConnect } from "../../src/server/cluster/route-connect-check.js";
import { localRouteInfo, routeConnect } from "../../src/server/cluster/route-handshake.js";
import { freePort, natsServerAvailable, startServerProcess, type Impl, type ServerProcess } from "../helpers/server-process.js";
import { NATS_VERSION } from "../../src/server/version.js";

/** A peer id per route connection: nats-server keeps the first route of an id and drops later ones. */
let peers = 0;
const nextPeerId = () => `NFAKEROUTEPEER${String(++peers).padStart(42, "0")}`;

/** Reads a NATS byte stream line by line (and payloads by size). */
class Wire {
  private buf = Buffer.alloc(0);
  closed = false;
  private wake: (() => void) | undefined;

  constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake?.();
    });
    socket.on("close", () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on("error", () => {});
  }

  static async open(port: number): Promise<Wire> {
    const s = connect({ host: "127.0.0.1", port });
    await new Promise<void>((res, rej) => s.once("connect", res).once("error", rej));
    return new Wire(s);
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  private async waitFor(pred: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!pred()) {
      if (this.closed) throw new Error(`closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; have ${JSON.stringify(this.buf.toString("latin1"))}`);
      await new Promise<void>((res) => {
        this.wake = res;
        setTimeout(res, left);
      });
    }
  }

  /** The next line, CRLF included. */
  async line(): Promise<string> {
    await this.waitFor(() => this.buf.indexOf("\r\n") >= 0, "a line");
    const end = this.buf.indexOf("\r\n") + 2;
    const text = this.buf.subarray(0, end).toString("latin1");
    this.buf = this.buf.subarray(end);
    return text;
  }

  async payload(size: number): Promise<Buffer> {
    await this.waitFor(() => this.buf.length >= size + 2, `${size} payload bytes`);
    const p = Buffer.from(this.buf.subarray(0, size));
    assert.equal(this.buf.subarray(size, size + 2).toString(), "\r\n");
    this.buf = this.buf.subarray(size + 2);
    return p;
  }

  /** Lines up to (not including) the PONG that answers a PING sent now. */
  async untilPong(): Promise<string[]> {
    this.send("PING\r\n");
    const lines: string[] = [];
    for (;;) {
      const l = await this.line();
      if (l === "PONG\r\n") return lines;
      lines.push(l);
    }
  }

  async closedWithin(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}

function infoJson(line: string): string {
  assert.match(line, /^INFO \{.*\} \r\n$/);
  return line.slice(5, -3);
}

const fakeInfo = (id: string, clientPort: number): RouteInfo => ({
  serverId: id,
  serverName: "FAKE",
  version: "2.9.10",
  proto: 2,
  go: "go1.19.8",
  host: "127.0.0.1",
  port: 1,
  headers: true,
  maxPayload: 1048576,
  cluster: "C1",
  connectUrls: [`127.0.0.1:${clientPort}`],
  lnoc: true,
});

const routeConnectBase = (): RouteConnect => ({ echo: false, verbose: false, pedantic: false, tlsRequired: false, headers: false, name: "", cluster: "" });

const fakeConnect = (id: string, cluster = "C1") =>
  encodeRouteConnect({ echo: false, verbose: false, pedantic: false, tlsRequired: false, headers: true, name: id, cluster, lnoc: true });

/** A route connection past the handshake, with nats-server's initial INFO and its $SYS interest read. */
async function handshake(routePort: number, advertisedClientPort: number): Promise<{ wire: Wire; info: string; sysLines: string[] }> {
  const wire = await Wire.open(routePort);
  const info = await wire.line();
  const id = nextPeerId();
  wire.send(fakeConnect(id) + encodeRouteInfo(fakeInfo(id, advertisedClientPort)));
  const sysLines = await wire.untilPong();
  return { wire, info, sysLines };
}

/** A routed message line and its payload as nats-server sent them, parsed, and checked to re-encode. */
async function readRouted(wire: Wire): Promise<{ msg: RoutedMsg; payload: string }> {
  const line = await wire.line();
  const [op, ...rest] = line.slice(0, -2).split(" ");
  const arg = rest.join(" ");
  const parsed = op === "RMSG" ? parseRmsg(arg) : op === "HMSG" ? parseHmsg(arg) : op === "LMSG" ? parseLmsg(arg) : `not a message: ${line}`;
  assert.ok(typeof parsed !== "string", parsed as string);
  assert.equal(encodeRoutedMsgLine(parsed), line, "re-encoded line differs");
  return { msg: parsed, payload: (await wire.payload(parsed.size)).toString("latin1") };
}

for (const impl of ["nats-server", "tsnats"] as Impl[]) describe(`route wire, byte-exact with nats-server 2.9.10 [${impl}]`, () => {
  let ns: ServerProcess | undefined;
  let routePort = 0;
  const advertised = 14999;

  before(async () => {
    if (impl === "nats-server" && !natsServerAvailable()) return;
    routePort = await freePort();
    ns = await startServerProcess({ impl, args: ["-cluster", `nats://127.0.0.1:${routePort}`, "--cluster_name", "C1", "-n", "S1", "-DV"] });
    // The route listener opens just after the client one.
    for (let i = 0; i < 100 && !ns.output().includes("Listening for route connections"); i++) await new Promise((r) => setTimeout(r, 20));
  });

  after(async () => {
    await ns?.stop();
  });

  it("INFO, CONNECT, interest, messages in both directions", async (t) => {
    if (!ns) return t.skip("nats-server not installed");
    const { wire: route, info, sysLines } = await handshake(routePort, advertised);

    // nats-server's INFO decodes with types and encodes back to the same bytes.
    const decoded = decodeRouteInfo(infoJson(info));
    assert.ok(decoded.ok, decoded.ok ? "" : decoded.error);
    const i = decoded.value;
    assert.equal(encodeRouteInfo(i), info);
    assert.deepEqual(
      { ...i, serverId: "<id>", nonce: "<nonce>", port: 0 },
      {
        serverId: "<id>",
        serverName: "S1",
        version: impl === "nats-server" ? "2.9.10" : NATS_VERSION,
        proto: 2,
        go: i.go,
        host: "127.0.0.1",
        port: 0,
        headers: true,
        maxPayload: 1048576,
        nonce: "<nonce>",
        cluster: "C1",
        connectUrls: [`127.0.0.1:${ns.port}`],
        lnoc: true,
      },
    );
    assert.equal(i.port, routePort);

    // Our CONNECT and INFO were accepted: its $SYS interest came over as RS+, each re-encoding exactly.
    // nats-server subscribes ~40 $SYS services; tsnats fewer (its PING, server and account requests).
    assert.ok(sysLines.length > (impl === "nats-server" ? 10 : 3), `${sysLines.length} $SYS lines`);
    for (const l of sysLines) {
      assert.match(l, /^RS\+ \$SYS /);
      const sub = parseRemoteSub(l.slice(4, -2), false);
      assert.ok(typeof sub !== "string", sub as string);
      assert.equal(encodeRsPlus(sub.account, sub.subject, sub.queue, sub.weight), l);
    }

    // A client of nats-server learns our advertised client URL (gossip to clients).
    const client = await Wire.open(ns.port);
    const clientInfo = await client.line();
    assert.deepEqual(JSON.parse(infoJson(clientInfo)).connect_urls, [`127.0.0.1:${ns.port}`, `127.0.0.1:${advertised}`]);
    client.send('CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"protocol":1}\r\n');

    // Interest made on nats-server reaches us as RS+ with queue weights.
    client.send("SUB foo 1\r\nSUB bar.* q1 2\r\nSUB bar.* q1 3\r\nSUB baz q2 4\r\n");
    assert.deepEqual(await client.untilPong(), []);
    const subs = await route.untilPong();
    assert.deepEqual(subs, ["RS+ $G foo\r\n", "RS+ $G bar.* q1 1\r\n", "RS+ $G bar.* q1 2\r\n", "RS+ $G baz q2 1\r\n"]);
    for (const l of subs) {
      const sub = parseRemoteSub(l.slice(4, -2), false);
      assert.ok(typeof sub !== "string");
      assert.equal(encodeRsPlus(sub.account, sub.subject, sub.queue, sub.weight), l);
    }

    // Our interest (encoded by us) makes nats-server route its client's messages to us.
    route.send(
      encodeRsPlus("$G", "p") +
        encodeRsPlus("$G", "p", "g1", 1) +
        encodeRsPlus("$G", "p", "g2", 5) +
        encodeRsPlus("$G", "onlyq", "gq", 1) +
        encodeRsPlus("$G", "plain"),
    );
    assert.deepEqual(await route.untilPong(), []);
    client.send(
      "PUB p 5\r\nhello\r\nPUB p rep.1 2\r\nhi\r\nHPUB p 12 14\r\nNATS/1.0\r\n\r\nhi\r\nHPUB p rr 12 14\r\nNATS/1.0\r\n\r\nhi\r\n" +
        "PUB plain 1\r\nx\r\nPUB plain r 1\r\ny\r\nHPUB plain r 12 12\r\nNATS/1.0\r\n\r\n\r\nPUB onlyq 1\r\nz\r\nPUB onlyq rq 1\r\nz\r\n",
    );
    assert.deepEqual(await client.untilPong(), []);
    const routed: { line: string; payload: string }[] = [];
    for (let k = 0; k < 9; k++) {
      const { msg, payload } = await readRouted(route);
      // Which queue group comes first is nats-server's choice; the set is what the wire means.
      routed.push({ line: encodeRoutedMsgLine({ ...msg, queues: [...msg.queues].sort() }), payload });
    }
    assert.deepEqual(routed, [
      { line: "RMSG $G p | g1 g2 5\r\n", payload: "hello" },
      { line: "RMSG $G p + rep.1 g1 g2 2\r\n", payload: "hi" },
      { line: "HMSG $G p | g1 g2 12 14\r\n", payload: "NATS/1.0\r\n\r\nhi" },
      { line: "HMSG $G p + rr g1 g2 12 14\r\n", payload: "NATS/1.0\r\n\r\nhi" },
      { line: "RMSG $G plain 1\r\n", payload: "x" },
      { line: "RMSG $G plain r 1\r\n", payload: "y" },
      { line: "HMSG $G plain r 12 12\r\n", payload: "NATS/1.0\r\n\r\n" },
      { line: "RMSG $G onlyq | gq 1\r\n", payload: "z" },
      { line: "RMSG $G onlyq + rq gq 1\r\n", payload: "z" },
    ]);

    // Messages we route (encoded by us) reach nats-server's client: plain subscribers always, queue
    // members only for the groups named.
    const rmsg = (m: Omit<RoutedMsg, "queues" | "headerSize" | "size"> & Partial<RoutedMsg>, payload: string) =>
      encodeRoutedMsgLine({ queues: [], headerSize: -1, size: payload.length, ...m }) + payload + "\r\n";
    route.send(
      rmsg({ account: "$G", subject: "foo" }, "one") +
        rmsg({ account: "$G", subject: "foo", reply: "rep.9" }, "two") +
        rmsg({ account: "$G", subject: "foo", headerSize: 12 }, "NATS/1.0\r\n\r\nthree") +
        rmsg({ account: "$G", subject: "bar.x", queues: ["q1"] }, "four") +
        rmsg({ account: "$G", subject: "baz", reply: "r", queues: ["q2"] }, "five") +
        rmsg({ account: "$G", subject: "bar.x" }, "not-for-queues") +
        rmsg({ account: "$G", subject: "baz", queues: ["other"] }, "other-group"),
    );
    assert.deepEqual(await route.untilPong(), []);
    const got = await client.untilPong();
    const text = got.join("");
    assert.match(text, /^MSG foo 1 3\r\none\r\nMSG foo 1 rep\.9 3\r\ntwo\r\nHMSG foo 1 12 17\r\nNATS\/1\.0\r\n\r\nthree\r\nMSG bar\.x [23] 4\r\nfour\r\nMSG baz 4 r 4\r\nfive\r\n$/);

    // Interest that leaves goes out as RS-, once per queue group; a queue group that shrinks is sent
    // again with its new weight.
    client.send("UNSUB 1\r\nUNSUB 2\r\nUNSUB 3\r\nUNSUB 4\r\n");
    assert.deepEqual(await client.untilPong(), []);
    const unsubs = await route.untilPong();
    assert.deepEqual(unsubs, ["RS- $G foo\r\n", "RS+ $G bar.* q1 1\r\n", "RS- $G bar.* q1\r\n", "RS- $G baz q2\r\n"]);
    for (const l of unsubs.filter((u) => u.startsWith("RS-"))) {
      const u = parseRemoteUnsub(l.slice(4, -2), false);
      assert.ok(typeof u !== "string");
      assert.equal(encodeRsMinus(u.account, u.subject, u.queue), l);
    }

    // Our RS- takes our interest away: nats-server stops routing.
    route.send(encodeRsMinus("$G", "plain"));
    assert.deepEqual(await route.untilPong(), []);
    client.send("PUB plain 1\r\nx\r\n");
    assert.deepEqual(await client.untilPong(), []);
    assert.deepEqual(await route.untilPong(), []);
    client.close();
    route.close();
  });

  // [op line, our parser's text (nats-server must log it and close the route)]
  const MALFORMED: [string, string][] = [
    ["RS+ $G", parseRemoteSub("$G", false) as string],
    ["RS+ $G foo q", parseRemoteSub("$G foo q", false) as string],
    ["RS+ $G foo q 1 x", parseRemoteSub("$G foo q 1 x", false) as string],
    ["LS+ $G foo", parseRemoteSub("$G foo", true) as string],
    ["RS- $G", parseRemoteUnsub("$G", false) as string],
    ["RS- $G a b c", parseRemoteUnsub("$G a b c", false) as string],
    ["RMSG $G foo", parseRmsg("$G foo") as string],
    ["RMSG $G foo x", parseRmsg("$G foo x") as string],
    ["RMSG $G foo ab r q 1", parseRmsg("$G foo ab r q 1") as string],
    ["HMSG $G foo 5", parseHmsg("$G foo 5") as string],
    ["HMSG $G foo 10 5", parseHmsg("$G foo 10 5") as string],
    ["HMSG $G foo x 5", parseHmsg("$G foo x 5") as string],
    ["LMSG C1 $G foo 3 2", parseLmsg("C1 $G foo 3 2") as string],
  ];

  for (const [op, text] of MALFORMED) {
    it(`malformed from a route: ${op}`, async (t) => {
      if (!ns) return t.skip("nats-server not installed");
      assert.equal(typeof text, "string");
      const { wire } = await handshake(routePort, advertised);
      wire.send(`${op}\r\nPING\r\n`);
      assert.equal(await wire.closedWithin(3000), true, "nats-server kept the route open");
      // The log line comes with the close.
      for (let k = 0; k < 50 && !ns.output().includes(` - ${text}\n`); k++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(ns.output().includes(` - ${text}\n`), `nats-server did not log: ${text}`);
    });
  }

  it("accepted as nats-server accepts them: a weight that is not a number, LS+ with its origin, LS-, LMSG", async (t) => {
    if (!ns) return t.skip("nats-server not installed");
    for (const op of ["RS+ $G foo q x", "LS+ C1 $G foo", "LS- $G foo", "LMSG C1 $G foo 0 2\r\nhi"]) {
      const { wire } = await handshake(routePort, advertised);
      wire.send(`${op}\r\n`);
      assert.deepEqual(await wire.untilPong(), [], op);
      assert.equal(wire.closed, false, op);
      wire.close();
    }
    assert.equal(typeof parseRemoteSub("$G foo q x", false), "object");
    assert.equal(typeof parseRemoteSub("C1 $G foo", true), "object");
    assert.equal(typeof parseRemoteUnsub("$G foo", false), "object");
    assert.equal(typeof parseLmsg("C1 $G foo 0 2"), "object");
  });

  it("a client or a gateway on the route port is refused with the -ERR checkRouteConnect gives", async (t) => {
    if (!ns) return t.skip("nats-server not installed");
    const unauthenticated = withDefaults({ cluster: { port: routePort } }).cluster!;
    const cases: [string, RouteConnect][] = [
      ['{"verbose":false,"lang":"node","version":"1"}', { ...routeConnectBase(), lang: "node" }],
      ['{"echo":true,"name":"X","cluster":"C1","gateway":"G1"}', { ...routeConnectBase(), gateway: "G1" }],
    ];
    for (const [json, parsed] of cases) {
      const decoded = decodeRouteConnect(json);
      assert.ok(decoded.ok);
      assert.deepEqual({ ...decoded.value, name: "", cluster: "", echo: false }, { ...parsed, name: "", cluster: "", echo: false });
      const verdict = await checkRouteConnect(unauthenticated, decoded.value);
      assert.ok(!verdict.ok);
      const wire = await Wire.open(routePort);
      await wire.line();
      wire.send(`CONNECT ${json}\r\n`);
      assert.equal(await wire.line(), `-ERR '${verdict.err}'\r\n`);
      assert.equal(await wire.closedWithin(3000), true);
    }
  });

  it("a peer that never sends CONNECT: kept without cluster authorization, cut off after the auth timeout with it", async (t) => {
    if (!ns) return t.skip("nats-server not installed");
    const open = await Wire.open(routePort);
    await open.line();
    assert.equal(await open.closedWithin(2500), false, "cut off without authorization configured");
    open.close();
    const authPort = await freePort();
    const guarded = await startServerProcess({
      impl,
      args: ["-n", "S9"],
      config: `cluster { name: C1, listen: "127.0.0.1:${authPort}", authorization { user: ru, password: rp, timeout: 1 } }`,
    });
    t.after(() => guarded.stop());
    for (let i = 0; i < 100 && !guarded.output().includes("Listening for route connections"); i++) await new Promise((r) => setTimeout(r, 20));
    const wire = await Wire.open(authPort);
    await wire.line();
    const started = Date.now();
    // nats-server sends its first (RTT) PING to a route at once; tsnats only after 2 s.
    let line = await wire.line();
    while (line === "PING\r\n") line = await wire.line();
    assert.equal(line, "-ERR 'Authentication Timeout'\r\n");
    assert.ok(Date.now() - started > 500, "cut off before the 1 s timeout");
    assert.equal(await wire.closedWithin(3000), true);
  });

  it("a CONNECT from another cluster is refused with nats-server's -ERR", async (t) => {
    if (!ns) return t.skip("nats-server not installed");
    const wire = await Wire.open(routePort);
    await wire.line();
    wire.send(fakeConnect(nextPeerId(), "OTHER"));
    assert.equal(await wire.line(), `-ERR 'Rejecting connection, cluster name "OTHER" does not match "C1"'\r\n`);
    assert.equal(await wire.closedWithin(3000), true);
  });

  it("nats-server dialling a route: CONNECT then INFO, as our handshake builders make them", async (t) => {
    if (!ns) return t.skip("nats-server not installed");
    if (impl === "tsnats") return t.skip("pins our builders against nats-server's bytes");
    let accepted: Wire | undefined;
    const listener = createServer((sock) => (accepted = new Wire(sock)));
    await new Promise<void>((res) => listener.listen(0, "127.0.0.1", res));
    const ourPort = (listener.address() as { port: number }).port;
    const theirRoutePort = await freePort();
    const dialler = await startServerProcess({
      impl: "nats-server",
      args: ["-cluster", `nats://127.0.0.1:${theirRoutePort}`, "--cluster_name", "C1", "-n", "S2", "-routes", `nats://ru:rp@127.0.0.1:${ourPort}`],
    });
    try {
      for (let k = 0; k < 250 && !accepted; k++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(accepted, "nats-server did not dial");
      accepted.send(encodeRouteInfo(fakeInfo(nextPeerId(), advertised)));
      const connectLine = await accepted.line();
      const infoLine = await accepted.line();
      const info = decodeRouteInfo(infoJson(infoLine));
      assert.ok(info.ok);
      // Our builders, given what nats-server is (its id, name, ports and nonce), say the same bytes.
      const me = {
        serverId: info.value.serverId,
        serverName: "S2",
        version: "2.9.10",
        go: info.value.go,
        maxPayload: 1048576,
        headers: true,
        jetstream: false,
        clusterName: { name: "C1", dynamic: false },
        listenHost: "127.0.0.1",
        listenPort: theirRoutePort,
        clientConnectUrls: [`127.0.0.1:${dialler.port}`],
      };
      assert.equal(encodeRouteConnect(routeConnect({ hostPort: `127.0.0.1:${ourPort}`, username: "ru", password: "rp" }, me, false)), connectLine);
      const cluster = withDefaults({ cluster: { name: "C1", host: "127.0.0.1", port: theirRoutePort } }).cluster!;
      assert.equal(encodeRouteInfo({ ...localRouteInfo(cluster, me), nonce: info.value.nonce! }), infoLine);
    } finally {
      accepted?.close();
      listener.close();
      await dialler.stop();
    }
  });
});
