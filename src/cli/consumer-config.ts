/**
 * A consumer's configuration from the nats CLI's `consumer add` flags. Without a terminal nothing is
 * prompted: each value not given takes the default the nats CLI's prompt offers (pull mode when no
 * --target, start "all", ack "explicit" for pull and "none" for push, replay "instant").
 */
import { readFileSync } from "node:fs";
import type { ConsumerConfig } from "@nats-io/jetstream";
import { parseDuration, parseDurationList } from "./format/units.js";

export interface ConsumerFlags {
  target?: string;
  pull?: boolean;
  deliver?: string;
  ack?: string;
  filter?: string[];
  maxPending?: string;
  maxDeliver?: string;
  backoff?: string;
  backoffSteps: string;
  backoffMin: string;
  backoffMax: string;
  wait?: string;
  replay?: string;
  deliverGroup?: string;
  heartbeat?: string;
  flowControl?: boolean;
  headersOnly?: boolean;
  description?: string;
  inactiveThreshold?: string;
  maxPullBatch?: string;
  config?: string;
}

type Cfg = Partial<ConsumerConfig> & Record<string, unknown>;

/** `--deliver`: all, new, last, subject (last per subject), a duration ago, or a stream sequence. */
function applyStart(cfg: Cfg, policy: string): void {
  switch (policy) {
    case "all": cfg.deliver_policy = "all" as ConsumerConfig["deliver_policy"]; return;
    case "new": cfg.deliver_policy = "new" as ConsumerConfig["deliver_policy"]; return;
    case "last": cfg.deliver_policy = "last" as ConsumerConfig["deliver_policy"]; return;
    case "subject": case "last_per_subject":
      cfg.deliver_policy = "last_per_subject" as ConsumerConfig["deliver_policy"]; return;
  }
  if (/^\d+$/.test(policy)) {
    cfg.deliver_policy = "by_start_sequence" as ConsumerConfig["deliver_policy"];
    cfg.opt_start_seq = Number(policy);
    return;
  }
  const ago = parseDuration(policy);
  cfg.deliver_policy = "by_start_time" as ConsumerConfig["deliver_policy"];
  cfg.opt_start_time = new Date(Date.now() - ago / 1e6).toISOString();
}

/**
 * `--backoff`: the nats CLI's modes ("linear" over --backoff-steps from --backoff-min to --backoff-max,
 * "none"), or a comma separated list of durations ("1s,2s,5s"), which the seeds use.
 */
function backoffList(f: ConsumerFlags): number[] {
  if (f.backoff === "none") return [];
  if (f.backoff === "linear") {
    const steps = Number(f.backoffSteps);
    const min = parseDuration(f.backoffMin);
    const max = parseDuration(f.backoffMax);
    if (!Number.isInteger(steps) || steps < 1) throw new Error("backoff steps must be at least 1");
    if (steps === 1) return [min];
    return Array.from({ length: steps }, (_, i) => Math.round(min + ((max - min) * i) / (steps - 1)));
  }
  return parseDurationList(f.backoff!);
}

const ACK = new Set(["none", "all", "explicit"]);
const REPLAY = new Set(["instant", "original"]);

