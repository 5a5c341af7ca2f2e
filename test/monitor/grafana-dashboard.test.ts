/**
 * docs/grafana/tsnats.json against a real scrape: every series a panel or variable queries is in
 * /metrics, with the labels the query selects, groups by and names in its legend. A server with
 * JetStream, a stream with a byte limit and a consumer that delivered, acked and redelivered, so that
 * every family has samples.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { AckPolicy } from "@nats-io/jetstream";
import { embeddedJs } from "../jetstream/support.js";
import { get } from "./support.js";
import { parsePrometheus } from "./prometheus-parse.js";

const DASHBOARD = new URL("../../../docs/grafana/tsnats.json", import.meta.url);

interface Query {
  where: string;
  expr: string;
  legend: string;
}

type Json = Record<string, any>;

function queriesOf(d: Json): Query[] {
  const out: Query[] = [];
  for (const p of d.panels as Json[]) {
    for (const t of (p.targets ?? []) as Json[]) out.push({ where: `panel "${p.title}"`, expr: t.expr, legend: t.legendFormat ?? "" });
  }
  for (const v of d.templating.list as Json[]) {
    if (v.type === "query") out.push({ where: `variable $${v.name}`, expr: v.definition, legend: "" });
  }
  return out;
}

/** The metric names a PromQL expression selects, each with the label names its matcher uses. */
function selectors(expr: string): { metric: string; labels: string[] }[] {
  const out: { metric: string; labels: string[] }[] = [];
  for (const m of expr.matchAll(/\b((?:gnatsd|jetstream|tsnats)_[a-zA-Z0-9_:]*)(\{([^}]*)\})?/g)) {
    const labels = [...(m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)].map((x) => x[1]!);
    out.push({ metric: m[1]!, labels });
  }
  return out;
}

describe("the Grafana dashboard", () => {
  it("queries only series that /metrics serves, with the labels they carry", async (t) => {
    const dash = JSON.parse(readFileSync(DASHBOARD, "utf8")) as Json;
    const env = await embeddedJs(t, { server: { httpPort: -1 } });
    await env.jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"], max_bytes: 1 << 20 });
    for (let i = 0; i < 4; i++) await env.js.publish("orders.new", "x");
    await env.jsm.consumers.add("ORDERS", { durable_name: "W", ack_policy: AckPolicy.Explicit });
    const c = await env.js.consumers.get("ORDERS", "W");
    const first = await c.next({ expires: 2000 });
    first!.ack();
    const second = await c.next({ expires: 2000 });
    second!.nak();
    const again = await c.next({ expires: 2000 });
    assert.equal(again?.info.deliveryCount, 2);
    await env.nc.flush();

    const fams = parsePrometheus((await get(env.server!.monitorPort!, "/metrics")).text);
    /** sample name -> the label names its samples carry */
    const series = new Map<string, Set<string>>();
    for (const f of fams.values()) {
      for (const s of f.samples) {
        let l = series.get(s.name);
        if (l === undefined) series.set(s.name, (l = new Set()));
        for (const k of Object.keys(s.labels)) l.add(k);
      }
    }

    const queries = queriesOf(dash);
    assert.ok(queries.length >= 30, `${queries.length} queries`);
    const used = new Set<string>();
    for (const q of queries) {
      const sel = selectors(q.expr);
      assert.ok(sel.length > 0, `${q.where}: no tsnats series in ${q.expr}`);
      const labelsHere = new Set<string>();
      for (const { metric, labels } of sel) {
        used.add(metric);
        const have = series.get(metric);
        assert.ok(have !== undefined, `${q.where}: ${metric} is not in a scrape`);
        for (const l of labels) assert.ok(have.has(l), `${q.where}: ${metric} has no label ${l}`);
        for (const l of have) labelsHere.add(l);
      }
      for (const m of q.expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) {
        for (const l of m[1]!.split(",").map((x) => x.trim())) {
          if (l !== "") assert.ok(labelsHere.has(l), `${q.where}: groups by ${l}, which its series lack`);
        }
      }
      const label = /label_values\(\s*[^,]+,\s*([a-zA-Z_]+)\s*\)/.exec(q.expr);
      if (label !== null) assert.ok(labelsHere.has(label[1]!), `${q.where}: label_values of ${label[1]}`);
      for (const m of q.legend.matchAll(/\{\{\s*([a-zA-Z_]+)\s*\}\}/g)) {
        const by = [...q.expr.matchAll(/\bby\s*\(([^)]*)\)/g)].flatMap((x) => x[1]!.split(",").map((y) => y.trim()));
        assert.ok(by.includes(m[1]!), `${q.where}: legend {{${m[1]}}} is not a label the query keeps`);
      }
    }
    // The seed's operator watches these: the dashboard must show each.
    for (const m of [
      "tsnats_jetstream_store_disk_free_bytes",
      "tsnats_jetstream_store_commit_seconds_bucket",
      "jetstream_consumer_num_ack_pending",
      "jetstream_consumer_num_redelivered",
      "tsnats_jetstream_stream_received_messages_total",
      "tsnats_jetstream_consumer_acked_messages_total",
      "gnatsd_varz_connections",
    ]) {
      assert.ok(used.has(m), `the dashboard does not show ${m}`);
    }
  });
});
