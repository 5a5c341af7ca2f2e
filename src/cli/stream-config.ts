/**
 * A stream's configuration from the nats CLI's `stream add/edit` flags. Without a terminal nothing is
 * prompted: a value not given takes the default the nats CLI's prompt offers (the nats CLI's `--defaults`).
 */
import { readFileSync } from "node:fs";
import type { StreamConfig } from "@nats-io/jetstream";
import { parseBytes, parseDuration } from "./format/units.js";

export interface StreamFlags {
  subjects?: string[];
  description?: string;
  storage?: string;
  retention?: string;
  discard?: string;
  maxMsgs?: string;
  maxBytes?: string;
  maxAge?: string;
  maxMsgSize?: string;
  maxMsgsPerSubject?: string;
  dupeWindow?: string;
  replicas?: string;
  ack?: boolean;
  allowRollup?: boolean;
  denyDelete?: boolean;
  denyPurge?: boolean;
  config?: string;
}

const STORAGE: Record<string, "file" | "memory"> = { file: "file", f: "file", memory: "memory", m: "memory" };
const RETENTION: Record<string, "limits" | "interest" | "workqueue"> = {
  limits: "limits", interest: "interest", work: "workqueue", workq: "workqueue", workqueue: "workqueue",
};

function oneOf<T>(flag: string, value: string, table: Record<string, T>): T {
  const v = table[value];
  if (v === undefined) throw new Error(`enum value must be one of ${Object.keys(table).join(",")}, got '${value}' for --${flag}`);
  return v;
}

/** Subjects flags may be repeated or comma separated, as in the nats CLI. */
function subjectList(flags: string[]): string[] {
  return flags.flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);
}

/** A negative or zero count is unlimited (-1), as the nats CLI sends it. */
function limit(text: string | undefined): number {
  if (text === undefined) return -1;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new Error(`invalid number ${JSON.stringify(text)}`);
  return n <= 0 ? -1 : n;
}

/** Applies the flags given to `base` (for edit) or to the nats CLI's defaults (for add). */
export function streamConfigFromFlags(name: string, f: StreamFlags, base?: StreamConfig): Partial<StreamConfig> {
  if (f.config) {
    const fromFile = JSON.parse(readFileSync(f.config, "utf8")) as Partial<StreamConfig>;
    return { ...fromFile, name };
  }
  const cfg: Partial<StreamConfig> = base ? { ...base } : {
    name,
    subjects: [name],
    retention: "limits" as StreamConfig["retention"],
    max_consumers: -1,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msgs_per_subject: -1,
    max_msg_size: -1,
    storage: "file" as StreamConfig["storage"],
    discard: "old" as StreamConfig["discard"],
    num_replicas: 1,
    duplicate_window: 2 * 60 * 1e9,
    no_ack: false,
    allow_rollup_hdrs: false,
    deny_delete: false,
    deny_purge: false,
    allow_direct: true,
  };
  if (f.subjects && f.subjects.length > 0) cfg.subjects = subjectList(f.subjects);
  if (f.description !== undefined) cfg.description = f.description;
  if (f.storage) cfg.storage = oneOf("storage", f.storage, STORAGE) as StreamConfig["storage"];
  if (f.retention) cfg.retention = oneOf("retention", f.retention, RETENTION) as StreamConfig["retention"];
  if (f.discard) cfg.discard = oneOf("discard", f.discard, { new: "new", old: "old" }) as StreamConfig["discard"];
  if (f.maxMsgs !== undefined) cfg.max_msgs = limit(f.maxMsgs);
  if (f.maxMsgsPerSubject !== undefined) cfg.max_msgs_per_subject = limit(f.maxMsgsPerSubject);
  if (f.maxBytes !== undefined) cfg.max_bytes = parseBytes(f.maxBytes);
  if (f.maxMsgSize !== undefined) cfg.max_msg_size = parseBytes(f.maxMsgSize);
  if (f.maxAge !== undefined) cfg.max_age = f.maxAge.startsWith("-") ? 0 : parseDuration(f.maxAge);
  if (f.dupeWindow !== undefined) cfg.duplicate_window = parseDuration(f.dupeWindow);
  if (f.replicas !== undefined) cfg.num_replicas = Number(f.replicas);
  if (f.ack !== undefined) cfg.no_ack = !f.ack;
  if (f.allowRollup !== undefined) cfg.allow_rollup_hdrs = f.allowRollup;
  if (f.denyDelete !== undefined) cfg.deny_delete = f.denyDelete;
  if (f.denyPurge !== undefined) cfg.deny_purge = f.denyPurge;
  return cfg;
}
