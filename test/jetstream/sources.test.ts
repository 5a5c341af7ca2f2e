/**
 * Mirrors and sources within an account: catch-up and live copying, origin sequences kept by mirrors,
 * filters and start positions, the Nats-Stream-Source header, origins created later, mirror direct gets,
 * and positions kept across a restart.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { embeddedJs, tempDir, until, type JsEnv } from "./support.js";

async function state(env: JsEnv, name: string): Promise<{ messages: number; first_seq: number; last_seq: number }> {
  return (await env.jsm.streams.info(name)).state;
}

describe("mirror", () => {
  it("copies the origin with its sequences, then follows it", async (t) => {
    const env = await embeddedJs(t);
    await env.jsm.streams.add({ name: "ORIG", subjects: ["orig.*"] });
    for (let i = 0; i < 5; i++) await env.js.publish(`orig.${i % 2}`, String(i));
    await env.jsm.streams.deleteMessage("ORIG", 2);
    await env.jsm.streams.add({ name: "MIR", mirror: { name: "ORIG" } });
    await until(async () => (await state(env, "MIR")).last_seq === 5, 3000, "catch-up");
    const m = await env.jsm.streams.getMessage("MIR", { seq: 4 });
    assert.deepEqual([m?.subject, m?.string()], ["orig.1", "3"]);
    assert.equal(await env.jsm.streams.getMessage("MIR", { seq: 2 }), null);
    await env.js.publish("orig.0", "live");
    await until(async () => (await state(env, "MIR")).last_seq === 6, 3000, "live copy");
    const info = await env.jsm.streams.info("MIR");
    assert.equal(info.mirror?.name, "ORIG");
    assert.equal(info.mirror?.lag, 0);
    assert.equal(info.config.subjects, undefined);
  });

  it("waits for an origin created later, and filters", async (t) => {
    const env = await embeddedJs(t);
    await env.jsm.streams.add({ name: "LATE", mirror: { name: "SRC", filter_subject: "src.keep" } });
    await env.jsm.streams.add({ name: "SRC", subjects: ["src.*"] });
    await env.js.publish("src.drop", "1");
    await env.js.publish("src.keep", "2");
    await until(async () => (await state(env, "LATE")).messages === 1, 3000, "filtered copy");
    assert.equal((await env.jsm.streams.getMessage("LATE", { seq: 2 }))?.string(), "2");
  });

  it("mirror_direct answers direct gets for the origin's name", async (t) => {
    const env = await embeddedJs(t);
    await env.jsm.streams.add({ name: "KVO", subjects: ["kvo.*"] });
    await env.jsm.streams.add({ name: "KVM", mirror: { name: "KVO" }, mirror_direct: true });
    await env.js.publish("kvo.k", "v");
    await until(async () => (await state(env, "KVM")).messages === 1, 3000, "mirror");
    const m = await env.jsm.direct.getMessage("KVO", { last_by_subj: "kvo.k" });
    assert.equal(m?.string(), "v");
    assert.equal(m?.header.get("Nats-Stream"), "KVM");
  });
});

describe("sources", () => {
  it("aggregates several origins with Nats-Stream-Source, from a start sequence", async (t) => {
    const env = await embeddedJs(t);
    await env.jsm.streams.add({ name: "S1", subjects: ["s1"] });
    await env.jsm.streams.add({ name: "S2", subjects: ["s2.*"] });
    for (let i = 0; i < 3; i++) await env.js.publish("s1", `a${i}`);
    await env.js.publish("s2.x", "b0");
    await env.js.publish("s2.y", "b1");
    await env.jsm.streams.add({
      name: "AGG",
      subjects: ["agg"],
      sources: [{ name: "S1", opt_start_seq: 2 }, { name: "S2", filter_subject: "s2.y" }],
    });
    await until(async () => (await state(env, "AGG")).messages === 3, 3000, "sourced");
    const bodies: string[] = [];
    for (let seq = 1; seq <= 3; seq++) {
      const m = await env.jsm.streams.getMessage("AGG", { seq });
      bodies.push(m!.string());
      assert.match(m!.header.get("Nats-Stream-Source"), /^S[12] \d+/);
    }
    assert.deepEqual(bodies.sort(), ["a1", "a2", "b1"]);
    await env.js.publish("agg", "own");
    await env.js.publish("s1", "a3");
    await until(async () => (await state(env, "AGG")).messages === 5, 3000, "live");
    const si = await env.jsm.streams.info("AGG");
    assert.deepEqual(si.sources?.map((s) => s.name).sort(), ["S1", "S2"]);
  });

  it("applies subject transforms", async (t) => {
    const env = await embeddedJs(t);
    await env.jsm.streams.add({ name: "TO", subjects: ["to.*"] });
    await env.jsm.streams.add({ name: "TT", sources: [{ name: "TO", subject_transforms: [{ src: "to.*", dest: "moved.{{wildcard(1)}}" }] }] });
    await env.js.publish("to.a", "x");
    await until(async () => (await state(env, "TT")).messages === 1, 3000, "transformed");
    assert.equal((await env.jsm.streams.getMessage("TT", { seq: 1 }))?.subject, "moved.a");
  });

  it("resumes after a restart without copying twice", async (t) => {
    const dir = tempDir(t);
    const a = await embeddedJs(t, { dir });
    await a.jsm.streams.add({ name: "RO", subjects: ["ro"] });
    await a.jsm.streams.add({ name: "RS", sources: [{ name: "RO" }] });
    await a.jsm.streams.add({ name: "RM", mirror: { name: "RO" } });
    for (let i = 0; i < 4; i++) await a.js.publish("ro", String(i));
    await until(async () => (await state(a, "RS")).messages === 4 && (await state(a, "RM")).messages === 4, 3000, "copies");
    await a.nc.close();
    await a.server!.close();
    const b = await embeddedJs(t, { dir });
    await b.js.publish("ro", "4");
    await until(async () => (await state(b, "RS")).messages === 5 && (await state(b, "RM")).messages === 5, 3000, "after restart");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((await state(b, "RS")).messages, 5);
    assert.equal((await b.jsm.streams.getMessage("RS", { seq: 5 }))?.string(), "4");
  });
});
