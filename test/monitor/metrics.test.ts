/**
 * /metrics against the JSON endpoints: a server with JetStream, client connections, subscriptions, a
 * stream and a pull consumer with an unacknowledged message. The scrape is parsed strictly and its
 * figures compared with /varz, /connz, /subsz and /jsz taken right after it (nothing moves in between).
 */
import assert from "node:assert/strict";
import { statfsSync } from "node:fs";
import { describe, it } from "node:test";
import { AckPolicy } from "@nats-io/jetstream";
import { embeddedJs } from "../jetstream/support.js";
import { get, getJson, rawClient } from "./support.js";
import { parsePrometheus, sampleOf, type ParsedFamily } from "./prometheus-parse.js";

/** A histogram's buckets in order: cumulative counts that never fall, ending at `+Inf` with `_count`. */
function checkHistogram(f: ParsedFamily): { count: number; sum: number } {
  const buckets = f.samples.filter((s) => s.name === `${f.name}_bucket`);
  const count = f.samples.find((s) => s.name === `${f.name}_count`)!.value;
  const sum = f.samples.find((s) => s.name === `${f.name}_sum`)!.value;
  assert.equal(buckets.at(-1)!.labels.le, "+Inf");
  assert.equal(buckets.at(-1)!.value, count);
  for (let i = 1; i < buckets.length; i++) {
    assert.ok(Number(buckets[i]!.labels.le) > Number(buckets[i - 1]!.labels.le) || buckets[i]!.labels.le === "+Inf");
    assert.ok(buckets[i]!.value >= buckets[i - 1]!.value, `${f.name} buckets cumulative`);
  }
  return { count, sum };
}

type Json = Record<string, any>;

/** A consumer description that needs every label escape. */
const DESC = 'orders "east"\\west\nline two';

