/**
 * The leaf op table fed bytes directly: LMSG/HMSG in every form nats-server 2.9.10 sends on a leaf
 * connection (no account), LS+/LS-, and malformed ops with nats-server's texts; the encoders give the
 * lines it sends.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Parser, type MessageArgs } from "../../src/protocol/parser.js";
import { LEAF_OPS, type LeafOpHandler } from "../../src/protocol/leaf-op-table.js";
import { encodeLeafMsgLine, encodeLeafSub, encodeLeafUnsub, parseLeafMsg, parseLeafSub } from "../../src/protocol/leaf-ops.js";
import { decodeLeafConnect, encodeLeafConnect } from "../../src/protocol/leaf-connect.js";

function run(...chunks: string[]): string[] {
  const got: string[] = [];
  const h: LeafOpHandler = {
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
    onLeafConnect: (j) => void got.push(`CONNECT ${j}`),
    onLeafInfo: (j) => void got.push(`INFO ${j}`),
    onRemoteSub: (s) => void got.push(`LS+ ${s.subject} ${s.queue ?? "-"} ${s.weight ?? "-"}`),
    onRemoteUnsub: (u) => void got.push(`LS- ${u.subject} ${u.queue ?? "-"}`),
    onRoutedMsg(payload: Buffer, m: MessageArgs) {
      got.push(`MSG [${m.account}] ${m.subject} ${m.reply ?? "-"} ${m.hdr} [${(m.queues ?? []).join(",")}] ${payload.toString("latin1")}`);
    },
    onPing: () => void got.push("PING"),
    onPong: () => void got.push("PONG"),
    onPeerError: (t) => void got.push(`-ERR ${t}`),
  };
  const p = new Parser(h, LEAF_OPS);
  for (const c of chunks) p.parse(Buffer.from(c, "latin1"));
  return got;
}

describe("leaf op table", () => {
  it("reads LMSG and HMSG in every form, split anywhere", () => {
    const text =
      "LMSG a 2\r\nhi\r\nLMSG a r.1 2\r\nhi\r\nHMSG a 12 14\r\nNATS/1.0\r\n\r\nhi\r\n" +
      "LMSG q | g1 g2 1\r\nx\r\nLMSG q + r.2 g1 1\r\ny\r\nHMSG q | g1 12 13\r\nNATS/1.0\r\n\r\nz\r\nLS+ foo\r\nLS+ bar q 3\r\nLS- bar q\r\nPING\r\n";
    const want = [
      "MSG [] a - -1 [] hi",
      "MSG [] a r.1 -1 [] hi",
      "MSG [] a - 12 [] NATS/1.0\r\n\r\nhi",
      "MSG [] q - -1 [g1,g2] x",
      "MSG [] q r.2 -1 [g1] y",
      "MSG [] q - 12 [g1] NATS/1.0\r\n\r\nz",
      "LS+ foo - -",
      "LS+ bar q 3",
      "LS- bar q",
      "PING",
    ];
    assert.deepEqual(run(text), want);
    for (let i = 1; i < text.length; i++) assert.deepEqual(run(text.slice(0, i), text.slice(i)), want, `split at ${i}`);
  });

  it("closes on malformed ops with nats-server's texts", () => {
    assert.deepEqual(run("LS+ a b\r\n"), ["ERROR - processLeafSub Parse Error: 'a b'"]);
    assert.deepEqual(run("LMSG a\r\n"), ["ERROR - processLeafMsgArgs Parse Error: '[a]'"]);
    assert.deepEqual(run("LMSG a r x\r\n"), ["ERROR - processLeafMsgArgs Bad or Missing Size: '[a r x]'"]);
    assert.equal(parseLeafMsg("a ? g 2", false), "processLeafMsgArgs Bad or Missing Reply Indicator: '?'");
    assert.equal(parseLeafMsg("a 12 10", true), "processLeafHeaderMsgArgs Header Size larger then TotalSize: 'a 12 10'");
    assert.equal(parseLeafSub("a b c d"), "processLeafSub Parse Error: 'a b c d'");
  });

  it("encodes the lines nats-server sends", () => {
    assert.equal(encodeLeafSub("foo", undefined, 1), "LS+ foo\r\n");
    assert.equal(encodeLeafSub("foo", "q", 2), "LS+ foo q 2\r\n");
    assert.equal(encodeLeafUnsub("foo", "q"), "LS- foo q\r\n");
    assert.equal(encodeLeafMsgLine({ account: "", subject: "s", reply: "r", queues: ["g"], headerSize: -1, size: 3 }), "LMSG s + r g 3\r\n");
    assert.equal(encodeLeafMsgLine({ account: "", subject: "s", queues: [], headerSize: 12, size: 14 }), "HMSG s 12 14\r\n");
  });

  it("CONNECT: leafConnectInfo's fields in order, omitted when empty, and back", () => {
    const line = encodeLeafConnect({ version: "2.11.0", tlsRequired: false, serverId: "NID", name: "edge", headers: true, denyPub: ["x.>"] });
    assert.equal(line, 'CONNECT {"version":"2.11.0","tls_required":false,"server_id":"NID","name":"edge","headers":true,"deny_pub":["x.\\u003e"]}\r\n');
    const d = decodeLeafConnect(line.slice(8, -2));
    assert.ok(d.ok);
    assert.deepEqual(d.value, { version: "2.11.0", tlsRequired: false, serverId: "NID", name: "edge", headers: true, denyPub: ["x.>"] });
    const bad = decodeLeafConnect('{"headers":"yes"}');
    assert.deepEqual(bad, { ok: false, error: "json: cannot unmarshal string into Go struct field leafConnectInfo.headers of type bool" });
  });
});
