/**
 * The route op table fed bytes directly: routed messages in every form (read from the line's tokens),
 * interest ops, and what closes a route — malformed ops with route-ops' texts, an oversized payload.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Parser, type MessageArgs } from "../../src/protocol/parser.js";
import { ROUTE_OPS, type RouteOpHandler } from "../../src/protocol/route-op-table.js";
import { parseRmsg } from "../../src/protocol/route-ops.js";

function run(...chunks: string[]): { got: string[]; queueLists: (string[] | undefined)[] } {
  const got: string[] = [];
  const queueLists: (string[] | undefined)[] = [];
  const h: RouteOpHandler = {
    closed: false,
    connected: true,
    maxControlLine: 4096,
    tracing: false,
    allowOpBeforeConnect: () => true,
    traceIn: () => undefined,
    tracePayload: () => undefined,
    onProtocolError(err, detail) {
      got.push(`ERROR ${err ?? "-"} ${detail}`);
      (h as { closed: boolean }).closed = true;
    },
    onRouteConnect: (j) => void got.push(`CONNECT ${j}`),
    onRouteInfo: (j) => void got.push(`INFO ${j}`),
    onRemoteSub: (s) => void got.push(`RS+ ${s.account} ${s.subject} ${s.queue ?? "-"} ${s.weight ?? "-"}`),
    onRemoteUnsub: (u) => void got.push(`RS- ${u.account} ${u.subject} ${u.queue ?? "-"}`),
    onRoutedMsg(payload: Buffer, m: MessageArgs) {
      queueLists.push(m.queues);
      got.push(`MSG ${m.account} ${m.subject} ${m.reply ?? "-"} ${m.hdr} [${(m.queues ?? []).join(",")}] ${payload.toString("latin1")}`);
    },
    onPing: () => void got.push("PING"),
    onPong: () => void got.push("PONG"),
    onPeerError: (t) => void got.push(`-ERR ${t}`),
  };
  const p = new Parser(h, ROUTE_OPS);
  for (const c of chunks) p.parse(Buffer.from(c, "latin1"));
  return { got, queueLists };
}

describe("route op table", () => {
  it("reads routed messages in every form, split anywhere", () => {
    const text =
      "RMSG $G a 2\r\nhi\r\nRMSG $G a r.1 2\r\nhi\r\nHMSG $G a 12 14\r\nNATS/1.0\r\n\r\nhi\r\nHMSG $G a r 12 12\r\nNATS/1.0\r\n\r\n\r\n" +
      "RMSG $G q | g1 g2 1\r\nx\r\nRMSG $G q + r.2 g1 1\r\ny\r\nHMSG acc q | g1 12 13\r\nNATS/1.0\r\n\r\nz\r\n";
    const want = [
      "MSG $G a - -1 [] hi",
      "MSG $G a r.1 -1 [] hi",
      "MSG $G a - 12 [] NATS/1.0\r\n\r\nhi",
      "MSG $G a r 12 [] NATS/1.0\r\n\r\n",
      "MSG $G q - -1 [g1,g2] x",
      "MSG $G q r.2 -1 [g1] y",
      "MSG acc q - 12 [g1] NATS/1.0\r\n\r\nz",
    ];
    assert.deepEqual(run(text).got, want);
    for (let i = 1; i < text.length; i++) assert.deepEqual(run(text.slice(0, i), text.slice(i)).got, want, `split at ${i}`);
  });

  it("keeps one queue list while the groups repeat", () => {
    const { queueLists } = run("RMSG $G q | g1 1\r\nx\r\nRMSG $G q | g1 1\r\ny\r\nRMSG $G q | g2 1\r\nz\r\n");
    assert.equal(queueLists[0], queueLists[1]);
    assert.notEqual(queueLists[1], queueLists[2]);
    assert.deepEqual(queueLists[2], ["g2"]);
  });

  it("interest, handshake and keep-alive ops", () => {
    assert.deepEqual(run("RS+ $G foo\r\nRS+ $G foo q 3\r\nRS- $G foo q\r\nLS+ C1 $G bar\r\nPING\r\nPONG\r\nINFO {\"a\":1}\r\nCONNECT {}\r\n-ERR 'x'\r\n").got, [
      "RS+ $G foo - -",
      "RS+ $G foo q 3",
      "RS- $G foo q",
      "RS+ $G bar - -",
      "PING",
      "PONG",
      'INFO {"a":1}',
      "CONNECT {}",
      "-ERR 'x'",
    ]);
  });

  it("closes on a malformed routed message with route-ops' text, and on a payload over 64 MB", () => {
    for (const arg of ["$G foo", "$G foo x", "$G foo ab r q 1", "$G foo | x"]) {
      const text = parseRmsg(arg);
      assert.equal(typeof text, "string", arg);
      assert.deepEqual(run(`RMSG ${arg}\r\n`).got, [`ERROR - ${text as string}`], arg);
    }
    assert.deepEqual(run("RMSG $G foo 67108865\r\n").got, ["ERROR - Maximum Payload Violation: routed message of 67108865 bytes"]);
    assert.deepEqual(run("PUB foo 1\r\nx\r\n").got.length, 1, "a client op is unknown on a route");
  });
});