describe("/metrics", () => {
  it("serves the exporter's families with the values /varz, /connz, /subsz and /jsz show", async (t) => {
    const env = await embeddedJs(t, { server: { httpPort: -1 } });
    const mport = env.server!.monitorPort!;
    const raw = await rawClient(env.server!.port, { name: "raw" });
    t.after(() => raw.destroy());
    raw.send("SUB a.* 1\r\nSUB b q 2\r\nPUB a.x 3\r\nabc\r\n");
    await raw.sync();
    await env.jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"], max_msgs: 1000 });
    for (let i = 0; i < 3; i++) await env.js.publish(`orders.${i % 2}`, "payload");
    await env.jsm.consumers.add("ORDERS", { durable_name: "C", ack_policy: AckPolicy.Explicit, description: DESC });
    const c = await env.js.consumers.get("ORDERS", "C");
    const m = await c.next({ expires: 2000 });
    assert.ok(m !== null);
    await env.nc.flush();

    const r = await get(mport, "/metrics");
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const fams = parsePrometheus(r.text);
    const varz = await getJson(mport, "/varz");
    const connz = await getJson(mport, "/connz");
    const subsz = await getJson(mport, "/subsz");
    const jsz = (await getJson(mport, "/jsz?consumers=true&config=true")) as Json;
    const id = env.server!.server.id;
    const v = (name: string, labels: Record<string, string> = {}) => sampleOf(fams, name, labels).value;

    for (const f of fams.values()) {
      assert.match(f.name, /^(gnatsd_(varz|connz|routez|subsz)|jetstream|tsnats_jetstream_(store|stream|consumer))_/, f.name);
      assert.ok(f.samples.length > 0, `${f.name} has samples`);
      const type = f.name.startsWith("tsnats_jetstream_store_disk_")
        ? "gauge"
        : f.name.startsWith("tsnats_jetstream_store_")
          ? "histogram"
          : f.name.startsWith("tsnats_")
            ? "counter"
            : undefined;
      if (type !== undefined) assert.equal(f.type, type, f.name);
      else assert.ok(["gauge", "counter"].includes(f.type), `${f.name} TYPE ${f.type}`);
      assert.deepEqual(new Set(f.samples.map((s) => s.labels.server_id)), new Set([id]), `${f.name} server_id`);
    }

    // varz: counters and gauges, nested blocks flattened, strings as labels, times as epoch ms.
    for (const k of ["connections", "total_connections", "in_msgs", "out_msgs", "in_bytes", "out_bytes", "slow_consumers", "max_payload", "routes"]) {
      assert.equal(v(`gnatsd_varz_${k}`), varz[k], k);
    }
    assert.equal(v("gnatsd_varz_subscriptions"), varz.subscriptions);
    assert.equal(v("gnatsd_varz_jetstream_stats_api_total"), (varz.jetstream as Json).stats.api.total);
    assert.equal(v("gnatsd_varz_jetstream_config_max_memory"), (varz.jetstream as Json).config.max_memory);
    assert.equal(v("gnatsd_varz_server_id", { value: id }), 1);
    assert.equal(v("gnatsd_varz_version", { value: varz.version as string }), 1);
    assert.equal(v("gnatsd_varz_start"), Date.parse(varz.start as string));
    assert.equal(v("gnatsd_varz_http_req_stats_metrics"), 1);
    assert.equal(fams.get("gnatsd_varz_in_msgs")!.help, "in_msgs");
    assert.ok(!fams.has("gnatsd_varz_now"), "varz `now` is not among the exporter's string fields");

    // connz: the page figures and totals over the page.
    assert.equal(v("gnatsd_connz_num_connections"), connz.num_connections);
    assert.equal(v("gnatsd_connz_total"), 2);
    assert.equal(v("gnatsd_connz_limit"), 1024);
    const conns = connz.connections as Json[];
    for (const k of ["subscriptions", "in_msgs", "in_bytes", "pending_bytes"]) {
      assert.equal(v(`gnatsd_connz_${k}`), conns.reduce((n, x) => n + (x[k] as number), 0), k);
    }
    assert.equal(fams.get("gnatsd_connz_in_msgs")!.type, "counter");

    assert.equal(v("gnatsd_routez_num_routes"), 0);
    assert.equal(v("gnatsd_subsz_num_subscriptions"), subsz.num_subscriptions);
    assert.equal(v("gnatsd_subsz_max_fanout"), subsz.max_fanout);

    // JetStream: server, account, stream and consumer families with the exporter's labels.
    const srvLabels = { server_id: id, server_name: env.server!.server.name, cluster: "", domain: "", meta_leader: "", is_meta_leader: "true" };
    assert.deepEqual(sampleOf(fams, "jetstream_server_total_streams").labels, srvLabels);
    assert.equal(v("jetstream_server_jetstream_disabled"), 0);
    assert.equal(v("jetstream_server_total_streams"), jsz.streams);
    assert.equal(v("jetstream_server_total_consumers"), jsz.consumers);
    assert.equal(v("jetstream_server_total_messages"), 3);
    assert.equal(v("jetstream_server_total_message_bytes"), jsz.bytes);
    assert.equal(v("jetstream_server_max_storage"), jsz.config.max_storage);
    const acc = (jsz.account_details as Json[])[0]!;
    assert.equal(v("jetstream_account_storage_used", { account: "$G", account_name: "$G", account_id: acc.id }), acc.storage);
    const st = acc.stream_detail[0] as Json;
    const streamLabels = { account: "$G", stream_name: "ORDERS", is_stream_leader: "true" };
    assert.equal(v("jetstream_stream_total_messages", streamLabels), st.state.messages);
    assert.equal(v("jetstream_stream_total_bytes", streamLabels), st.state.bytes);
    assert.equal(v("jetstream_stream_last_seq", streamLabels), 3);
    assert.equal(v("jetstream_stream_subject_count", streamLabels), 2);
    assert.equal(v("jetstream_stream_consumer_count", streamLabels), 1);
    assert.equal(v("jetstream_stream_limit_messages", streamLabels), 1000);
    assert.equal(v("jetstream_stream_limit_bytes", streamLabels), -1);
    const ci = st.consumer_detail[0] as Json;
    const consumer = { stream_name: "ORDERS", consumer_name: "C", consumer_desc: DESC, is_consumer_leader: "true" };
    assert.equal(v("jetstream_consumer_num_ack_pending", consumer), 1);
    assert.equal(v("jetstream_consumer_num_pending", consumer), ci.num_pending);
    assert.equal(v("jetstream_consumer_num_pending", consumer), 2);
    assert.equal(v("jetstream_consumer_delivered_stream_seq", consumer), 1);
    assert.equal(v("jetstream_consumer_ack_floor_stream_seq", consumer), 0);
    assert.ok(v("jetstream_consumer_last_delivery_seconds", consumer) >= 0);
    assert.ok(!fams.has("jetstream_consumer_last_ack_seconds"), "no ack yet, so no age of the last ack");
    assert.ok(r.text.includes('consumer_desc="orders \\"east\\"\\\\west\\nline two"'), "label escaping on the wire");

    // The file store's commit histograms: at least the three publishes' batches, each taking some time.
    const commit = checkHistogram(fams.get("tsnats_jetstream_store_commit_seconds")!);
    const sync = checkHistogram(fams.get("tsnats_jetstream_store_fdatasync_seconds")!);
    const batch = checkHistogram(fams.get("tsnats_jetstream_store_batch_bytes")!);
    assert.ok(commit.count >= 3 && commit.sum > 0, `commit ${JSON.stringify(commit)}`);
    assert.ok(sync.count >= 3 && sync.sum <= commit.sum, `fdatasync ${JSON.stringify(sync)} within commit ${JSON.stringify(commit)}`);
    assert.ok(batch.count >= 3 && batch.sum >= 3 * "payload".length, `batch bytes ${JSON.stringify(batch)}`);

    // The store's disk, as statfs sees it (free space moves a little as others write: 1% slack).
    const fs = statfsSync(jsz.config.store_dir as string);
    const disk = { store_dir: jsz.config.store_dir as string };
    assert.equal(v("tsnats_jetstream_store_disk_size_bytes", disk), fs.blocks * fs.bsize);
    const free = v("tsnats_jetstream_store_disk_free_bytes", disk);
    assert.ok(Math.abs(free - fs.bavail * fs.bsize) <= fs.blocks * fs.bsize * 0.01, `free ${free} vs statfs ${fs.bavail * fs.bsize}`);

    m.ack();
    await env.js.publish("orders.9", "more");
    await env.nc.flush();
    const after = parsePrometheus((await get(mport, "/metrics")).text);
    assert.ok(checkHistogram(after.get("tsnats_jetstream_store_commit_seconds")!).count > commit.count, "a publish adds a commit");
    assert.equal(sampleOf(after, "jetstream_consumer_num_ack_pending", consumer).value, 0);
    assert.equal(sampleOf(after, "jetstream_consumer_ack_floor_stream_seq", consumer).value, 1);
    assert.equal(sampleOf(after, "jetstream_consumer_num_pending", consumer).value, 3);
    assert.equal(sampleOf(after, "gnatsd_varz_http_req_stats_metrics").value, 2);
  });

  it("shows JetStream disabled on a server without it, and no account families", async (t) => {
    const { startServer } = await import("../../src/index.js");
    const srv = await startServer({ port: -1, httpPort: -1 });
    t.after(() => srv.close());
    const fams = parsePrometheus((await get(srv.monitorPort!, "/metrics")).text);
    assert.equal(sampleOf(fams, "jetstream_server_jetstream_disabled").value, 1);
    assert.equal(sampleOf(fams, "jetstream_server_total_streams").value, 0);
    assert.ok(!fams.has("jetstream_account_storage_used"));
    assert.ok(!fams.has("gnatsd_varz_jetstream_config_max_memory"));
    assert.ok(!fams.has("tsnats_jetstream_store_disk_free_bytes"), "no store, no store disk");
  });
});