export function consumerConfigFromFlags(name: string, f: ConsumerFlags): Cfg {
  if (f.config) {
    const fromFile = JSON.parse(readFileSync(f.config, "utf8")) as Cfg;
    return { ...fromFile, durable_name: name, ...(f.target ? { deliver_subject: f.target } : {}) };
  }
  if (/[.*>]/.test(name)) throw new Error("durable name can not contain '.', '*', '>'");
  const cfg: Cfg = { durable_name: name };
  if (f.description) cfg.description = f.description;
  const push = !f.pull && Boolean(f.target);
  if (push) cfg.deliver_subject = f.target;
  if (f.deliverGroup !== undefined) cfg.deliver_group = f.deliverGroup;
  applyStart(cfg, f.deliver ?? "all");

  const ack = f.ack ?? (push ? "none" : "explicit");
  if (!ACK.has(ack)) throw new Error(`enum value must be one of none,all,explicit, got '${ack}' for --ack`);
  cfg.ack_policy = ack as ConsumerConfig["ack_policy"];
  const replay = f.replay ?? "instant";
  if (!REPLAY.has(replay)) throw new Error(`enum value must be one of instant,original, got '${replay}' for --replay`);
  cfg.replay_policy = replay as ConsumerConfig["replay_policy"];
  if (f.wait !== undefined && parseDuration(f.wait) > 0) cfg.ack_wait = parseDuration(f.wait);

  const filters = (f.filter ?? []).flatMap((s) => s.split(/[ ,]+/)).filter(Boolean);
  if (filters.length === 1) cfg.filter_subject = filters[0];
  else if (filters.length > 1) cfg.filter_subjects = filters;
  else if (cfg.deliver_policy === "last_per_subject") cfg.filter_subject = ">";

  let maxDeliver = f.maxDeliver !== undefined ? Number(f.maxDeliver) : -1;
  if (f.backoff) {
    cfg.backoff = backoffList(f);
    // The server wants more deliveries than backoff steps; the nats CLI picks steps + 1 when unlimited.
    if (maxDeliver === -1 && cfg.backoff.length > 0) maxDeliver = cfg.backoff.length + 1;
  }
  cfg.max_deliver = ack === "none" ? -1 : maxDeliver;
  const maxPending = f.maxPending !== undefined ? Number(f.maxPending) : -1;
  cfg.max_ack_pending = maxPending === -1 ? 0 : maxPending;

  if (push) {
    if (f.heartbeat !== undefined && f.heartbeat !== "-1") cfg.idle_heartbeat = parseDuration(f.heartbeat);
    cfg.flow_control = Boolean(f.flowControl);
  } else if (f.heartbeat !== undefined || f.flowControl) {
    throw new Error("heartbeats and flow control are only for push consumers (use --target)");
  }
  if (f.headersOnly) cfg.headers_only = true;
  if (f.inactiveThreshold) cfg.inactive_threshold = parseDuration(f.inactiveThreshold);
  if (f.maxPullBatch) cfg.max_batch = Number(f.maxPullBatch);
  return cfg;
}

function integer(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n)) throw new Error(`invalid number ${JSON.stringify(text)} for --${flag}`);
  return n;
}

/**
 * `consumer edit`: only the flags given change `base`, and only the settings a server lets change on
 * a durable consumer (its start, ack and delivery mode stay as they are).
 */
export function consumerEditFromFlags(base: ConsumerConfig, f: ConsumerFlags): Cfg {
  if (f.config) return { ...(JSON.parse(readFileSync(f.config, "utf8")) as Cfg), durable_name: base.durable_name };
  const cfg: Cfg = { ...base };
  if (f.description !== undefined) cfg.description = f.description;
  if (f.maxDeliver !== undefined) cfg.max_deliver = integer("max-deliver", f.maxDeliver);
  if (f.maxPending !== undefined) cfg.max_ack_pending = integer("max-pending", f.maxPending);
  if (f.wait !== undefined) cfg.ack_wait = parseDuration(f.wait);
  if (f.backoff) cfg.backoff = backoffList(f);
  if (f.filter) {
    const filters = f.filter.flatMap((s) => s.split(/[ ,]+/)).filter(Boolean);
    delete cfg.filter_subject;
    delete cfg.filter_subjects;
    if (filters.length === 1) cfg.filter_subject = filters[0];
    else if (filters.length > 1) cfg.filter_subjects = filters;
  }
  if (f.heartbeat !== undefined) cfg.idle_heartbeat = f.heartbeat === "-1" ? 0 : parseDuration(f.heartbeat);
  if (f.headersOnly !== undefined) cfg.headers_only = f.headersOnly;
  if (f.inactiveThreshold !== undefined) cfg.inactive_threshold = parseDuration(f.inactiveThreshold);
  if (f.maxPullBatch !== undefined) cfg.max_batch = integer("max-pull-batch", f.maxPullBatch);
  if (f.deliverGroup !== undefined) cfg.deliver_group = f.deliverGroup;
  if (cfg.backoff && (cfg.backoff as number[]).length > 0 && cfg.ack_wait !== base.ack_wait) {
    throw new Error("consumers with backoff policies do not support editing Ack Wait");
  }
  return cfg;
}

/** The settings that differ, one "-" and one "+" line each, as "Differences (-old +new)" shows them. */
export function configDiff(before: object, after: object): string[] {
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  const out: string[] = [];
  for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = JSON.stringify(a[k]);
    const y = JSON.stringify(b[k]);
    if (x === y) continue;
    if (x !== undefined) out.push(`-  ${k}: ${x}`);
    if (y !== undefined) out.push(`+  ${k}: ${y}`);
  }
  return out;
}
