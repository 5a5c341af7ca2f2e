/**
 * StreamConfig: reading it from API JSON (types checked like Go's decoder: a wrong type is "invalid
 * JSON"), filling nats-server's defaults, validating it with nats-server's error texts, the rules of an
 * update, and writing it back in nats-server's field order.
 */
import { isValidSubject, subjectsOverlap } from "../../subjects/validate.js";
import { rfc3339ToNanos } from "../../util/nanos.js";
import { ApiError, jsError, jsErrorText } from "../errors.js";
import { SubjectTransform } from "./transform.js";

export type Retention = "limits" | "interest" | "workqueue";
export type Discard = "old" | "new";
export type Storage = "file" | "memory";

export interface TransformConfig {
  src: string;
  dest: string;
}

export interface RepublishConfig {
  src: string;
  dest: string;
  headers_only?: boolean;
}

export interface ExternalConfig {
  api: string;
  deliver?: string;
}

export interface StreamSourceConfig {
  name: string;
  opt_start_seq?: number;
  opt_start_time?: string;
  filter_subject?: string;
  subject_transforms?: TransformConfig[];
  external?: ExternalConfig;
}

export interface PlacementConfig {
  cluster?: string;
  tags?: string[];
  preferred?: string;
}

export interface ConsumerLimitsConfig {
  inactive_threshold?: number;
  max_ack_pending?: number;
}

export type StreamConfig = {
  name: string;
  description?: string;
  subjects?: string[];
  retention: Retention;
  max_consumers: number;
  max_msgs: number;
  max_bytes: number;
  /** ns */
  max_age: number;
  max_msgs_per_subject: number;
  max_msg_size: number;
  discard: Discard;
  storage: Storage;
  num_replicas: number;
  no_ack?: boolean;
  /** ns */
  duplicate_window?: number;
  placement?: PlacementConfig;
  mirror?: StreamSourceConfig;
  sources?: StreamSourceConfig[];
  compression: "none" | "s2";
  first_seq?: number;
  subject_transform?: TransformConfig;
  republish?: RepublishConfig;
  allow_direct: boolean;
  mirror_direct: boolean;
  discard_new_per_subject?: boolean;
  sealed: boolean;
  deny_delete: boolean;
  deny_purge: boolean;
  allow_rollup_hdrs: boolean;
  consumer_limits: ConsumerLimitsConfig;
  allow_msg_ttl: boolean;
  /** ns */
  subject_delete_marker_ttl?: number;
  metadata?: Record<string, string>;
};

const MS = 1_000_000;
const DEFAULT_DUPLICATE_WINDOW = 120_000 * MS;
const MIN_WINDOW = 100 * MS;
const MAX_NAME_LEN = 255;
const MAX_DESCRIPTION_LEN = 4 * 1024;
const MAX_METADATA_LEN = 128 * 1024;
const MAX_REPLICAS = 5;
const JS_API_SUBJECTS = "$JS.API.>";

// ---- decoding -----------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function bad(): ApiError {
  return jsError("JSInvalidJSONErr");
}

function str(o: Obj, k: string): string | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw bad();
  return v;
}

function int(o: Obj, k: string, min = -Number.MAX_SAFE_INTEGER): number | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw bad();
  return v;
}

function bool(o: Obj, k: string): boolean | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw bad();
  return v;
}

function obj(o: Obj, k: string): Obj | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw bad();
  return v as Obj;
}

function arr(o: Obj, k: string): unknown[] | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw bad();
  return v;
}

function strArr(o: Obj, k: string): string[] | undefined {
  const a = arr(o, k);
  if (a === undefined) return undefined;
  for (const s of a) if (typeof s !== "string") throw bad();
  return a as string[];
}

function oneOf<T extends string>(o: Obj, k: string, allowed: readonly T[], dflt: T): T {
  const v = str(o, k);
  if (v === undefined) return dflt;
  const lower = v.toLowerCase() as T;
  if (!allowed.includes(lower)) throw bad();
  return lower;
}

