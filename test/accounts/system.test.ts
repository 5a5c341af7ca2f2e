/**
 * The system account through nats.js: connect/disconnect and account-connection events, server PING and
 * per-server STATSZ requests, and the account PING request imported into every account.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Msg } from "@nats-io/transport-node";
import { IMPL, serverFor, waitUntil, within } from "../e2e/support.js";
import { connectOk } from "../auth/support.js";

const CONFIG = `
accounts {
  A: { users: [ {user: a, password: a} ] }
  SYS: { users: [ {user: sys, password: sys} ] }
}
system_account: SYS
`;

type Json = Record<string, any>;

describe(`system account [${IMPL}]`, () => {
  test("CONNECT and DISCONNECT events name the client, its account and user; CONNS counts", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const sys = await connectOk(t, srv, { user: "sys", pass: "sys" });
    const events: Json[] = [];
    const conns: Json[] = [];
    sys.subscribe("$SYS.ACCOUNT.A.*", { callback: (_e, m: Msg) => void events.push(m.json()) });
    sys.subscribe("$SYS.ACCOUNT.A.SERVER.CONNS", { callback: (_e, m: Msg) => void conns.push(m.json()) });
    await sys.flush();
    const a = await connectOk(t, srv, { user: "a", pass: "a", name: "the-app" });
    await a.flush();
    await a.close();
    await waitUntil(() => events.length >= 2 && conns.length >= 2, 5000, "connect and disconnect events");
    const [connect, disconnect] = events;
    assert.equal(connect!.type, "io.nats.server.advisory.v1.client_connect");
    assert.equal(connect!.client.acc, "A");
    assert.equal(connect!.client.user, "a");
    assert.equal(connect!.client.name, "the-app");
    assert.equal(connect!.client.kind, "Client");
    assert.equal(connect!.server.id, sys.info!.server_id);
    assert.equal(disconnect!.type, "io.nats.server.advisory.v1.client_disconnect");
    assert.equal(disconnect!.reason, "Client Closed");
    assert.equal(typeof disconnect!.sent.msgs, "number");
    assert.equal(conns[0]!.type, "io.nats.server.advisory.v1.account_connections");
    assert.deepEqual(conns.map((c) => [c.acc, c.conns]), [["A", 1], ["A", 0]]);
  });

  test("$SYS.REQ.SERVER.PING and $SYS.REQ.SERVER.<id>.STATSZ answer with the server's stats", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const sys = await connectOk(t, srv, { user: "sys", pass: "sys" });
    const ping = (await sys.request("$SYS.REQ.SERVER.PING", "", { timeout: 3000 })).json<Json>();
    assert.equal(ping.server.id, sys.info!.server_id);
    assert.equal(ping.statsz.connections, 1);
    assert.equal(typeof ping.statsz.subscriptions, "number");
    const byId = (await sys.request(`$SYS.REQ.SERVER.${sys.info!.server_id}.STATSZ`, "", { timeout: 3000 })).json<Json>();
    assert.equal(byId.server.id, sys.info!.server_id);
    assert.ok(byId.statsz.total_connections >= 1);
  });

  test("an ordinary account can ask about itself through $SYS.REQ.ACCOUNT.PING.CONNZ, and sees nothing of $SYS", async (t) => {
    const srv = await serverFor(t, { config: CONFIG });
    const a = await connectOk(t, srv, { user: "a", pass: "a" });
    const spy: string[] = [];
    a.subscribe("$SYS.>", { callback: (_e, m) => void spy.push(m.subject) });
    await a.flush();
    const other = await connectOk(t, srv, { user: "sys", pass: "sys" });
    await other.flush();
    const r = await within(a.request("$SYS.REQ.ACCOUNT.PING.CONNZ", "", { timeout: 3000 }), 4000, "the account CONNZ reply");
    assert.ok(r.data.length > 0);
    assert.deepEqual(spy.filter((s) => !s.startsWith("$SYS.REQ.ACCOUNT.PING")), []);
  });
});
