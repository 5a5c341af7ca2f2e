/**
 * The dashboard page's program: polls the monitoring endpoints (read-only GETs, relative to the page so
 * that `http_base_path` and HTTPS carry over), renders the server, routes, connections, accounts, streams
 * and consumers, and charts message rates over the last minutes. Rates come from successive /varz
 * counters and from /metrics' per-stream and per-consumer `tsnats_*_total` counters.
 *
 * Runs in the browser (see client-format.ts for why it stands alone): it may call only the functions
 * dashboard-assets.ts sends beside it.
 *
 * Every figure taken from an endpoint is rendered with `data-key` and the raw `data-value`, so that tests
 * compare the page with the JSON it was built from.
 */
import { drawChart, type ChartSeries } from "./client-chart.js";
import { esc, fmtAge, fmtBytes, fmtCount, fmtRate } from "./client-format.js";

type J = Record<string, any>;

export function dashboardMain(): void {
  const params = new URLSearchParams(location.search);
  const interval = Math.max(200, Number(params.get("interval")) || 2000);
  const windowMs = 5 * 60 * 1000;
  const maxSamples = Math.ceil(windowMs / interval) + 1;
  /** A stall: pending messages and no delivery for this long. */
  const stallSeconds = 30;

  interface Sample {
    t: number;
    inMsgs: number;
    outMsgs: number;
    streams: Map<string, number>;
    delivered: number;
    acked: number;
    redelivered: number;
  }
  const samples: Sample[] = [];
  let prev: { t: number; inMsgs: number; outMsgs: number; counters: Map<string, number> } | undefined;
  let polls = 0;

  const $ = (id: string) => document.getElementById(id)!;
  const cellHtml = (key: string, value: number, html: string) => `<span data-key="${esc(key)}" data-value="${value}">${html}</span>`;
  const cell = (key: string, value: number, text: string) => cellHtml(key, value, esc(text));
  const bar = (fraction: number) => {
    const pct = Math.max(0, Math.min(1, fraction)) * 100;
    const level = fraction >= 0.9 ? "crit" : fraction >= 0.8 ? "warn" : "ok";
    return `<span class="bar ${level}" title="${pct.toFixed(1)}%"><i style="width:${pct.toFixed(1)}%"></i></span> ${pct.toFixed(1)}%`;
  };
  const table = (head: string[], rows: string[], empty: string) =>
    rows.length === 0
      ? `<p class="empty">${esc(empty)}</p>`
      : `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
  const card = (label: string, key: string, value: number, text: string) => `<div class="card"><div class="label">${esc(label)}</div><div class="value">${cell(key, value, text)}</div></div>`;

  async function get(path: string): Promise<Response> {
    const r = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
    if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
    return r;
  }
  const getJson = async (path: string): Promise<J> => (await get(path)).json() as Promise<J>;

  /** `family|account|stream|consumer` -> value, for the tsnats_* counters and disk gauges of /metrics. */
  function parseMetrics(text: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const line of text.split("\n")) {
      if (!line.startsWith("tsnats_jetstream_")) continue;
      const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (m === null) continue;
      const labels: Record<string, string> = {};
      for (const l of (m[2] ?? "").matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_x, c: string) => (c === "n" ? "\n" : c));
      out.set(`${m[1]}|${labels.account ?? ""}|${labels.stream_name ?? ""}|${labels.consumer_name ?? ""}`, Number(m[3]));
    }
    return out;
  }

  function rate(counters: Map<string, number>, key: string, dt: number): number {
    const now = counters.get(key);
    const before = prev?.counters.get(key);
    if (now === undefined || before === undefined || dt <= 0) return NaN;
    return Math.max(0, now - before) / dt; // a counter that fell was reset: no rate for that step
  }

  function renderServer(varz: J, subsz: J): void {
    const cluster = varz.cluster?.name ? ` · cluster <b>${esc(varz.cluster.name)}</b>` : "";
    $("server-title").innerHTML =
      `<b data-key="server_name">${esc(varz.server_name)}</b> · ${esc(varz.server_id)} · NATS ${esc(varz.version)} (${esc(varz.go)})${cluster} · ` +
      `up ${esc(varz.uptime)} · ${esc(varz.host)}:${esc(varz.port)}`;
    $("server").innerHTML = [
      card("Connections", "connections", varz.connections, fmtCount(varz.connections)),
      card("Total connections", "total_connections", varz.total_connections, fmtCount(varz.total_connections)),
      card("Subscriptions", "subscriptions", varz.subscriptions, fmtCount(varz.subscriptions)),
      card("Messages in", "in_msgs", varz.in_msgs, fmtCount(varz.in_msgs)),
      card("Messages out", "out_msgs", varz.out_msgs, fmtCount(varz.out_msgs)),
      card("Bytes in", "in_bytes", varz.in_bytes, fmtBytes(varz.in_bytes)),
      card("Bytes out", "out_bytes", varz.out_bytes, fmtBytes(varz.out_bytes)),
      card("Slow consumers", "slow_consumers", varz.slow_consumers, fmtCount(varz.slow_consumers)),
      card("Routes", "routes", varz.routes, fmtCount(varz.routes)),
      card("Memory", "mem", varz.mem, fmtBytes(varz.mem)),
      card("CPU", "cpu", varz.cpu, `${Number(varz.cpu).toFixed(1)}%`),
      card("Subject cache hit rate", "cache_hit_rate", subsz.cache_hit_rate, `${(Number(subsz.cache_hit_rate) * 100).toFixed(1)}%`),
    ].join("");
  }

  function renderRoutes(routez: J): void {
    const rows = ((routez.routes ?? []) as J[]).map(
      (r) =>
        `<tr data-row="route:${esc(r.rid)}"><td>${esc(r.rid)}</td><td>${esc(r.remote_name ?? "")}</td><td class="mono">${esc(r.remote_id)}</td><td>${esc(r.ip)}:${esc(r.port)}</td>` +
        `<td>${cell("subscriptions", r.subscriptions, fmtCount(r.subscriptions))}</td><td>${cell("in_msgs", r.in_msgs, fmtCount(r.in_msgs))}</td>` +
        `<td>${cell("out_msgs", r.out_msgs, fmtCount(r.out_msgs))}</td><td>${cell("pending_size", r.pending_size, fmtBytes(r.pending_size))}</td></tr>`,
    );
    $("routes").innerHTML = table(["Route", "Remote name", "Remote id", "Address", "Subscriptions", "Msgs in", "Msgs out", "Pending"], rows, "No routes: this server runs alone.");
  }

  function renderConnections(connz: J): void {
    const rows = ((connz.connections ?? []) as J[]).map((c) => {
      const subs = ((c.subscriptions_list ?? []) as string[]).join("\n");
      return (
        `<tr data-row="conn:${esc(c.cid)}"><td>${esc(c.cid)}</td><td>${esc(c.name ?? "")}</td><td>${esc(c.ip)}:${esc(c.port)}</td><td>${esc(c.account ?? "")}</td>` +
        `<td>${esc(c.lang ?? "")} ${esc(c.version ?? "")}</td><td title="${esc(subs)}">${cell("subscriptions", c.subscriptions, fmtCount(c.subscriptions))}</td>` +
        `<td>${cell("pending_bytes", c.pending_bytes, fmtBytes(c.pending_bytes))}</td><td>${cell("in_msgs", c.in_msgs, fmtCount(c.in_msgs))}</td>` +
        `<td>${cell("out_msgs", c.out_msgs, fmtCount(c.out_msgs))}</td><td>${esc(c.uptime)}</td><td>${esc(c.idle)}</td></tr>`
      );
    });
    const more = connz.total > (connz.connections ?? []).length ? ` (first ${(connz.connections ?? []).length} of ${connz.total})` : "";
    $("connections-count").innerHTML = `${cell("num_connections", connz.total, fmtCount(connz.total))}${esc(more)}`;
    $("connections").innerHTML = table(["CID", "Name", "Address", "Account", "Client", "Subs", "Pending", "Msgs in", "Msgs out", "Uptime", "Idle"], rows, "No client connections.");
  }

  function renderAccounts(accstatz: J, jsz: J): void {
    const js = new Map<string, J>(((jsz.account_details ?? []) as J[]).map((a) => [a.name, a]));
    const rows = ((accstatz.account_statz ?? []) as J[]).map((a) => {
      const j = js.get(a.acc);
      return (
        `<tr data-row="account:${esc(a.acc)}"><td>${esc(a.acc)}</td><td>${cell("conns", a.conns, fmtCount(a.conns))}</td>` +
        `<td>${cell("received_msgs", a.received.msgs, fmtCount(a.received.msgs))}</td><td>${cell("sent_msgs", a.sent.msgs, fmtCount(a.sent.msgs))}</td>` +
        `<td>${cell("slow_consumers", a.slow_consumers, fmtCount(a.slow_consumers))}</td>` +
        `<td>${j ? cell("streams", (j.stream_detail ?? []).length, fmtCount((j.stream_detail ?? []).length)) : "–"}</td>` +
        `<td>${j ? cell("storage", j.storage, fmtBytes(j.storage)) : "–"}</td><td>${j ? cell("memory", j.memory, fmtBytes(j.memory)) : "–"}</td></tr>`
      );
    });
    $("accounts").innerHTML = table(["Account", "Connections", "Msgs received", "Msgs sent", "Slow consumers", "Streams", "File storage", "Memory storage"], rows, "No accounts.");
  }

  function renderJetStream(jsz: J, metrics: Map<string, number>): void {
    if (jsz.disabled === true || jsz.config === undefined) {
      $("jetstream").innerHTML = `<p class="empty">JetStream is not enabled on this server.</p>`;
      return;
    }
    const cfg = jsz.config as J;
    const free = metrics.get("tsnats_jetstream_store_disk_free_bytes|||");
    const size = metrics.get("tsnats_jetstream_store_disk_size_bytes|||");
    const disk = free !== undefined && size !== undefined && size > 0 ? `<div class="card wide"><div class="label">Store disk used (${esc(fmtBytes(free))} free)</div><div class="value">${cellHtml("disk_free", free, bar(1 - free / size))}</div></div>` : "";
    $("jetstream").innerHTML = [
      card("Streams", "streams", jsz.streams, fmtCount(jsz.streams)),
      card("Consumers", "consumers", jsz.consumers, fmtCount(jsz.consumers)),
      card("Messages", "messages", jsz.messages, fmtCount(jsz.messages)),
      card("Bytes", "bytes", jsz.bytes, fmtBytes(jsz.bytes)),
      card("API requests", "api_total", jsz.api?.total ?? 0, fmtCount(jsz.api?.total ?? 0)),
      card("API errors", "api_errors", jsz.api?.errors ?? 0, fmtCount(jsz.api?.errors ?? 0)),
      `<div class="card wide"><div class="label">File storage of ${esc(fmtBytes(cfg.max_storage))}</div><div class="value">${cellHtml("storage", jsz.storage, bar(cfg.max_storage > 0 ? jsz.storage / cfg.max_storage : 0))}</div></div>`,
      `<div class="card wide"><div class="label">Memory storage of ${esc(fmtBytes(cfg.max_memory))}</div><div class="value">${cellHtml("memory", jsz.memory, bar(cfg.max_memory > 0 ? jsz.memory / cfg.max_memory : 0))}</div></div>`,
      disk,
    ].join("");
  }

  function renderStreams(jsz: J, counters: Map<string, number>, dt: number): Map<string, number> {
    const rates = new Map<string, number>();
    const rows: string[] = [];
    const consumerRows: string[] = [];
    const now = Date.now();
    for (const acc of (jsz.account_details ?? []) as J[]) {
      for (const st of (acc.stream_detail ?? []) as J[]) {
        const s = st.state as J;
        const c = (st.config ?? {}) as J;
        const id = `${acc.name}|${st.name}`;
        const inMsgs = rate(counters, `tsnats_jetstream_stream_received_messages_total|${id}|`, dt);
        const inBytes = rate(counters, `tsnats_jetstream_stream_received_bytes_total|${id}|`, dt);
        rates.set(st.name, inMsgs);
        const fill = c.max_bytes > 0 ? s.bytes / c.max_bytes : c.max_msgs > 0 ? s.messages / c.max_msgs : NaN;
        rows.push(
          `<tr data-row="stream:${esc(acc.name)}/${esc(st.name)}"><td>${esc(acc.name)}</td><td><b>${esc(st.name)}</b></td><td>${esc(c.storage ?? "")}</td>` +
            `<td>${cell("messages", s.messages, fmtCount(s.messages))}</td><td>${cell("bytes", s.bytes, fmtBytes(s.bytes))}</td>` +
            `<td>${cell("in_msgs_rate", inMsgs, fmtRate(inMsgs))}</td><td>${cell("in_bytes_rate", inBytes, Number.isFinite(inBytes) ? `${fmtBytes(inBytes)}/s` : "–")}</td>` +
            `<td>${Number.isFinite(fill) ? bar(fill) : "no limit"}</td><td>${cell("first_seq", s.first_seq, fmtCount(s.first_seq))}</td>` +
            `<td>${cell("last_seq", s.last_seq, fmtCount(s.last_seq))}</td><td>${cell("consumer_count", s.consumer_count, fmtCount(s.consumer_count))}</td></tr>`,
        );
        for (const ci of (st.consumer_detail ?? []) as J[]) consumerRows.push(consumerRow(acc.name, st.name, ci, counters, dt, now));
      }
    }
    $("streams").innerHTML = table(["Account", "Stream", "Storage", "Messages", "Bytes", "In msgs/s", "In bytes/s", "Fill of limit", "First", "Last", "Consumers"], rows, "No streams.");
    $("consumers").innerHTML = table(
      ["Stream", "Consumer", "Kind", "Pending", "Ack pending", "Redelivered", "Waiting", "Delivered/s", "Acked/s", "Last delivery", "Status"],
      consumerRows,
      "No consumers.",
    );
    return rates;
  }

  function consumerRow(account: string, stream: string, ci: J, counters: Map<string, number>, dt: number, now: number): string {
    const cfg = (ci.config ?? {}) as J;
    const id = `${account}|${stream}|${ci.name}`;
    const delivered = rate(counters, `tsnats_jetstream_consumer_delivered_messages_total|${id}`, dt);
    const acked = rate(counters, `tsnats_jetstream_consumer_acked_messages_total|${id}`, dt);
    const push = typeof cfg.deliver_subject === "string" && cfg.deliver_subject !== "";
    const last = ci.delivered?.last_active ? (now - Date.parse(ci.delivered.last_active)) / 1000 : (now - Date.parse(ci.created)) / 1000;
    const maxAck = Number(cfg.max_ack_pending ?? 0);
    let status = "ok";
    if (maxAck > 0 && ci.num_ack_pending >= maxAck) status = "stalled: max ack pending reached";
    else if (push && ci.num_pending > 0 && ci.push_bound !== true) status = "stalled: no subscriber";
    else if (ci.num_pending > 0 && last > stallSeconds) status = `stalled: no delivery for ${fmtAge(last)}`;
    const ackText = maxAck > 0 ? `${fmtCount(ci.num_ack_pending)} / ${fmtCount(maxAck)}` : fmtCount(ci.num_ack_pending);
    return (
      `<tr data-row="consumer:${esc(account)}/${esc(stream)}/${esc(ci.name)}" class="${status === "ok" ? "" : "stalled"}"><td>${esc(stream)}</td><td><b>${esc(ci.name)}</b></td><td>${push ? "push" : "pull"}</td>` +
      `<td>${cell("num_pending", ci.num_pending, fmtCount(ci.num_pending))}</td><td>${cell("num_ack_pending", ci.num_ack_pending, ackText)}</td>` +
      `<td>${cell("num_redelivered", ci.num_redelivered, fmtCount(ci.num_redelivered))}</td><td>${cell("num_waiting", ci.num_waiting ?? 0, fmtCount(ci.num_waiting ?? 0))}</td>` +
      `<td>${cell("delivered_rate", delivered, fmtRate(delivered))}</td><td>${cell("acked_rate", acked, fmtRate(acked))}</td>` +
      `<td>${ci.delivered?.last_active ? `${esc(fmtAge(last))} ago` : "never"}</td><td data-key="status">${esc(status)}</td></tr>`
    );
  }

  function sum(counters: Map<string, number>, family: string, dt: number): number {
    let total = NaN;
    for (const key of counters.keys()) {
      if (!key.startsWith(`${family}|`)) continue;
      const r = rate(counters, key, dt);
      if (Number.isFinite(r)) total = (Number.isFinite(total) ? total : 0) + r;
    }
    return total;
  }

  function renderCharts(): void {
    const times = samples.map((s) => s.t);
    const server = $("chart-server") as HTMLCanvasElement;
    drawChart(server, times, [{ label: "in msgs/s", values: samples.map((s) => s.inMsgs) }, { label: "out msgs/s", values: samples.map((s) => s.outMsgs) }], windowMs, fmtCount);
    const names = new Set<string>();
    for (const s of samples) for (const n of s.streams.keys()) names.add(n);
    const last = samples[samples.length - 1];
    const top = [...names].sort((a, b) => (last?.streams.get(b) || 0) - (last?.streams.get(a) || 0)).slice(0, 8);
    const streamSeries: ChartSeries[] = top.map((n) => ({ label: n, values: samples.map((s) => s.streams.get(n) ?? NaN) }));
    drawChart($("chart-streams") as HTMLCanvasElement, times, streamSeries, windowMs, fmtCount);
    drawChart(
      $("chart-consumers") as HTMLCanvasElement,
      times,
      [
        { label: "delivered/s", values: samples.map((s) => s.delivered) },
        { label: "acked/s", values: samples.map((s) => s.acked) },
        { label: "redelivered/s", values: samples.map((s) => s.redelivered) },
      ],
      windowMs,
      fmtCount,
    );
    for (const id of ["chart-server", "chart-streams", "chart-consumers"]) {
      const c = $(id);
      const firstSeries = id === "chart-server" ? samples.map((s) => s.inMsgs) : id === "chart-consumers" ? samples.map((s) => s.delivered) : samples.map((s) => s.streams.get(top[0] ?? "") ?? NaN);
      c.dataset.points = String(firstSeries.filter((v) => Number.isFinite(v)).length);
      c.dataset.max = String(Math.max(0, ...firstSeries.filter((v) => Number.isFinite(v))));
    }
  }

  async function poll(): Promise<void> {
    try {
      const [varz, subsz, routez, connz, accstatz, jsz, metricsText] = await Promise.all([
        getJson("varz"),
        getJson("subsz"),
        getJson("routez"),
        getJson("connz?limit=100&subs=1"),
        getJson("accstatz?unused=1"),
        getJson("jsz?accounts=1&streams=1&consumers=1&config=1"),
        get("metrics").then((r) => r.text()),
      ]);
      const t = Date.now();
      const counters = parseMetrics(metricsText);
      const dt = prev === undefined ? 0 : (t - prev.t) / 1000;
      renderServer(varz, subsz);
      renderRoutes(routez);
      renderConnections(connz);
      renderAccounts(accstatz, jsz);
      renderJetStream(jsz, counters);
      const streamRates = renderStreams(jsz, counters, dt);
      if (prev !== undefined && dt > 0) {
        samples.push({
          t,
          inMsgs: Math.max(0, varz.in_msgs - prev.inMsgs) / dt,
          outMsgs: Math.max(0, varz.out_msgs - prev.outMsgs) / dt,
          streams: streamRates,
          delivered: sum(counters, "tsnats_jetstream_consumer_delivered_messages_total", dt),
          acked: sum(counters, "tsnats_jetstream_consumer_acked_messages_total", dt),
          redelivered: sum(counters, "tsnats_jetstream_consumer_redelivered_messages_total", dt),
        });
        if (samples.length > maxSamples) samples.splice(0, samples.length - maxSamples);
      }
      prev = { t, inMsgs: varz.in_msgs, outMsgs: varz.out_msgs, counters };
      renderCharts();
      polls++;
      document.body.dataset.polls = String(polls);
      $("status").textContent = `updated ${new Date(t).toLocaleTimeString()} · every ${interval / 1000}s`;
      $("status").className = "";
    } catch (e) {
      $("status").textContent = `cannot reach the server: ${e instanceof Error ? e.message : String(e)}`;
      $("status").className = "error";
    }
    setTimeout(() => void poll(), interval);
  }

  void poll();
}