function transform(o: Obj | undefined): TransformConfig | undefined {
  if (o === undefined) return undefined;
  return { src: str(o, "src") ?? "", dest: str(o, "dest") ?? "" };
}

export function decodeSource(o: Obj): StreamSourceConfig {
  const s: StreamSourceConfig = { name: str(o, "name") ?? "" };
  const seq = int(o, "opt_start_seq", 0);
  if (seq) s.opt_start_seq = seq;
  const t = str(o, "opt_start_time");
  if (t !== undefined && t !== "0001-01-01T00:00:00Z") {
    try {
      rfc3339ToNanos(t);
    } catch {
      throw bad();
    }
    s.opt_start_time = t;
  }
  const f = str(o, "filter_subject");
  if (f) s.filter_subject = f;
  const tr = arr(o, "subject_transforms");
  if (tr !== undefined && tr.length > 0) {
    s.subject_transforms = tr.map((x) => {
      if (typeof x !== "object" || x === null || Array.isArray(x)) throw bad();
      return transform(x as Obj)!;
    });
  }
  const ext = obj(o, "external");
  if (ext !== undefined) {
    const e: ExternalConfig = { api: str(ext, "api") ?? "" };
    const d = str(ext, "deliver");
    if (d) e.deliver = d;
    s.external = e;
  }
  return s;
}

/** A StreamConfig as sent in a create or update request, nothing filled in yet. */
export function decodeStreamConfig(raw: Obj): StreamConfig {
  const cfg: StreamConfig = {
    name: str(raw, "name") ?? "",
    retention: oneOf(raw, "retention", ["limits", "interest", "workqueue"] as const, "limits"),
    max_consumers: int(raw, "max_consumers") ?? 0,
    max_msgs: int(raw, "max_msgs") ?? 0,
    max_bytes: int(raw, "max_bytes") ?? 0,
    max_age: int(raw, "max_age") ?? 0,
    max_msgs_per_subject: int(raw, "max_msgs_per_subject") ?? 0,
    max_msg_size: int(raw, "max_msg_size") ?? 0,
    discard: oneOf(raw, "discard", ["old", "new"] as const, "old"),
    storage: oneOf(raw, "storage", ["file", "memory"] as const, "file"),
    num_replicas: int(raw, "num_replicas") ?? 0,
    compression: oneOf(raw, "compression", ["none", "s2", ""] as const, "none") || "none",
    allow_direct: bool(raw, "allow_direct") ?? false,
    mirror_direct: bool(raw, "mirror_direct") ?? false,
    sealed: bool(raw, "sealed") ?? false,
    deny_delete: bool(raw, "deny_delete") ?? false,
    deny_purge: bool(raw, "deny_purge") ?? false,
    allow_rollup_hdrs: bool(raw, "allow_rollup_hdrs") ?? false,
    consumer_limits: {},
    allow_msg_ttl: bool(raw, "allow_msg_ttl") ?? false,
  };
  if ((cfg.max_msg_size as number) > 2 ** 31 - 1) throw bad();
  const desc = str(raw, "description");
  if (desc) cfg.description = desc;
  const subjects = strArr(raw, "subjects");
  if (subjects !== undefined && subjects.length > 0) cfg.subjects = subjects;
  if (bool(raw, "no_ack")) cfg.no_ack = true;
  const dup = int(raw, "duplicate_window");
  if (dup) cfg.duplicate_window = dup;
  const pl = obj(raw, "placement");
  if (pl !== undefined) {
    const p: PlacementConfig = {};
    const c = str(pl, "cluster");
    if (c) p.cluster = c;
    const tags = strArr(pl, "tags");
    if (tags !== undefined && tags.length > 0) p.tags = tags;
    const pref = str(pl, "preferred");
    if (pref) p.preferred = pref;
    if (p.cluster !== undefined || p.tags !== undefined || p.preferred !== undefined) cfg.placement = p;
  }
  const mirror = obj(raw, "mirror");
  if (mirror !== undefined) cfg.mirror = decodeSource(mirror);
  const sources = arr(raw, "sources");
  if (sources !== undefined && sources.length > 0) {
    cfg.sources = sources.map((s) => {
      if (typeof s !== "object" || s === null || Array.isArray(s)) throw bad();
      return decodeSource(s as Obj);
    });
  }
  const first = int(raw, "first_seq", 0);
  if (first) cfg.first_seq = first;
  const st = transform(obj(raw, "subject_transform"));
  if (st !== undefined && (st.src !== "" || st.dest !== "")) cfg.subject_transform = st;
  const rp = obj(raw, "republish");
  if (rp !== undefined) {
    const r: RepublishConfig = { src: str(rp, "src") ?? "", dest: str(rp, "dest") ?? "" };
    if (bool(rp, "headers_only")) r.headers_only = true;
    cfg.republish = r;
  }
  if (bool(raw, "discard_new_per_subject")) cfg.discard_new_per_subject = true;
  const cl = obj(raw, "consumer_limits");
  if (cl !== undefined) {
    const it = int(cl, "inactive_threshold");
    if (it) cfg.consumer_limits.inactive_threshold = it;
    const map = int(cl, "max_ack_pending");
    if (map) cfg.consumer_limits.max_ack_pending = map;
  }
  const marker = int(raw, "subject_delete_marker_ttl");
  if (marker) cfg.subject_delete_marker_ttl = marker;
  const md = obj(raw, "metadata");
  if (md !== undefined) {
    for (const v of Object.values(md)) if (typeof v !== "string") throw bad();
    if (Object.keys(md).length > 0) cfg.metadata = md as Record<string, string>;
  }
  return cfg;
}

