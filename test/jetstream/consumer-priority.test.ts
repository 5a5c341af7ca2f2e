/**
 * Priority groups (2.11, ADR-42) through raw pull requests: the pinned client gets everything and its
 * messages carry Nats-Pin-Id, a stale pin id gets 423, unpinning moves the pin; overflow requests are
 * served only above their thresholds. nats-server 2.9.10 has none of this: tsnats only.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { suiteCleanup } from "../e2e/support.js";
import { api, fill, IMPL, jsEnv, NS, record, sleep, status, until, type JsEnv } from "./consumer-helpers.js";

describe("priority groups", { skip: IMPL !== "tsnats" }, () => {
  const cleanup = suiteCleanup();
  let env: JsEnv;
  let k = 0;
  before(async () => {
    env = await jsEnv(cleanup);
    await env.jsm.streams.add({ name: "PG", subjects: ["pg.>"] });
  });
  after(() => cleanup.run());

  function pull(consumer: string, body: Record<string, unknown>): ReturnType<typeof record> {
    const reply = `pgin.${++k}`;
    const rec = record(env.nc, reply);
    env.nc.publish(`$JS.API.CONSUMER.MSG.NEXT.PG.${consumer}`, JSON.stringify(body), { reply });
    return rec;
  }

  test("pinned client: one requester gets the messages, others wait; unpin moves the pin", async () => {
    const r = await api(env.nc, "CONSUMER.CREATE.PG.pin", { stream_name: "PG", config: { name: "pin", ack_policy: "explicit", priority_policy: "pinned_client", priority_groups: ["g"] } });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    const adv = record(env.nc, "$JS.EVENT.ADVISORY.CONSUMER.*.PG.pin");
    await env.nc.flush();
    const a = pull("pin", { batch: 10, expires: 3000 * NS, group: "g" });
    await env.nc.flush();
    const b = pull("pin", { batch: 10, expires: 3000 * NS, group: "g" });
    await env.nc.flush();
    await fill(env.js, (i) => `pg.${i}`, 4);
    await until(() => a.msgs.length + b.msgs.length >= 4, 2000, "four messages");
    const [winner, other] = a.msgs.length > 0 ? [a, b] : [b, a];
    assert.equal(winner.msgs.length, 4);
    assert.equal(other.msgs.length, 0);
    const pin = winner.msgs[0]!.headers!.get("Nats-Pin-Id");
    assert.ok(pin.length > 0);
    const info = await api(env.nc, "CONSUMER.INFO.PG.pin");
    assert.equal(info.priority_groups[0].group, "g");
    assert.equal(info.priority_groups[0].pinned_client_id, pin);
    // A request with a stale id is refused.
    const stale = pull("pin", { batch: 1, expires: 1000 * NS, group: "g", id: "not-the-pin" });
    await until(() => stale.msgs.length === 1, 2000, "a status");
    assert.deepEqual(status(stale.msgs[0]!), [423, "Nats-Pin-Id mismatch"]);
    // Unpinned: the next message goes to a request without an id, which becomes the pinned one.
    winner.stop();
    assert.equal((await api(env.nc, "CONSUMER.UNPIN.PG.pin", { group: "g" })).error, undefined);
    await fill(env.js, (i) => `pg.${i}`, 1);
    await until(() => other.msgs.length === 1, 2000, "the other requester");
    const pin2 = other.msgs[0]!.headers!.get("Nats-Pin-Id");
    assert.ok(pin2.length > 0 && pin2 !== pin);
    await until(() => adv.msgs.length >= 3, 2000, "pinned, unpinned, pinned advisories");
    const kinds = adv.msgs.map((m) => m.subject.split(".")[4]);
    assert.deepEqual(kinds.slice(0, 3), ["PINNED", "UNPINNED", "PINNED"]);
    assert.equal(adv.msgs[1]!.json<Record<string, unknown>>().reason, "admin");
    for (const x of [a, b, stale, adv]) x.stop();
  });

  test("overflow: requests with thresholds are served only above them", async () => {
    const r = await api(env.nc, "CONSUMER.CREATE.PG.ovf", { stream_name: "PG", config: { name: "ovf", ack_policy: "explicit", priority_policy: "overflow", priority_groups: ["g"], filter_subject: "pg.ovf" } });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    const picky = pull("ovf", { batch: 10, expires: 2000 * NS, group: "g", min_pending: 3 });
    await env.nc.flush();
    await fill(env.js, () => "pg.ovf", 2);
    await sleep(200);
    assert.equal(picky.msgs.length, 0, "below min_pending: nothing");
    await fill(env.js, () => "pg.ovf", 2);
    await until(() => picky.msgs.length >= 2, 2000, "delivery once above the threshold");
    const bad = pull("ovf", { batch: 1, expires: 1000 * NS });
    await until(() => bad.msgs.length === 1, 2000, "a status");
    assert.deepEqual(status(bad.msgs[0]!), [400, "Bad Request - Priority Group missing"]);
    picky.stop();
    bad.stop();
  });
});
