/** Unit tests of the pure parts: config decoding and defaults, update rules, transforms, headers, TTLs, dedup. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ApiError, jsError } from "../../../src/jetstream/errors.js";
import { checkStreamUpdate, decodeStreamConfig, normalizeStreamConfig, sameStreamConfig, streamConfigJson } from "../../../src/jetstream/stream/config.js";
import { SubjectTransform } from "../../../src/jetstream/stream/transform.js";
import { appendHeaders, parseHeaders, withoutHeaders } from "../../../src/jetstream/headers.js";
import { parseTtl } from "../../../src/jetstream/stream/stream.js";
import { DedupWindow } from "../../../src/jetstream/stream/dedup.js";
import { goJson } from "../../../src/util/go-json.js";

const cfg = (raw: Record<string, unknown>) => normalizeStreamConfig(decodeStreamConfig(raw));

function rejects(raw: Record<string, unknown>): ApiError {
  try {
    cfg(raw);
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  assert.fail(`accepted ${JSON.stringify(raw)}`);
}

describe("stream config", () => {
  it("writes nats-server's field order", () => {
    const c = cfg({ name: "S", description: "d", republish: { src: "S", dest: "r" }, metadata: { a: "b" } });
    assert.deepEqual(Object.keys(streamConfigJson(c)), [
      "name",
      "description",
      "subjects",
      "retention",
      "max_consumers",
      "max_msgs",
      "max_bytes",
      "max_age",
      "max_msgs_per_subject",
      "max_msg_size",
      "discard",
      "storage",
      "num_replicas",
      "duplicate_window",
      "compression",
      "republish",
      "allow_direct",
      "mirror_direct",
      "sealed",
      "deny_delete",
      "deny_purge",
      "allow_rollup_hdrs",
      "consumer_limits",
      "allow_msg_ttl",
      "metadata",
    ]);
  });

  it("decodes enums case-insensitively and refuses wrong types as invalid JSON", () => {
    assert.equal(cfg({ name: "S", retention: "WorkQueue" }).retention, "workqueue");
    for (const bad of [{ name: 5 }, { name: "S", subjects: "a" }, { name: "S", max_age: 1.5 }, { name: "S", sealed: "yes" }, { name: "S", first_seq: -1 }]) {
      assert.equal(rejects(bad).errCode, 10025, JSON.stringify(bad));
    }
  });

  it("mirrors have no subjects and no duplicate window by default", () => {
    const m = cfg({ name: "M", mirror: { name: "O", opt_start_time: "2024-01-02T03:04:05Z" } });
    assert.equal(m.subjects, undefined);
    assert.equal(m.duplicate_window, undefined);
    assert.equal(rejects({ name: "M", mirror: { name: "O" }, first_seq: 5 }).errCode, 10143);
  });

  // nats-server 2.14.5 (not pedantic): a marker TTL turns on message TTLs and roll-ups (and so purge).
  it("a subject delete marker TTL turns on message TTLs and roll-ups", () => {
    assert.equal(rejects({ name: "S", subject_delete_marker_ttl: 5e8, allow_rollup_hdrs: true }).description, "subject delete marker TTL must be at least 1 second");
    assert.equal(rejects({ name: "S", subject_delete_marker_ttl: -5 }).description, "subject delete marker TTL must not be negative");
    const withTtl = cfg({ name: "S", subject_delete_marker_ttl: 2e9, allow_msg_ttl: true, deny_purge: true });
    assert.deepEqual([withTtl.allow_msg_ttl, withTtl.allow_rollup_hdrs, withTtl.deny_purge], [true, true, false]);
    assert.equal(cfg({ name: "S", subject_delete_marker_ttl: 2e9, allow_rollup_hdrs: true }).allow_msg_ttl, true);
    assert.equal(rejects({ name: "S", subject_delete_marker_ttl: 2e9, allow_rollup_hdrs: true, deny_purge: true }).description, "roll-ups require the purge permission");
  });

  it("duplicate sources and bad transforms", () => {
    assert.equal(rejects({ name: "S", sources: [{ name: "A" }, { name: "A" }] }).errCode, 10140);
    assert.equal(rejects({ name: "S", subject_transform: { src: "a..b", dest: "x" } }).errCode, 10155);
    assert.equal(rejects({ name: "S", subject_transform: { src: "a.*", dest: "x.{{wildcard(2)}}" } }).errCode, 10156);
  });

  it("update rules", () => {
    const prev = cfg({ name: "S", deny_delete: true });
    assert.throws(() => checkStreamUpdate(prev, cfg({ name: "S" })), /cancel deny message deletes/);
    assert.throws(() => checkStreamUpdate(prev, cfg({ name: "S", deny_delete: true, first_seq: 9 })), /first sequence/);
    const ttl = cfg({ name: "S", allow_msg_ttl: true });
    assert.throws(() => checkStreamUpdate(ttl, cfg({ name: "S" })), /TTL status can not be disabled/);
    const sealed = cfg({ name: "S", deny_delete: true, sealed: true, max_age: 5e9 });
    checkStreamUpdate(prev, sealed);
    assert.deepEqual([sealed.max_age, sealed.discard, sealed.deny_purge], [0, "new", true]);
  });

  it("compares configs as nats-server does for an idempotent create", () => {
    assert.ok(sameStreamConfig(cfg({ name: "S" }), cfg({ name: "S", subjects: ["S"], max_msgs: -1 })));
    assert.ok(!sameStreamConfig(cfg({ name: "S" }), cfg({ name: "S", max_msgs: 5 })));
  });
});

describe("subject transforms", () => {
  it("wildcard references, plain wildcards and the rest", () => {
    const t = SubjectTransform.parse("a.*.*", "b.{{wildcard(2)}}.$1") as SubjectTransform;
    assert.equal(t.apply("a.x.y"), "b.y.x");
    assert.equal(t.apply("c.x.y"), undefined);
    const p = SubjectTransform.parse("a.*.>", "z.*.>") as SubjectTransform;
    assert.equal(p.apply("a.1.2.3"), "z.1.2.3");
    assert.equal(SubjectTransform.parse("a.*", "b.>"), "destination");
    assert.equal(SubjectTransform.parse("a..", "b"), "source");
    assert.equal((SubjectTransform.parse("", "all.x") as SubjectTransform).apply("anything"), "all.x");
  });
});

describe("headers", () => {
  it("parses, drops and appends", () => {
    const h = parseHeaders(Buffer.from("NATS/1.0\r\nNats-Msg-Id: a\r\nX: 1\r\nX: 2\r\nNats-Expected-Stream: S\r\n\r\n"));
    assert.deepEqual(h.get("X"), ["1", "2"]);
    const kept = withoutHeaders(h, (k) => k.startsWith("Nats-Expected-"))!;
    assert.equal(kept.toString(), "NATS/1.0\r\nNats-Msg-Id: a\r\nX: 1\r\nX: 2\r\n\r\n");
    assert.equal(appendHeaders(kept, [["Y", "z"]]).toString(), "NATS/1.0\r\nNats-Msg-Id: a\r\nX: 1\r\nX: 2\r\nY: z\r\n\r\n");
    assert.equal(appendHeaders(undefined, [["Y", "z"]]).toString(), "NATS/1.0\r\nY: z\r\n\r\n");
    assert.equal(withoutHeaders(parseHeaders(Buffer.from("NATS/1.0\r\nNats-Expected-Stream: S\r\n\r\n")), () => true), undefined);
  });

  it("Nats-TTL values", () => {
    assert.equal(parseTtl("never"), -1);
    assert.equal(parseTtl("5"), 5e9);
    assert.equal(parseTtl("1m30s"), 90e9);
    assert.equal(parseTtl("999ms"), undefined);
    assert.equal(parseTtl("0"), undefined);
    assert.equal(parseTtl("soon"), undefined);
  });
});

describe("dedup window and JSON", () => {
  it("forgets ids older than the window", () => {
    const d = new DedupWindow(1000);
    d.add("a", 1, 100);
    d.add("b", 2, 600);
    assert.equal(d.get("a", 1000)?.seq, 1);
    assert.equal(d.get("a", 1200), undefined);
    d.add("c", 3, 1700);
    assert.equal(d.size, 1);
  });

  it("escapes like Go and fills error templates", () => {
    assert.equal(goJson({ s: "a>b<c&" }), '{"s":"a\\u003eb\\u003cc\\u0026"}');
    assert.equal(jsError("JSStreamWrongLastSequenceErrF", { seq: 4 }).description, "wrong last sequence: 4");
    assert.equal(jsError("JSInvalidJSONErr").description, "invalid JSON");
  });
});
