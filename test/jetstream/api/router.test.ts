/**
 * The API router's answer to a subject it does not know, for a client of the account and for a request
 * that came in through a service import (TestJetStreamCrossAccounts in nats-server: a KV behind
 * overlapping imports `fromA.>` -> `$JS.API.>` and `fromA.$KV.>` -> `$KV.>`).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { connect, type Msg, type NatsConnection } from "@nats-io/transport-node";
import { IMPL, suiteCleanup } from "../../e2e/support.js";
import { startServerProcess } from "../../helpers/server-process.js";
import { sleep, tempDir } from "../support.js";

const NEW = IMPL === "tsnats";

describe("API router: unknown subjects", () => {
  const cleanup = suiteCleanup();
  let a: NatsConnection;
  let b: NatsConnection;
  before(async () => {
    const dir = tempDir(cleanup);
    const srv = await startServerProcess({
      impl: IMPL,
      config: `
        jetstream { store_dir: "${dir}" }
        accounts {
          A { jetstream: enabled, users: [{user: a, password: a}], exports: [ {service: "$JS.API.>"}, {service: "$KV.>"} ] }
          B { users: [{user: b, password: b}], imports: [
            {service: {account: A, subject: "$JS.API.>"}, to: "fromA.>"}
            {service: {account: A, subject: "$KV.>"}, to: "fromA.$KV.>"}
          ] }
        }`,
    });
    cleanup.after(() => srv.stop());
    a = await connect({ servers: srv.url, user: "a", pass: "a" });
    b = await connect({ servers: srv.url, user: "b", pass: "b" });
    cleanup.after(() => a.close());
    cleanup.after(() => b.close());
    const r = await a.request("$JS.API.STREAM.CREATE.KV_x", JSON.stringify({ name: "KV_x", subjects: ["$KV.x.>"], allow_rollup_hdrs: true }));
    assert.equal(r.json<{ error?: unknown }>().error, undefined);
  });
  after(() => cleanup.run());

  async function replies(nc: NatsConnection, subject: string, inbox: string): Promise<Msg[]> {
    const got: Msg[] = [];
    const sub = nc.subscribe(inbox, { callback: (_e, m) => void got.push(m) });
    await nc.flush();
    nc.publish(subject, "v", { reply: inbox });
    await sleep(500);
    sub.unsubscribe();
    return got;
  }

  // nats-server 2.9.10 and 2.14.5: the put reaches both exporters; only the stream answers.
  it("a put through overlapping service imports gets the PubAck alone", async () => {
    const got = await replies(b, "fromA.$KV.x.y", "_INBOX.d6.put");
    assert.deepEqual(got.map((m) => m.json()), [{ stream: "KV_x", seq: 1 }]);
  });

  // nats-server 2.11+ answers a client's unknown API call with "bad request"; 2.9.10 stays silent.
  it("a client's unknown API call", async () => {
    const got = await replies(a, "$JS.API.NO.SUCH.CALL", "_INBOX.d6.unknown");
    if (NEW) {
      assert.equal(got.length, 1);
      assert.deepEqual(got[0]!.json<{ error: unknown }>().error, { code: 400, err_code: 10003, description: "bad request" });
    } else assert.equal(got.length, 0);
  });
});