// ---- defaults and validation -----------------------------------------------------------------------

function invalid(text: string): ApiError {
  return jsErrorText("JSStreamInvalidConfigF", text);
}

/** Go's %q for the ASCII subjects that reach it. */
function q(s: string): string {
  return JSON.stringify(s);
}

/**
 * Fills nats-server's defaults into `cfg` and validates it on its own (not against other streams).
 * Throws ApiError with nats-server's code and description.
 */
export function normalizeStreamConfig(cfg: StreamConfig): StreamConfig {
  if (cfg.name === "" || /[.*>]/.test(cfg.name)) throw invalid("stream name is required and can not contain '.', '*', '>'");
  if (cfg.name.length > MAX_NAME_LEN) throw invalid(`stream name is too long, maximum allowed is ${MAX_NAME_LEN}`);
  if (/[\\/]/.test(cfg.name)) throw jsError("JSStreamNameContainsPathSeparatorsErr");
  if (cfg.description !== undefined && Buffer.byteLength(cfg.description) > MAX_DESCRIPTION_LEN) {
    throw invalid(`stream description is too long, maximum allowed is ${MAX_DESCRIPTION_LEN}`);
  }
  if (cfg.metadata !== undefined) {
    let size = 0;
    for (const [k, v] of Object.entries(cfg.metadata)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
    if (size > MAX_METADATA_LEN) throw invalid("stream metadata exceeds maximum size of 128 KB");
  }
  if (cfg.num_replicas < 0) throw jsError("JSReplicasCountCannotBeNegative");
  if (cfg.num_replicas === 0) cfg.num_replicas = 1;
  if (cfg.num_replicas > MAX_REPLICAS) throw invalid(`maximum replicas is ${MAX_REPLICAS}`);
  if (cfg.max_msgs === 0) cfg.max_msgs = -1;
  if (cfg.max_msgs_per_subject === 0) cfg.max_msgs_per_subject = -1;
  if (cfg.max_bytes === 0) cfg.max_bytes = -1;
  if (cfg.max_msg_size === 0) cfg.max_msg_size = -1;
  if (cfg.max_consumers === 0) cfg.max_consumers = -1;
  if (cfg.max_age > 0 && cfg.max_age < MIN_WINDOW) throw invalid("max age needs to be >= 100ms");
  if (cfg.duplicate_window === undefined && cfg.mirror === undefined) {
    cfg.duplicate_window = cfg.max_age !== 0 && cfg.max_age < DEFAULT_DUPLICATE_WINDOW ? cfg.max_age : DEFAULT_DUPLICATE_WINDOW;
  }
  const dup = cfg.duplicate_window ?? 0;
  if (dup < 0) throw invalid("duplicates window can not be negative");
  if (dup > 0 && dup < MIN_WINDOW) throw invalid("duplicates window needs to be >= 100ms");
  if (dup !== 0 && cfg.max_age !== 0 && dup > cfg.max_age) throw invalid("duplicates window can not be larger then max age");
  if (cfg.discard_new_per_subject) {
    if (cfg.discard !== "new") throw invalid("discard new per subject requires discard new policy to be set");
    if (cfg.max_msgs_per_subject <= 0) throw invalid("discard new per subject requires max msgs per subject > 0");
  }
  if (cfg.mirror_direct && cfg.mirror === undefined) throw invalid("stream has no mirror but does have mirror direct");
  if (cfg.deny_purge && cfg.allow_rollup_hdrs) throw invalid("roll-ups require the purge permission");
  if (cfg.subject_delete_marker_ttl !== undefined) {
    // nats-server 2.14.5 without pedantic: markers turn on message TTLs and roll-ups (and so allow purge).
    if (cfg.subject_delete_marker_ttl < 0) throw invalid("subject delete marker TTL must not be negative");
    if (cfg.subject_delete_marker_ttl < 1000 * MS) throw invalid("subject delete marker TTL must be at least 1 second");
    if (cfg.mirror !== undefined) throw invalid("subject delete markers forbidden on mirrors");
    cfg.allow_msg_ttl = true;
    cfg.allow_rollup_hdrs = true;
    cfg.deny_purge = false;
  }
  if (cfg.consumer_limits.inactive_threshold !== undefined && cfg.consumer_limits.inactive_threshold < 0) {
    throw invalid("default consumer inactive threshold must be >= 0");
  }
  if (cfg.consumer_limits.max_ack_pending !== undefined && cfg.consumer_limits.max_ack_pending < -1) {
    throw invalid("default consumer max ack pending must be >= -1");
  }
  checkSubjects(cfg);
  checkMirrorAndSources(cfg);
  checkTransforms(cfg);
  return cfg;
}

/**
 * JetStream here is standalone: creating a stream, restoring one or creating a consumer with more than
 * one replica is refused, as nats-server does in single-server mode. An update to more replicas is
 * accepted and stored (nats-server 2.9.10 through 2.14.5 do so too), so this is no part of the config
 * rules every path applies.
 */
export function refuseReplicasWhenStandalone(replicas: number): void {
  if (replicas > 1) throw jsError("JSStreamReplicasNotSupportedErr");
}

function checkSubjects(cfg: StreamConfig): void {
  if (cfg.mirror !== undefined) {
    if (cfg.subjects !== undefined) throw jsError("JSMirrorWithSubjectsErr");
    return;
  }
  if (cfg.subjects === undefined && cfg.sources === undefined) cfg.subjects = [cfg.name];
  const subjects = cfg.subjects ?? [];
  const seen = new Set<string>();
  for (const s of subjects) {
    if (!isValidSubject(s)) throw invalid("invalid subject");
    if (seen.has(s)) throw invalid("duplicate subjects detected");
    seen.add(s);
  }
  for (let i = 0; i < subjects.length; i++) {
    for (let j = i + 1; j < subjects.length; j++) {
      if (subjectsOverlap(subjects[i]!, subjects[j]!)) throw invalid(`subject ${q(subjects[i]!)} overlaps with ${q(subjects[j]!)}`);
    }
  }
  for (const s of subjects) if (subjectsOverlap(s, JS_API_SUBJECTS)) throw invalid("subjects overlap with jetstream api");
}

function checkSourceTransforms(s: StreamSourceConfig, mirror: boolean): void {
  const tr = s.subject_transforms;
  if (tr === undefined) {
    if (s.filter_subject !== undefined && !isValidSubject(s.filter_subject)) {
      throw mirror ? jsErrorText("JSMirrorInvalidSubjectFilter", "invalid subject") : jsErrorText("JSSourceInvalidSubjectFilter", "invalid subject");
    }
    return;
  }
  if (s.filter_subject !== undefined) throw jsError(mirror ? "JSMirrorMultipleFiltersNotAllowed" : "JSSourceMultipleFiltersNotAllowed");
  for (const t of tr) {
    const r = t.dest === "" ? (isValidSubject(t.src || ">") ? undefined : "source") : SubjectTransform.parse(t.src, t.dest);
    if (r === "source") throw jsErrorText(mirror ? "JSMirrorInvalidSubjectFilter" : "JSSourceInvalidSubjectFilter", "invalid subject");
    if (r === "destination") throw jsErrorText(mirror ? "JSMirrorInvalidTransformDestination" : "JSSourceInvalidTransformDestination", "invalid transform destination");
  }
  for (let i = 0; i < tr.length; i++) {
    for (let j = i + 1; j < tr.length; j++) {
      if (subjectsOverlap(tr[i]!.src || ">", tr[j]!.src || ">")) throw jsError(mirror ? "JSMirrorOverlappingSubjectFilters" : "JSSourceOverlappingSubjectFilters");
    }
  }
}

function checkMirrorAndSources(cfg: StreamConfig): void {
  const m = cfg.mirror;
  if (m !== undefined) {
    if (cfg.sources !== undefined) throw jsError("JSMirrorWithSourcesErr");
    if (cfg.first_seq !== undefined) throw jsError("JSMirrorWithFirstSeqErr");
    if (m.name === "" || /[.*> \\/]/.test(m.name)) throw jsError("JSMirrorInvalidStreamName");
    if (m.name === cfg.name && m.external === undefined) throw invalid("detected cycle");
    checkSourceTransforms(m, true);
  }
  const seen = new Set<string>();
  for (const s of cfg.sources ?? []) {
    if (s.name === "" || /[.*> \\/]/.test(s.name)) throw jsError("JSSourceInvalidStreamName");
    if (s.name === cfg.name && s.external === undefined) throw invalid("detected cycle");
    checkSourceTransforms(s, false);
    const key = JSON.stringify([s.name, s.filter_subject ?? "", s.subject_transforms ?? [], s.external?.api ?? ""]);
    if (seen.has(key)) throw jsError("JSSourceDuplicateDetected");
    seen.add(key);
  }
}

function checkTransforms(cfg: StreamConfig): void {
  const st = cfg.subject_transform;
  if (st !== undefined) {
    const r = SubjectTransform.parse(st.src, st.dest);
    if (r === "source") throw jsErrorText("JSStreamTransformInvalidSource", "invalid subject");
    if (r === "destination") throw jsErrorText("JSStreamTransformInvalidDestination", "invalid transform destination");
  }
  const rp = cfg.republish;
  if (rp !== undefined) {
    const src = rp.src || ">";
    if (!isValidSubject(src) || !isValidSubject(rp.dest)) throw invalid("stream configuration for republish not valid");
    // Since 2.10 nats-server does not check the source against the stream's subjects (2.9 refused a
    // source that did not collide with one); what it does not select is simply not republished.
    for (const s of cfg.subjects ?? []) if (subjectsOverlap(rp.dest, s)) throw invalid("stream configuration for republish destination forms a cycle");
    if (typeof SubjectTransform.parse(src, rp.dest) === "string") {
      throw invalid(`stream configuration for republish with transform from '${src}' to '${rp.dest}' not valid`);
    }
  }
}

/** Checks that `next` may replace `prev` (both normalized); fills what an update keeps from `prev`. */
export function checkStreamUpdate(prev: StreamConfig, next: StreamConfig): void {
  if (next.storage !== prev.storage) throw invalid("stream configuration update can not change storage type");
  if (next.retention !== prev.retention && (next.retention === "workqueue" || prev.retention === "workqueue")) {
    throw invalid("stream configuration update can not change retention policy to/from workqueue");
  }
  if (JSON.stringify(prev.mirror) !== JSON.stringify(next.mirror)) throw jsError("JSStreamMirrorNotUpdatableErr");
  if (prev.sealed && !next.sealed) throw invalid("stream configuration update can not unseal a sealed stream");
  if (prev.deny_delete && !next.deny_delete) throw invalid("stream configuration update can not cancel deny message deletes");
  if (prev.deny_purge && !next.deny_purge) throw invalid("stream configuration update can not cancel deny purge");
  if (prev.allow_msg_ttl && !next.allow_msg_ttl) throw invalid("message TTL status can not be disabled");
  if ((next.first_seq ?? 0) !== (prev.first_seq ?? 0)) throw invalid("stream configuration update can not change first sequence");
  if (next.sealed) {
    // Sealing freezes the stream: nothing ages out, nothing gets in, nothing is removed.
    next.max_age = 0;
    next.discard = "new";
    next.deny_delete = true;
    next.deny_purge = true;
  }
}

/** The config in nats-server's field order (the order its JSON responses use). */
export function streamConfigJson(c: StreamConfig): Record<string, unknown> {
  const o: Record<string, unknown> = { name: c.name };
  if (c.description !== undefined) o.description = c.description;
  if (c.subjects !== undefined) o.subjects = c.subjects;
  o.retention = c.retention;
  o.max_consumers = c.max_consumers;
  o.max_msgs = c.max_msgs;
  o.max_bytes = c.max_bytes;
  o.max_age = c.max_age;
  o.max_msgs_per_subject = c.max_msgs_per_subject;
  o.max_msg_size = c.max_msg_size;
  o.discard = c.discard;
  o.storage = c.storage;
  o.num_replicas = c.num_replicas;
  if (c.no_ack) o.no_ack = true;
  if (c.duplicate_window) o.duplicate_window = c.duplicate_window;
  if (c.placement !== undefined) o.placement = c.placement;
  if (c.mirror !== undefined) o.mirror = sourceJson(c.mirror);
  if (c.sources !== undefined) o.sources = c.sources.map(sourceJson);
  o.compression = c.compression;
  if (c.first_seq) o.first_seq = c.first_seq;
  if (c.subject_transform !== undefined) o.subject_transform = c.subject_transform;
  if (c.republish !== undefined) o.republish = c.republish;
  o.allow_direct = c.allow_direct;
  o.mirror_direct = c.mirror_direct;
  if (c.discard_new_per_subject) o.discard_new_per_subject = true;
  o.sealed = c.sealed;
  o.deny_delete = c.deny_delete;
  o.deny_purge = c.deny_purge;
  o.allow_rollup_hdrs = c.allow_rollup_hdrs;
  o.consumer_limits = c.consumer_limits;
  o.allow_msg_ttl = c.allow_msg_ttl;
  if (c.subject_delete_marker_ttl) o.subject_delete_marker_ttl = c.subject_delete_marker_ttl;
  if (c.metadata !== undefined) o.metadata = c.metadata;
  return o;
}

export function sourceJson(s: StreamSourceConfig): Record<string, unknown> {
  const o: Record<string, unknown> = { name: s.name };
  if (s.opt_start_seq) o.opt_start_seq = s.opt_start_seq;
  if (s.opt_start_time !== undefined) o.opt_start_time = s.opt_start_time;
  if (s.filter_subject !== undefined) o.filter_subject = s.filter_subject;
  if (s.subject_transforms !== undefined) o.subject_transforms = s.subject_transforms;
  if (s.external !== undefined) o.external = s.external;
  return o;
}

/** Same config, as nats-server decides whether a repeated CREATE is idempotent. */
export function sameStreamConfig(a: StreamConfig, b: StreamConfig): boolean {
  return JSON.stringify(streamConfigJson(a)) === JSON.stringify(streamConfigJson(b));
}
