/**
 * Advisories ($JS.EVENT.ADVISORY.STREAM.* and the API audit), per-account JetStream from the config
 * file (enabled, limits, disabled accounts answering 10039), and the /jsz figures.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connect, type Msg } from "@nats-io/transport-node";
import { startServerProcess } from "../helpers/server-process.js";
import { jszData } from "../../src/jetstream/jsz.js";
import { api, embeddedJs, tempDir } from "./support.js";

describe("advisories", () => {
  it("stream created, updated, deleted, and the API audit", async (t) => {
    const env = await embeddedJs(t);
    const got: Msg[] = [];
    const sub = env.nc.subscribe("$JS.EVENT.ADVISORY.>", {
      callback: (_e, m) => {
        got.push(m);
      },
    });
    await env.nc.flush();
    await env.jsm.streams.add({ name: "ADV", subjects: ["adv"] });
    await env.jsm.streams.update("ADV", { max_msgs: 5 });
    await env.jsm.streams.delete("ADV");
    await env.nc.flush();
    await new Promise((r) => setTimeout(r, 50));
    sub.unsubscribe();
    const actions = got
      .filter((m) => m.subject.startsWith("$JS.EVENT.ADVISORY.STREAM."))
      .map((m) => {
        const j = m.json<Record<string, unknown>>();
        assert.equal(j.type, "io.nats.jetstream.advisory.v1.stream_action");
        assert.equal(j.stream, "ADV");
        assert.equal(typeof j.id, "string");
        assert.match(String(j.timestamp), /^\d{4}-/);
        return [m.subject, j.action];
      });
    assert.deepEqual(actions, [
      ["$JS.EVENT.ADVISORY.STREAM.CREATED.ADV", "create"],
      ["$JS.EVENT.ADVISORY.STREAM.UPDATED.ADV", "modify"],
      ["$JS.EVENT.ADVISORY.STREAM.DELETED.ADV", "delete"],
    ]);
    const audits = got.filter((m) => m.subject === "$JS.EVENT.ADVISORY.API").map((m) => m.json<Record<string, any>>());
    const create = audits.find((a) => a.subject === "$JS.API.STREAM.CREATE.ADV");
    assert.ok(create);
    assert.equal(create.type, "io.nats.jetstream.advisory.v1.api_audit");
    assert.equal(create.client.acc, "$G");
    assert.equal(JSON.parse(create.request).name, "ADV");
    assert.equal(JSON.parse(create.response).type, "io.nats.jetstream.api.v1.stream_create_response");
  });
});

describe("accounts", () => {
  it("JetStream per account from the config file, with limits; others answer 10039", async (t) => {
    const dir = tempDir(t);
    const config = `
      jetstream { store_dir: "${dir}" }
      accounts {
        JS: { jetstream: { max_streams: 1, max_file: 1M }, users: [{ user: a, password: a }] }
        NOJS: { users: [{ user: b, password: b }] }
      }`;
    const srv = await startServerProcess({ impl: "tsnats", config });
    t.after(() => srv.stop("SIGKILL"));
    const a = await connect({ servers: srv.url, user: "a", pass: "a", reconnect: false });
    const b = await connect({ servers: srv.url, user: "b", pass: "b", reconnect: false });
    t.after(() => a.close());
    t.after(() => b.close());
    const info = await api(a, "$JS.API.INFO");
    assert.equal(info.limits.max_streams, 1);
    assert.equal(info.limits.max_storage, 1_000_000); // `1M` in a conf file is 10^6
    assert.equal((await api(a, "$JS.API.STREAM.CREATE.ONE", { name: "ONE" })).error, undefined);
    assert.equal((await api(a, "$JS.API.STREAM.CREATE.TWO", { name: "TWO" })).error.err_code, 10027);
    const denied = await api(b, "$JS.API.INFO");
    assert.deepEqual(denied.error, { code: 503, err_code: 10039, description: "JetStream not enabled for account" });
    // Accounts are separate namespaces: B publishing on ONE's subject stores nothing.
    await assert.rejects(b.request("ONE", "x", { timeout: 300 }));
  });
});

describe("/jsz figures", () => {
  it("totals and account details", async (t) => {
    const env = await embeddedJs(t);
    await env.jsm.streams.add({ name: "JZ", subjects: ["jz"] });
    await env.js.publish("jz", "hello");
    const d = jszData(env.server!.server, { accounts: true, streams: true, consumers: true, config: true, offset: 0, limit: 0 })!;
    assert.equal(d.streams, 1);
    assert.equal(d.messages, 1);
    assert.ok(d.bytes > 0);
    assert.equal(d.stats.storage, d.bytes);
    assert.equal(d.stats.accounts, 1);
    const acc = d.account_details![0]!;
    assert.equal(acc.name, "$G");
    const sd = (acc.stream_detail as Record<string, any>[])[0]!;
    assert.equal(sd.name, "JZ");
    assert.equal(sd.config.name, "JZ");
    assert.equal(sd.state.messages, 1);
  });
});
