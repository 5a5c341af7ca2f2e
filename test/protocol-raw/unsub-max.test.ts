/**
 * UNSUB with a maximum: the count includes deliveries made before the UNSUB, counts messages from every
 * publisher, and a subscription whose maximum is already reached disappears at once. Byte-exact.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { afterInfo, runSession, send, sync } from "../helpers/raw-session.js";
import { implUnderTest, startServerProcess, type ServerProcess } from "../helpers/server-process.js";

const CONNECT = 'CONNECT {"verbose":false,"pedantic":false}\r\n';
const pub = (subject: string, payload: string) => `PUB ${subject} ${payload.length}\r\n${payload}\r\n`;
const pubs = (subject: string, payloads: string[]) => payloads.map((p) => pub(subject, p)).join("");
const msg = (subject: string, sid: string, payload: string) => `MSG ${subject} ${sid} ${payload.length}\r\n${payload}\r\n`;

describe("protocol-raw: UNSUB max", () => {
  let srv: ServerProcess;
  before(async () => {
    srv = await startServerProcess({ impl: implUnderTest() });
  });
  after(() => srv.stop());

  /** Runs a one-connection session (ending in one sync) and returns what came after INFO. */
  async function single(text: string): Promise<string> {
    const t = await runSession(srv.port, [send(CONNECT + text), sync()], { settle: false });
    return afterInfo(t.conns.c!);
  }

  it("stops after max deliveries", async () => {
    const got = await single("SUB foo 1\r\nUNSUB 1 2\r\n" + pubs("foo", ["a", "b", "c", "d"]));
    assert.equal(got, msg("foo", "1", "a") + msg("foo", "1", "b") + "PONG\r\n");
  });

  it("counts deliveries made before the UNSUB", async () => {
    const got = await single("SUB foo 1\r\n" + pubs("foo", ["a", "b"]) + "UNSUB 1 3\r\n" + pubs("foo", ["c", "d", "e"]));
    assert.equal(got, msg("foo", "1", "a") + msg("foo", "1", "b") + msg("foo", "1", "c") + "PONG\r\n");
  });

  it("removes the subscription at once when max is already reached", async () => {
    const got = await single("SUB foo 1\r\n" + pubs("foo", ["a", "b"]) + "UNSUB 1 2\r\n" + pub("foo", "c") + "SUB foo 1\r\n" + pub("foo", "d"));
    assert.equal(got, msg("foo", "1", "a") + msg("foo", "1", "b") + msg("foo", "1", "d") + "PONG\r\n");
  });

  it("counts every matching subject of a wildcard subscription", async () => {
    const got = await single("SUB foo.> w\r\nUNSUB w 3\r\n" + pub("foo.a", "1") + pub("bar", "x") + pub("foo.b.c", "2") + pub("foo.d", "3") + pub("foo.e", "4"));
    assert.equal(got, msg("foo.a", "w", "1") + msg("foo.b.c", "w", "2") + msg("foo.d", "w", "3") + "PONG\r\n");
  });

  it("counts messages from every publisher", async () => {
    const t = await runSession(
      srv.port,
      [
        send(CONNECT + "SUB foo 1\r\nUNSUB 1 3\r\n", { on: "sub" }),
        sync("sub"),
        send(CONNECT + pubs("foo", ["p1", "p2"]), { on: "one" }),
        sync("one"),
        send(CONNECT + pubs("foo", ["q1", "q2"]), { on: "two" }),
        sync("two"),
        sync("sub"),
      ],
      { settle: false },
    );
    assert.equal(afterInfo(t.conns.sub!), "PONG\r\n" + msg("foo", "1", "p1") + msg("foo", "1", "p2") + msg("foo", "1", "q1") + "PONG\r\n");
  });

  it("applies to a queue subscription", async () => {
    const got = await single("SUB foo q 1\r\nUNSUB 1 2\r\n" + pubs("foo", ["a", "b", "c"]));
    assert.equal(got, msg("foo", "1", "a") + msg("foo", "1", "b") + "PONG\r\n");
  });

  it("leaves other subscriptions on the same subject alone", async () => {
    const got = await single("SUB foo 1\r\nSUB foo 2\r\nUNSUB 1 1\r\n" + pub("foo", "a") + "UNSUB 2\r\n" + pubs("foo", ["b"]) + "SUB foo 3\r\n" + pub("foo", "c"));
    // Which of the two subscriptions gets "a" first is the server's choice.
    const [one, two] = [msg("foo", "1", "a"), msg("foo", "2", "a")];
    const rest = msg("foo", "3", "c") + "PONG\r\n";
    assert.ok([one + two + rest, two + one + rest].includes(got), got);
  });
});
