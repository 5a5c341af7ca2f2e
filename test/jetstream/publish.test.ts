/**
 * Publishing into streams: PubAck JSON, Nats-Msg-Id de-duplication, the Nats-Expected-* checks,
 * Nats-Rollup, Nats-TTL, republish, subject transforms, and core behaviour where no stream captures.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { JetStreamApiError } from "@nats-io/jetstream";
import { headers, type Msg } from "@nats-io/transport-node";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { startServer } from "../../src/index.js";
import { api, apiText, embeddedJs, rawRequest, sleep, type JsEnv } from "./support.js";
import { suiteCleanup } from "../e2e/support.js";

const cleanup = suiteCleanup();
let env: JsEnv;

before(async () => {
  env = await embeddedJs(cleanup);
});
after(() => cleanup.run());

describe("PubAck", () => {
  it("is nats-server's JSON, with the sequence", async () => {
    await env.jsm.streams.add({ name: "ACK", subjects: ["ack.>"] });
    assert.equal(await apiText(env.nc, "ack.a", "1"), '{"stream":"ACK", "seq":1}');
    const pa = await env.js.publish("ack.b", "2");
    assert.deepEqual({ stream: pa.stream, seq: pa.seq, duplicate: pa.duplicate }, { stream: "ACK", seq: 2, duplicate: false });
  });

  it("stores a publish without a reply and sends nothing back", async () => {
    env.nc.publish("ack.c", "3");
    await env.nc.flush();
    await sleep(50);
    assert.equal((await env.jsm.streams.info("ACK")).state.last_seq, 3);
  });

  it("a subject no stream captures behaves as core NATS (no responders)", async () => {
    // nats.js turns the 503 no-responders status into JetStreamNotEnabled, its cause the NoResponders.
    await assert.rejects(env.js.publish("nostream.here", "x", { timeout: 500 }), (e: unknown) => {
      assert.match(String((e as Error).cause), /no responders/i);
      return true;
    });
    const sub = env.nc.subscribe("plain.subject", { max: 1 });
    const got = (async () => {
      for await (const m of sub) return m.string();
      return "";
    })();
    env.nc.publish("plain.subject", "core");
    assert.equal(await got, "core");
  });

  it("no_ack streams store without acknowledging", async () => {
    await env.jsm.streams.add({ name: "NOACK", subjects: ["noack"], no_ack: true });
    await assert.rejects(rawRequest(env.nc, "noack", "x", undefined, 300));
    assert.equal((await env.jsm.streams.info("NOACK")).state.messages, 1);
  });
});

describe("Nats-Msg-Id", () => {
  it("de-duplicates inside the window and answers with the original sequence", async () => {
    await env.jsm.streams.add({ name: "DUP", subjects: ["dup"], duplicate_window: 1_000_000_000 });
    const a = await env.js.publish("dup", "1", { msgID: "m1" });
    const b = await env.js.publish("dup", "1", { msgID: "m1" });
    assert.equal(b.seq, a.seq);
    assert.equal(b.duplicate, true);
    assert.equal(await apiText(env.nc, "dup", "1", { "Nats-Msg-Id": "m1" }), `{"stream":"DUP", "seq":${a.seq},"duplicate": true}`);
    assert.equal((await env.jsm.streams.info("DUP")).state.messages, 1);
    await sleep(1100);
    const c = await env.js.publish("dup", "1", { msgID: "m1" });
    assert.equal(c.duplicate, false);
    assert.equal(c.seq, a.seq + 1);
  });
});

describe("Nats-Expected-*", () => {
  before(async () => {
    await env.jsm.streams.add({ name: "EXP", subjects: ["exp.>"] });
  });

  it("Nats-Expected-Stream", async () => {
    const r = await api(env.nc, "exp.a", "1", { "Nats-Expected-Stream": "OTHER" });
    assert.deepEqual(r, { error: { code: 400, err_code: 10060, description: "expected stream does not match" }, stream: "EXP", seq: 0 });
    assert.equal((await env.js.publish("exp.a", "1", { expect: { streamName: "EXP" } })).seq, 1);
  });

  it("Nats-Expected-Last-Sequence", async () => {
    const r = await api(env.nc, "exp.a", "2", { "Nats-Expected-Last-Sequence": "5" });
    assert.deepEqual(r.error, { code: 400, err_code: 10071, description: "wrong last sequence: 1" });
    assert.equal((await env.js.publish("exp.a", "2", { expect: { lastSequence: 1 } })).seq, 2);
  });

  it("Nats-Expected-Last-Subject-Sequence, 0 meaning no message yet", async () => {
    const r = await api(env.nc, "exp.b", "x", { "Nats-Expected-Last-Subject-Sequence": "3" });
    assert.deepEqual(r.error, { code: 400, err_code: 10071, description: "wrong last sequence: 0" });
    const first = await env.js.publish("exp.b", "x", { expect: { lastSubjectSequence: 0 } });
    assert.equal(first.seq, 3);
    const again = await api(env.nc, "exp.b", "x", { "Nats-Expected-Last-Subject-Sequence": "0" });
    assert.deepEqual(again.error, { code: 400, err_code: 10071, description: "wrong last sequence: 3" });
    assert.equal((await env.js.publish("exp.b", "y", { expect: { lastSubjectSequence: 3 } })).seq, 4);
  });

  it("Nats-Expected-Last-Subject-Sequence-Subject checks another (wildcard) subject", async () => {
    const r = await api(env.nc, "exp.c", "x", { "Nats-Expected-Last-Subject-Sequence": "4", "Nats-Expected-Last-Subject-Sequence-Subject": "exp.*" });
    assert.equal(r.seq, 5);
  });

  it("Nats-Expected-Last-Msg-Id", async () => {
    await env.js.publish("exp.d", "x", { msgID: "id-1" });
    const bad = await api(env.nc, "exp.d", "y", { "Nats-Expected-Last-Msg-Id": "nope" });
    assert.deepEqual(bad.error, { code: 400, err_code: 10070, description: "wrong last msg ID: id-1" });
    const ok = await env.js.publish("exp.d", "y", { expect: { lastMsgID: "id-1" } });
    assert.ok(ok.seq > 0);
  });

  it("the checks are not kept in the stored message", async () => {
    const pa = await env.js.publish("exp.e", "z", { expect: { streamName: "EXP" }, msgID: "keep-me" });
    const m = await env.jsm.streams.getMessage("EXP", { seq: pa.seq });
    assert.equal(m?.header.get("Nats-Expected-Stream"), "");
    assert.equal(m?.header.get("Nats-Msg-Id"), "keep-me");
  });

  it("the client surfaces the error code", async () => {
    await assert.rejects(env.js.publish("exp.a", "q", { expect: { lastSequence: 1 } }), (e: unknown) => {
      assert.ok(e instanceof JetStreamApiError);
      assert.equal(e.code, 10071);
      return true;
    });
  });
});

describe("Nats-Rollup", () => {
  it("needs allow_rollup_hdrs", async () => {
    await env.jsm.streams.add({ name: "NOROLL", subjects: ["noroll"] });
    const r = await api(env.nc, "noroll", "x", { "Nats-Rollup": "all" });
    assert.deepEqual(r.error, { code: 500, err_code: 10111, description: "rollup not permitted" });
  });

  it("sub keeps only the newest message of the subject, all only the newest of the stream", async () => {
    await env.jsm.streams.add({ name: "ROLL", subjects: ["roll.*"], allow_rollup_hdrs: true });
    for (const s of ["a", "a", "b", "a"]) await env.js.publish(`roll.${s}`, s);
    const h = headers();
    h.set("Nats-Rollup", "sub");
    await env.js.publish("roll.a", "A", { headers: h });
    let si = await env.jsm.streams.info("ROLL", { subjects_filter: ">" });
    assert.deepEqual(si.state.subjects, { "roll.a": 1, "roll.b": 1 });
    const h2 = headers();
    h2.set("Nats-Rollup", "all");
    const last = await env.js.publish("roll.c", "C", { headers: h2 });
    si = await env.jsm.streams.info("ROLL");
    assert.equal(si.state.messages, 1);
    assert.equal(si.state.first_seq, last.seq);
    const bad = await api(env.nc, "roll.a", "x", { "Nats-Rollup": "everything" });
    assert.equal(bad.error.err_code, 10111);
  });
});

describe("Nats-TTL", () => {
  it("needs allow_msg_ttl (10166) and a valid value of at least 1s (10165)", async () => {
    await env.jsm.streams.add({ name: "NOTTL", subjects: ["nottl"] });
    assert.deepEqual((await api(env.nc, "nottl", "x", { "Nats-TTL": "5s" })).error, { code: 400, err_code: 10166, description: "per-message TTL is disabled" });
    await env.jsm.streams.add({ name: "TTL", subjects: ["ttl.*"], allow_msg_ttl: true });
    assert.deepEqual((await api(env.nc, "ttl.a", "x", { "Nats-TTL": "500ms" })).error, { code: 400, err_code: 10165, description: "invalid per-message TTL" });
    assert.equal((await api(env.nc, "ttl.a", "x", { "Nats-TTL": "soon" })).error.err_code, 10165);
  });

  it("removes the message when its TTL passes; never outlives max_age", async () => {
    await env.jsm.streams.add({ name: "TTL2", subjects: ["ttl2.*"], allow_msg_ttl: true, max_age: 1_500_000_000 });
    await env.js.publish("ttl2.short", "x", { ttl: "1s" });
    await env.js.publish("ttl2.never", "x", { ttl: "never" });
    await env.js.publish("ttl2.plain", "x");
    await sleep(1200);
    let si = await env.jsm.streams.info("TTL2", { subjects_filter: ">" });
    assert.deepEqual(si.state.subjects, { "ttl2.never": 1, "ttl2.plain": 1 });
    await sleep(600);
    si = await env.jsm.streams.info("TTL2", { subjects_filter: ">" });
    assert.deepEqual(si.state.subjects, { "ttl2.never": 1 });
  });

  it("subject delete markers replace a subject that aged out", async () => {
    await env.jsm.streams.add({
      name: "MARK",
      subjects: ["mark.*"],
      max_age: 1_000_000_000,
      allow_rollup_hdrs: true,
      allow_msg_ttl: true,
      subject_delete_marker_ttl: 1_000_000_000,
    });
    await env.js.publish("mark.k", "v");
    await sleep(1400);
    const m = await env.jsm.streams.getMessage("MARK", { last_by_subj: "mark.k" });
    assert.ok(m !== null);
    assert.equal(m.seq, 2);
    assert.equal(m.header.get("Nats-Marker-Reason"), "MaxAge");
    assert.equal(m.data.length, 0);
  });

  // nats-server 2.11+ (sdm.go isSubjectDeleteMarker): a KV purge with a TTL is a delete marker itself, so
  // its expiry empties the subject; nats.js "kv - get entry ttl markerTTL from bucket" relies on it.
  it("a KV purge marker that expires leaves no marker behind", async () => {
    await env.jsm.streams.add({
      name: "KVMARK",
      subjects: ["kvmark.*"],
      allow_rollup_hdrs: true,
      allow_msg_ttl: true,
      subject_delete_marker_ttl: 1_000_000_000,
    });
    await api(env.nc, "kvmark.k", "", { "KV-Operation": "PURGE", "Nats-Rollup": "sub", "Nats-TTL": "1s" });
    await sleep(1500);
    const si = await env.jsm.streams.info("KVMARK");
    assert.deepEqual([si.state.messages, si.state.last_seq], [0, 1]);
  });
});

describe("republish and subject transform", () => {
  it("republishes stored messages with the stream headers", async () => {
    await env.jsm.streams.add({ name: "REP", subjects: ["rep.*"], republish: { src: "rep.*", dest: "out.{{wildcard(1)}}" } });
    const sub = env.nc.subscribe("out.*", { max: 1 });
    const got = (async (): Promise<Msg | undefined> => {
      for await (const m of sub) return m;
      return undefined;
    })();
    const pa = await env.js.publish("rep.x", "hello");
    const m = (await got)!;
    assert.equal(m.subject, "out.x");
    assert.equal(m.string(), "hello");
    assert.equal(m.headers?.get("Nats-Stream"), "REP");
    assert.equal(m.headers?.get("Nats-Subject"), "rep.x");
    assert.equal(m.headers?.get("Nats-Sequence"), String(pa.seq));
    assert.equal(m.headers?.get("Nats-Last-Sequence"), "0");
    assert.match(m.headers?.get("Nats-Time-Stamp") ?? "", /^\d{4}-\d\d-\d\dT/);
  });

  it("headers_only republishes without the body, with Nats-Msg-Size", async () => {
    await env.jsm.streams.add({ name: "REPH", subjects: ["reph"], republish: { src: "reph", dest: "outh", headers_only: true } });
    const sub = env.nc.subscribe("outh", { max: 1 });
    const got = (async (): Promise<Msg | undefined> => {
      for await (const m of sub) return m;
      return undefined;
    })();
    await env.js.publish("reph", "12345");
    const m = (await got)!;
    assert.equal(m.data.length, 0);
    assert.equal(m.headers?.get("Nats-Msg-Size"), "5");
  });

  it("stores under the transformed subject", async () => {
    await env.jsm.streams.add({ name: "TR", subjects: ["tr.*"], subject_transform: { src: "tr.*", dest: "moved.{{wildcard(1)}}" } });
    await env.js.publish("tr.a", "x");
    const m = await env.jsm.streams.getMessage("TR", { seq: 1 });
    assert.equal(m?.subject, "moved.a");
  });
});

describe("sizes", () => {
  it("refuses headers over 64 KiB (10097) and messages over max_msg_size (10054)", async () => {
    await env.jsm.streams.add({ name: "SZ", subjects: ["sz"], max_msg_size: 10 });
    const big = await api(env.nc, "sz", "x", { Big: "y".repeat(70 * 1024) });
    assert.deepEqual(big.error, { code: 400, err_code: 10097, description: "header size exceeds maximum allowed of 64k" });
    const r = await api(env.nc, "sz", "12345678901");
    assert.deepEqual(r, { error: { code: 400, err_code: 10054, description: "message size exceeds maximum allowed" }, stream: "SZ", seq: 0 });
  });
});

describe("a server without JetStream", () => {
  it("has no $JS.API responder: clients get 503 no responders", async (t) => {
    const srv = await startServer({});
    t.after(() => srv.close());
    const nc = await connect({ servers: srv.url, reconnect: false });
    t.after(() => nc.close());
    assert.equal(nc.info?.jetstream, undefined);
    await assert.rejects(jetstreamManager(nc), /not enabled/i);
    await assert.rejects(jetstream(nc).publish("any", "x", { timeout: 500 }), /not enabled/i);
    const m = await nc.request("$JS.API.INFO", "", { timeout: 500 }).catch((e: Error) => e);
    assert.match(String(m), /no responders/i);
  });
});
