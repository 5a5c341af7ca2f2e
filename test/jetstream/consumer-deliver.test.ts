/**
 * Where a consumer starts and how it paces: every deliver policy, filters (single and multiple),
 * replay by sequence and by time, replay_policy original, and num_pending as messages come and go.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { suiteCleanup } from "../e2e/support.js";
import { api, fill, IMPL, jsEnv, NS, record, sleep, until, type JsEnv } from "./consumer-helpers.js";

describe("deliver policies and replay", () => {
  const cleanup = suiteCleanup();
  let env: JsEnv;
  let n = 0;
  let midTime = "";
  before(async () => {
    env = await jsEnv(cleanup);
    await env.jsm.streams.add({ name: "D", subjects: ["d.>"] });
    await fill(env.js, (i) => `d.${i % 3}`, 6);
    await sleep(50);
    midTime = new Date().toISOString();
    await sleep(50);
    await fill(env.js, (i) => `d.${i % 3}`, 6, (i) => `late${i}`);
  });
  after(() => cleanup.run());

  /** Creates an ephemeral push consumer with `cfg` and collects what it delivers until it is idle. */
  async function deliveries(cfg: Record<string, unknown>, expect: number): Promise<{ seqs: number[]; subjects: string[]; pending: number[] }> {
    const subj = `dl.${++n}`;
    const rec = record(env.nc, subj);
    await env.nc.flush();
    const r = await api(env.nc, "CONSUMER.CREATE.D", { stream_name: "D", config: { deliver_subject: subj, ack_policy: "none", ...cfg } });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    await until(() => rec.msgs.length >= expect, 2000, `${expect} messages`);
    await sleep(100);
    rec.stop();
    const t = rec.msgs.map((m) => m.reply!.split("."));
    return { seqs: t.map((x) => Number(x[5])), subjects: rec.msgs.map((m) => m.subject), pending: t.map((x) => Number(x[8])) };
  }

  test("all, last, new", async () => {
    assert.deepEqual((await deliveries({ deliver_policy: "all" }, 12)).seqs, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert.deepEqual((await deliveries({ deliver_policy: "last" }, 1)).seqs, [12]);
    assert.deepEqual((await deliveries({ deliver_policy: "last", filter_subject: "d.1" }, 1)).seqs, [11]);
    const subj = `dl.${++n}`;
    const rec = record(env.nc, subj);
    await env.nc.flush();
    await api(env.nc, "CONSUMER.CREATE.D", { stream_name: "D", config: { deliver_subject: subj, ack_policy: "none", deliver_policy: "new" } });
    await sleep(100);
    assert.equal(rec.msgs.length, 0);
    await env.js.publish("d.new", "fresh");
    await until(() => rec.msgs.length === 1, 2000, "the new message");
    assert.equal(rec.msgs[0]!.string(), "fresh");
    rec.stop();
  });

  test("by start sequence and by start time", async () => {
    assert.deepEqual((await deliveries({ deliver_policy: "by_start_sequence", opt_start_seq: 10 }, 4)).seqs.slice(0, 3), [10, 11, 12]);
    const byTime = await deliveries({ deliver_policy: "by_start_time", opt_start_time: midTime }, 6);
    assert.equal(byTime.seqs[0], 7);
  });

  test("last per subject, with the pending count reaching 0 at the last one", async () => {
    // d.new was published by the first test: four subjects.
    const r = await deliveries({ deliver_policy: "last_per_subject", filter_subject: "d.*" }, 4);
    assert.deepEqual(r.seqs, [10, 11, 12, 13]);
    assert.deepEqual(r.subjects, ["d.0", "d.1", "d.2", "d.new"]);
    assert.deepEqual(r.pending, [3, 2, 1, 0]);
  });

  test("multiple filters (2.10)", { skip: IMPL !== "tsnats" }, async () => {
    const r = await deliveries({ filter_subjects: ["d.0", "d.2"] }, 8);
    assert.deepEqual(r.seqs.slice(0, 8), [1, 3, 4, 6, 7, 9, 10, 12]);
    assert.equal(r.pending[7], 0);
  });

  test("a filter over runs of subjects, with deleted messages inside the runs, gets exactly its own in order", async () => {
    await env.jsm.streams.add({ name: "RUNS", subjects: ["runs.>"] });
    // 20 of runs.a, 3 of runs.b, 15 of runs.a, then alternating: runs long enough to switch between
    // loading the next sequence directly and searching for the next match, and back.
    const subjects = [...Array(20).fill("runs.a"), ...Array(3).fill("runs.b"), ...Array(15).fill("runs.a")];
    for (let i = 0; i < 20; i++) subjects.push(i % 2 === 0 ? "runs.a" : "runs.b");
    for (const s of subjects) await env.js.publish(s, "x");
    for (const seq of [5, 12, 13, 30]) await env.jsm.streams.deleteMessage("RUNS", seq);
    const want = subjects.map((s, i) => (s === "runs.a" && ![5, 12, 13, 30].includes(i + 1) ? i + 1 : 0)).filter((x) => x > 0);
    const subj = `dl.${++n}`;
    const rec = record(env.nc, subj);
    await env.nc.flush();
    const r = await api(env.nc, "CONSUMER.CREATE.RUNS", { stream_name: "RUNS", config: { deliver_subject: subj, ack_policy: "none", filter_subject: "runs.a" } });
    assert.equal(r.error, undefined, JSON.stringify(r.error));
    await until(() => rec.msgs.length >= want.length, 2000, `${want.length} messages`);
    await sleep(100);
    rec.stop();
    assert.deepEqual(rec.msgs.map((m) => Number(m.reply!.split(".")[5])), want);
    assert.ok(rec.msgs.every((m) => m.subject === "runs.a"));
    assert.equal(Number(rec.msgs.at(-1)!.reply!.split(".")[8]), 0, "nothing pending after the last one");
  });

  test("replay original keeps the original spacing", async () => {
    await env.jsm.streams.add({ name: "RO", subjects: ["ro"] });
    await env.js.publish("ro", "a");
    await sleep(300);
    await env.js.publish("ro", "b");
    const rec = record(env.nc, "ro.out");
    await env.nc.flush();
    const t0 = Date.now();
    await api(env.nc, "CONSUMER.CREATE.RO", { stream_name: "RO", config: { deliver_subject: "ro.out", ack_policy: "none", replay_policy: "original" } });
    const times: number[] = [];
    await until(() => {
      while (times.length < rec.msgs.length) times.push(Date.now());
      return rec.msgs.length === 2;
    }, 3000, "two messages");
    assert.ok(times[0]! - t0 < 200, "the first at once");
    assert.ok(times[1]! - times[0]! >= 250, `the second ~300ms later (${times[1]! - times[0]!})`);
    rec.stop();
  });

  test("num_pending follows new and removed messages", async () => {
    await env.jsm.streams.add({ name: "NP", subjects: ["np.>"] });
    await fill(env.js, (i) => `np.${i % 2}`, 10);
    const r = await api(env.nc, "CONSUMER.DURABLE.CREATE.NP.c", { stream_name: "NP", config: { durable_name: "c", ack_policy: "explicit", filter_subject: "np.1" } });
    assert.equal(r.num_pending, 5);
    await fill(env.js, (i) => `np.${i % 2}`, 4);
    assert.equal((await api(env.nc, "CONSUMER.INFO.NP.c")).num_pending, 7);
    await env.jsm.streams.purge("NP", { filter: "np.1", keep: 2 });
    assert.equal((await api(env.nc, "CONSUMER.INFO.NP.c")).num_pending, 2);
    const got = record(env.nc, "inbox.np");
    env.nc.publish("$JS.API.CONSUMER.MSG.NEXT.NP.c", JSON.stringify({ batch: 10, expires: 300 * NS }), { reply: "inbox.np" });
    await until(() => got.msgs.length === 3, 2000, `two messages and a timeout: ${got.msgs.map((m) => m.headers?.code ?? m.subject)}`);
    assert.deepEqual(got.msgs.slice(0, 2).map((m) => m.reply!.split(".")[8]), ["1", "0"]);
    got.stop();
  });
});
