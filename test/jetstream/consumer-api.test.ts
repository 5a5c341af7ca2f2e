/**
 * The CONSUMER.* API through raw requests: the create forms and their errors (nats-server's codes and
 * descriptions), defaults, create/update actions, info, names, list, delete, pause, unpin.
 * Features newer than 2.9.10 are only checked against tsnats.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { suiteCleanup } from "../e2e/support.js";
import { api, IMPL, jsEnv, fill, record, until, type JsEnv } from "./consumer-helpers.js";

const NEW = IMPL === "tsnats";

describe("consumer API", () => {
  const cleanup = suiteCleanup();
  let env: JsEnv;
  before(async () => {
    env = await jsEnv(cleanup);
    await api(env.nc, "STREAM.CREATE.S", { name: "S", subjects: ["s.>"] });
    await api(env.nc, "STREAM.CREATE.WQ", { name: "WQ", subjects: ["wq.>"], retention: "workqueue" });
    await fill(env.js, (i) => `s.${i % 3}`, 9);
  });
  after(() => cleanup.run());

  const create = (subject: string, config: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Record<string, any>> =>
    api(env.nc, subject, { stream_name: subject.split(".")[subject.startsWith("CONSUMER.DURABLE") ? 3 : 2], config, ...extra });

  const errOf = (r: Record<string, any>): [number, number, string] => [r.error?.code, r.error?.err_code, r.error?.description];

  test("durable create fills nats-server's defaults and reports info", async () => {
    const r = await create("CONSUMER.DURABLE.CREATE.S.D1", { durable_name: "D1", ack_policy: "explicit" });
    assert.equal(r.type, "io.nats.jetstream.api.v1.consumer_create_response");
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.equal(r.stream_name, "S");
    assert.equal(r.name, "D1");
    const c = r.config;
    assert.equal(c.durable_name, "D1");
    assert.equal(c.deliver_policy, "all");
    assert.equal(c.ack_policy, "explicit");
    assert.equal(c.ack_wait, 30_000_000_000);
    assert.equal(c.max_deliver, -1);
    assert.equal(c.replay_policy, "instant");
    assert.equal(c.max_waiting, 512);
    assert.equal(c.max_ack_pending, 1000);
    assert.deepEqual(r.delivered, { consumer_seq: 0, stream_seq: 0 });
    assert.deepEqual(r.ack_floor, { consumer_seq: 0, stream_seq: 0 });
    assert.equal(r.num_pending, 9);
    assert.equal(r.num_ack_pending, 0);
    assert.equal(r.num_waiting, 0);
    const info = await api(env.nc, "CONSUMER.INFO.S.D1");
    assert.equal(info.type, "io.nats.jetstream.api.v1.consumer_info_response");
    assert.equal(info.num_pending, 9);
    assert.equal(info.created, r.created);
  });

  test("legacy ephemeral gets a generated name and a 5s inactive threshold", async () => {
    const r = await create("CONSUMER.CREATE.S", { deliver_subject: "eph.x", ack_policy: "none" });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    assert.match(r.name, /^[A-Za-z0-9]{8}$/);
    assert.equal(r.config.inactive_threshold, 5_000_000_000);
    assert.equal(r.config.durable_name, undefined);
  });

  test("subject/body mismatches give nats-server's errors", async () => {
    assert.deepEqual(errOf(await api(env.nc, "CONSUMER.CREATE.S", { stream_name: "X", config: {} })), [400, 10056, "stream name in subject does not match request"]);
    assert.deepEqual(errOf(await create("CONSUMER.CREATE.S", { durable_name: "X" })), [400, 10020, "consumer expected to be ephemeral but a durable name was set in request"]);
    assert.deepEqual(errOf(await create("CONSUMER.DURABLE.CREATE.S.Y", { ack_policy: "explicit" })), [400, 10018, "consumer expected to be durable but a durable name was not set"]);
    assert.deepEqual(errOf(await create("CONSUMER.DURABLE.CREATE.S.Y", { durable_name: "Z" })), [400, 10017, "consumer name in subject does not match durable name in request"]);
    assert.deepEqual(errOf(await create("CONSUMER.CREATE.S.Z.s.1", { filter_subject: "s.2" })), [400, 10131, "Consumer create request did not match filtered subject from create subject"]);
    assert.deepEqual(errOf(await api(env.nc, "CONSUMER.CREATE.NOPE.Z", { stream_name: "NOPE", config: {} })), [404, 10059, "stream not found"]);
    assert.deepEqual(errOf(await api(env.nc, "CONSUMER.INFO.S.NOPE")), [404, 10014, "consumer not found"]);
    assert.equal(errOf(await api(env.nc, "CONSUMER.CREATE.S", "{bad"))[1], 10025);
  });

  test("config checks give nats-server's codes", async () => {
    const cases: [Record<string, unknown>, number][] = [
      [{ deliver_subject: "x.*" }, 10079],
      [{ deliver_subject: "s.foo" }, 10081],
      [{ deliver_subject: "p.q", max_waiting: 10 }, 10080],
      [{ deliver_subject: "p.q", ack_policy: "none", max_ack_pending: 10 }, 10082],
      [{ deliver_subject: "p.q", idle_heartbeat: 50_000_000 }, 10083],
      [{ idle_heartbeat: 1_000_000_000 }, 10088],
      [{ flow_control: true }, 10089],
      [{ flow_control: true, idle_heartbeat: 1_000_000_000 }, 10088],
      [{ deliver_subject: "p.q", flow_control: true }, 10108],
      [{ rate_limit_bps: 1000 }, 10086],
      [{ max_expires: 10 }, 10115],
      [{ ack_policy: "explicit", backoff: [1_000_000_000, 2_000_000_000], max_deliver: 1 }, 10116],
      [{ deliver_policy: "by_start_sequence" }, 10094],
      [{ deliver_policy: "last_per_subject" }, 10094],
      [{ deliver_policy: "all", opt_start_seq: 4 }, 10094],
      [{ sample_freq: "abc" }, 10095],
      [{ description: "x".repeat(5000) }, 10107],
      // Standalone: nats-server's single-server check comes before the "exceeds parent stream" rule (10126).
      [{ num_replicas: 3 }, 10074],
      [{ num_replicas: 2, deliver_subject: "s.foo" }, 10074],
    ];
    for (const [cfg, code] of cases) {
      const r = await create("CONSUMER.CREATE.S", cfg);
      assert.equal(r.error?.err_code, code, `${JSON.stringify(cfg)} -> ${JSON.stringify(r.error)}`);
    }
    assert.equal((await create("CONSUMER.CREATE.NOPE", { num_replicas: 3 })).error?.err_code, 10074, "before the stream lookup");
    const r = await create("CONSUMER.CREATE.S", { deliver_policy: "by_start_sequence" });
    assert.equal(r.error.description, "consumer delivery policy is deliver by start sequence, but optional start sequence is not set");
  });

  // nats-server 2.10+ (pinned: 2.14.5) dropped the check that a filter lies within the stream's subjects;
  // 2.9.10 refuses it with 10093, and the current clients rely on it being gone.
  test("a filter outside the stream's subjects: accepted from 2.10 on", async () => {
    const r = await create("CONSUMER.CREATE.S", { filter_subject: "t.x" });
    if (NEW) {
      assert.equal(r.error, undefined, JSON.stringify(r.error));
      assert.equal(r.config.filter_subject, "t.x");
      assert.equal(r.num_pending, 0);
      await api(env.nc, `CONSUMER.DELETE.S.${r.name}`);
    } else assert.equal(r.error?.err_code, 10093);
  });

  test("workqueue streams: explicit ack, deliver all, one consumer per subject", async () => {
    assert.equal((await create("CONSUMER.DURABLE.CREATE.WQ.A", { durable_name: "A", ack_policy: "none" })).error?.err_code, 10084);
    assert.equal((await create("CONSUMER.DURABLE.CREATE.WQ.A", { durable_name: "A", ack_policy: "all" })).error?.err_code, 10098);
    assert.equal((await create("CONSUMER.DURABLE.CREATE.WQ.A", { durable_name: "A", ack_policy: "explicit", deliver_policy: "new" })).error?.err_code, 10101);
    assert.equal((await create("CONSUMER.DURABLE.CREATE.WQ.A", { durable_name: "A", ack_policy: "explicit", filter_subject: "wq.a.>" })).error, undefined);
    assert.equal((await create("CONSUMER.DURABLE.CREATE.WQ.B", { durable_name: "B", ack_policy: "explicit" })).error?.err_code, 10099);
    assert.equal((await create("CONSUMER.DURABLE.CREATE.WQ.B", { durable_name: "B", ack_policy: "explicit", filter_subject: "wq.a.x" })).error?.err_code, 10100);
    assert.equal((await create("CONSUMER.DURABLE.CREATE.WQ.B", { durable_name: "B", ack_policy: "explicit", filter_subject: "wq.b" })).error, undefined);
    await api(env.nc, "CONSUMER.DELETE.WQ.A");
    await api(env.nc, "CONSUMER.DELETE.WQ.B");
  });

  test("updates: allowed fields change, fixed ones are refused", async () => {
    await create("CONSUMER.DURABLE.CREATE.S.U", { durable_name: "U", ack_policy: "explicit", description: "one" });
    const ok = await create("CONSUMER.DURABLE.CREATE.S.U", { durable_name: "U", ack_policy: "explicit", description: "two", max_ack_pending: 5 });
    assert.equal(ok.error, undefined);
    assert.equal(ok.config.description, "two");
    assert.equal(ok.config.max_ack_pending, 5);
    const bad = await create("CONSUMER.DURABLE.CREATE.S.U", { durable_name: "U", ack_policy: "all" });
    assert.deepEqual(errOf(bad), [500, 10012, "ack policy can not be updated"]);
    const dp = await create("CONSUMER.DURABLE.CREATE.S.U", { durable_name: "U", ack_policy: "explicit", deliver_policy: "new" });
    assert.equal(dp.error?.description, "deliver policy can not be updated");
  });

  test("create/update actions (2.10)", { skip: !NEW }, async () => {
    const c = await create("CONSUMER.CREATE.S.ACT", { name: "ACT", ack_policy: "explicit" }, { action: "create" });
    assert.equal(c.error, undefined);
    const same = await create("CONSUMER.CREATE.S.ACT", { name: "ACT", ack_policy: "explicit" }, { action: "create" });
    assert.equal(same.error, undefined);
    const diff = await create("CONSUMER.CREATE.S.ACT", { name: "ACT", ack_policy: "explicit", description: "x" }, { action: "create" });
    assert.deepEqual(errOf(diff), [400, 10148, "consumer already exists"]);
    const upd = await create("CONSUMER.CREATE.S.NOPE", { name: "NOPE", ack_policy: "explicit" }, { action: "update" });
    assert.deepEqual(errOf(upd), [400, 10149, "consumer does not exist"]);
    const multi = await create("CONSUMER.CREATE.S.MF.s.1", { name: "MF", filter_subjects: ["s.1", "s.2"] });
    assert.equal(multi.error?.err_code, 10137);
    const overlap = await create("CONSUMER.CREATE.S.MF", { name: "MF", filter_subjects: ["s.*", "s.2"] });
    assert.equal(overlap.error?.err_code, 10138);
    const both = await create("CONSUMER.CREATE.S.MF", { name: "MF", filter_subject: "s.1", filter_subjects: ["s.2"] });
    assert.equal(both.error?.err_code, 10136);
    const mf = await create("CONSUMER.CREATE.S.MF", { name: "MF", filter_subjects: ["s.1", "s.2"], metadata: { team: "a" } });
    assert.equal(mf.error, undefined);
    assert.equal(mf.num_pending, 6);
    assert.deepEqual(mf.config.metadata, { team: "a" });
  });

  test("names and list are sorted and paged; delete answers success", async () => {
    await create("CONSUMER.DURABLE.CREATE.S.zz", { durable_name: "zz", ack_policy: "explicit" });
    await create("CONSUMER.DURABLE.CREATE.S.AA", { durable_name: "AA", ack_policy: "explicit" });
    const names = await api(env.nc, "CONSUMER.NAMES.S");
    assert.equal(names.type, "io.nats.jetstream.api.v1.consumer_names_response");
    assert.equal(names.limit, 1024);
    assert.deepEqual(names.consumers, [...names.consumers].sort((a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)));
    assert.ok(names.consumers.includes("AA") && names.consumers.includes("zz"));
    const page = await api(env.nc, "CONSUMER.NAMES.S", { offset: 1 });
    assert.deepEqual(page.consumers, names.consumers.slice(1));
    assert.equal(page.offset, 1);
    const list = await api(env.nc, "CONSUMER.LIST.S");
    assert.equal(list.limit, 256);
    assert.deepEqual(list.consumers.map((c: any) => c.name), names.consumers);
    const del = await api(env.nc, "CONSUMER.DELETE.S.zz");
    assert.deepEqual(del, { type: "io.nats.jetstream.api.v1.consumer_delete_response", success: true });
    assert.equal((await api(env.nc, "CONSUMER.DELETE.S.zz")).error?.err_code, 10014);
    assert.equal((await api(env.nc, "CONSUMER.NAMES.NOPE")).error?.err_code, 10059);
  });

  test("created and deleted advisories", async () => {
    const adv = record(env.nc, "$JS.EVENT.ADVISORY.CONSUMER.*.S.ADV");
    await env.nc.flush();
    await create("CONSUMER.DURABLE.CREATE.S.ADV", { durable_name: "ADV", ack_policy: "explicit" });
    await api(env.nc, "CONSUMER.DELETE.S.ADV");
    await until(() => adv.msgs.length >= 2, 2000, "two advisories");
    const [c, d] = adv.msgs.map((m) => m.json<Record<string, any>>());
    assert.equal(adv.msgs[0]!.subject, "$JS.EVENT.ADVISORY.CONSUMER.CREATED.S.ADV");
    assert.equal(c!.type, "io.nats.jetstream.advisory.v1.consumer_action");
    assert.equal(c!.action, "create");
    assert.equal(d!.action, "delete");
    assert.equal(d!.stream, "S");
    assert.equal(d!.consumer, "ADV");
    adv.stop();
  });

  test("pause and resume (2.11)", { skip: !NEW }, async () => {
    await create("CONSUMER.DURABLE.CREATE.S.P", { durable_name: "P", ack_policy: "explicit" });
    const pauseUntil = new Date(Date.now() + 60_000).toISOString();
    const p = await api(env.nc, "CONSUMER.PAUSE.S.P", { pause_until: pauseUntil });
    assert.equal(p.type, "io.nats.jetstream.api.v1.consumer_pause_response");
    assert.equal(p.paused, true);
    assert.ok(p.pause_remaining > 50_000_000_000);
    const info = await api(env.nc, "CONSUMER.INFO.S.P");
    assert.equal(info.paused, true);
    // A paused pull consumer delivers nothing.
    const got = record(env.nc, "pause.inbox");
    env.nc.publish("$JS.API.CONSUMER.MSG.NEXT.S.P", JSON.stringify({ batch: 1, expires: 300_000_000 }), { reply: "pause.inbox" });
    await until(() => got.msgs.length > 0, 2000, "the request to end");
    assert.equal(got.msgs[0]!.headers?.code, 408);
    const r = await api(env.nc, "CONSUMER.PAUSE.S.P", {});
    assert.equal(r.paused, false);
    env.nc.publish("$JS.API.CONSUMER.MSG.NEXT.S.P", JSON.stringify({ batch: 1, expires: 1_000_000_000 }), { reply: "pause.inbox" });
    await until(() => got.msgs.length > 1, 2000, "a message after resuming");
    assert.equal(got.msgs[1]!.string(), "m0");
    got.stop();
  });

  test("priority group config checks and unpin (2.11)", { skip: !NEW }, async () => {
    assert.equal((await create("CONSUMER.CREATE.S.PG", { name: "PG", priority_policy: "pinned_client" })).error?.err_code, 10159);
    assert.equal((await create("CONSUMER.CREATE.S.PG", { name: "PG", priority_policy: "pinned_client", priority_groups: ["bad group"] })).error?.err_code, 10162);
    assert.equal((await create("CONSUMER.CREATE.S.PG", { name: "PG", priority_groups: ["g"] })).error?.err_code, 10196);
    const ok = await create("CONSUMER.CREATE.S.PG", { name: "PG", ack_policy: "explicit", priority_policy: "pinned_client", priority_groups: ["g"] });
    assert.equal(ok.error, undefined);
    assert.equal(ok.config.priority_timeout, 120_000_000_000);
    assert.equal((await api(env.nc, "CONSUMER.UNPIN.S.PG", { group: "h" })).error?.err_code, 10160);
    assert.equal((await api(env.nc, "CONSUMER.UNPIN.S.PG", { group: "g" })).error, undefined);
  });
});
