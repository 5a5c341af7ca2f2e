/**
 * The `gnatsd_*` families of /metrics, named as prometheus-nats-exporter names them with `-varz -connz
 * -routez -subz`, so dashboards built on the exporter work unchanged.
 *
 * /varz, /routez and /subsz are flattened as the exporter flattens any endpoint: every number at any depth
 * becomes the gauge `gnatsd_<endpoint>_<path joined by "_">` labelled `server_id`; a timestamp among a few
 * known string fields becomes milliseconds since the epoch; the other known strings (version, names)
 * become a gauge of 1 with the string in a `value` label. Booleans, lists and other strings are left out,
 * as the exporter leaves them out. /connz yields its page figures and totals summed over that page.
 */
import type { Server } from "../server/server.js";
import { connzData, connzOptions } from "./connz.js";
import type { MonitorState } from "./endpoint.js";
import { isMetricName, type Labels, type PrometheusText } from "./prometheus-text.js";
import { routezData } from "./routez.js";
import { subszData } from "./subsz.js";
import { varzData } from "./varz.js";

/** Flattened paths the exporter drops (configuration it does not want as gauges). */
const SKIPPED = new Set([
  "leaf",
  "trusted_operators_claim",
  "cluster_tls_timeout",
  "cluster_cluster_port",
  "cluster_auth_timeout",
  "gateway_port",
  "gateway_auth_timeout",
  "gateway_tls_timeout",
  "gateway_connect_retries",
]);

/** The string fields the exporter keeps: as a time, or as a `value` label. */
const STRING_KEYS = new Set(["server_id", "server_name", "version", "domain", "leader", "name", "start", "config_load_time"]);

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

export function coreMetrics(out: PrometheusText, server: Server, state: MonitorState): void {
  const id: Labels = [["server_id", server.id]];
  flatten(out, "varz", id, varzData(server, state));
  connzMetrics(out, server, id);
  flatten(out, "routez", id, routezData(server));
  // /subsz over HTTP without `subs` answers with the bare statistics, which is what the exporter reads.
  const { server_id: _s, now: _n, total: _t, offset: _o, limit: _l, subscriptions_list: _list, ...stats } = subszData(server, { subscriptions: false, offset: 0, limit: 0, account: "", test: "" });
  flatten(out, "subsz", id, stats);
}

function flatten(out: PrometheusText, endpoint: string, id: Labels, body: Record<string, unknown>): void {
  const seen = new Set<string>();
  const walk = (obj: Record<string, unknown>, prefix: string[]): void => {
    for (const [k, v] of Object.entries(obj)) {
      const path = [...prefix, k];
      const fqn = path.join("_").replaceAll("/", "_").replace(/_+/g, "_").replace(/^_|_$/g, "");
      if (SKIPPED.has(fqn) || seen.has(fqn)) continue;
      const name = `gnatsd_${endpoint}_${fqn}`;
      if (typeof v === "number") {
        if (!isMetricName(name)) continue;
        seen.add(fqn);
        out.family(name, "gauge", fqn).sample(id, v);
      } else if (typeof v === "string" && STRING_KEYS.has(k) && isMetricName(name)) {
        seen.add(fqn);
        out.family(name, "gauge", fqn);
        if (RFC3339.test(v)) out.sample(id, Date.parse(v));
        else out.sample([...id, ["value", v]], 1);
      } else if (v !== null && typeof v === "object" && !Array.isArray(v)) {
        walk(v as Record<string, unknown>, path);
      }
    }
  };
  walk(body, []);
}

interface ConnFigures {
  pending_bytes: number;
  subscriptions: number;
  in_bytes: number;
  out_bytes: number;
  in_msgs: number;
  out_msgs: number;
}

/** What a plain GET /connz shows (its first page), as the exporter polls it. */
function connzMetrics(out: PrometheusText, server: Server, id: Labels): void {
  const c = connzData(server, connzOptions(new URLSearchParams()));
  for (const k of ["num_connections", "total", "offset", "limit"] as const) {
    out.family(`gnatsd_connz_${k}`, "gauge", k).sample(id, c[k] as number);
  }
  const sum: ConnFigures = { pending_bytes: 0, subscriptions: 0, in_bytes: 0, out_bytes: 0, in_msgs: 0, out_msgs: 0 };
  for (const conn of (c.connections ?? []) as ConnFigures[]) {
    for (const k of Object.keys(sum) as (keyof ConnFigures)[]) sum[k] += conn[k];
  }
  for (const k of Object.keys(sum) as (keyof ConnFigures)[]) {
    const type = k === "pending_bytes" || k === "subscriptions" ? "gauge" : "counter";
    out.family(`gnatsd_connz_${k}`, type, k).sample(id, sum[k]);
  }
}
