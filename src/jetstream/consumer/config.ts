/**
 * ConsumerConfig as the $JS.API exchanges it (snake_case JSON, durations in ns, times RFC 3339), and
 * the rules nats-server applies to it: decoding with Go's type strictness, the defaults it fills in,
 * the checks with their exact error codes, and which fields an update may change.
 */
import { jsError, jsErrorText, type ApiError } from "../errors.js";
import { isValidSubject, hasWildcard, subjectIsSubsetOf, subjectsOverlap } from "../../subjects/validate.js";
import { rfc3339ToNanos } from "../../util/nanos.js";

export type DeliverPolicy = "all" | "last" | "new" | "by_start_sequence" | "by_start_time" | "last_per_subject";
export type AckPolicy = "none" | "all" | "explicit";
export type ReplayPolicy = "instant" | "original";
export type PriorityPolicy = "none" | "overflow" | "pinned_client" | "prioritized";

/** Field order follows nats-server's struct, so info JSON reads the same. Absent = Go's omitted zero. */
export type ConsumerConfig = {
  durable_name?: string;
  name?: string;
  description?: string;
  deliver_policy: DeliverPolicy;
  opt_start_seq?: number;
  opt_start_time?: string;
  ack_policy: AckPolicy;
  ack_wait?: number;
  max_deliver?: number;
  backoff?: number[];
  filter_subject?: string;
  filter_subjects?: string[];
  replay_policy: ReplayPolicy;
  rate_limit_bps?: number;
  sample_freq?: string;
  max_waiting?: number;
  max_ack_pending?: number;
  flow_control?: boolean;
  headers_only?: boolean;
  max_batch?: number;
  max_expires?: number;
  max_bytes?: number;
  deliver_subject?: string;
  deliver_group?: string;
  idle_heartbeat?: number;
  inactive_threshold?: number;
  num_replicas: number;
  mem_storage?: boolean;
  direct?: boolean;
  metadata?: Record<string, string>;
  pause_until?: string;
  priority_groups?: string[];
  priority_policy?: PriorityPolicy;
  priority_timeout?: number;
};

const NS_PER_MS = 1_000_000;
export const DEFAULT_ACK_WAIT = 30_000 * NS_PER_MS;
export const DEFAULT_MAX_ACK_PENDING = 1000;
export const DEFAULT_MAX_WAITING = 512;
export const DEFAULT_INACTIVE_THRESHOLD = 5_000 * NS_PER_MS;
export const DEFAULT_PINNED_TTL = 120_000 * NS_PER_MS;
const MAX_DESCRIPTION = 4096;
const MAX_NAME = 255;
const MAX_METADATA = 128 * 1024;
const GROUP_NAME = /^[a-zA-Z0-9/_=-]{1,16}$/;

/** Limits from the server, the account and the stream's consumer_limits that cap a consumer. */
export interface ConsumerLimits {
  /** Server `jetstream.limits.max_ack_pending`; 0 = none. */
  serverMaxAckPending: number;
  serverMaxRequestBatch: number;
  accountMaxAckPending: number;
  /** The stream's `consumer_limits`. */
  streamMaxAckPending: number;
  streamInactiveThreshold: number;
}

export const NO_CONSUMER_LIMITS: ConsumerLimits = {
  serverMaxAckPending: 0,
  serverMaxRequestBatch: 0,
  accountMaxAckPending: 0,
  streamMaxAckPending: 0,
  streamInactiveThreshold: 0,
};

/** What a consumer needs to know about its stream's config to check its own. */
export interface StreamFacts {
  subjects: readonly string[];
  retention: "limits" | "interest" | "workqueue";
  replicas: number;
}

// ---- decoding ----------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

/** A JSON value of the wrong type: nats-server fails the whole unmarshal with 10025. */
function badJson(field: string, v: unknown): ApiError {
  return jsErrorText("JSInvalidJSONErr", `json: cannot unmarshal ${JSON.stringify(v)} into Go struct field ConsumerConfig.config.${field}`);
}

function str(o: Obj, k: string): string | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw badJson(k, v);
  return v === "" ? undefined : v;
}

function int(o: Obj, k: string): number | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v)) throw badJson(k, v);
  return v === 0 ? undefined : v;
}

function bool(o: Obj, k: string): boolean | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") throw badJson(k, v);
  return v ? true : undefined;
}

function strList(o: Obj, k: string): string[] | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) throw badJson(k, v);
  return v.length === 0 ? undefined : (v as string[]);
}

function intList(o: Obj, k: string): number[] | undefined {
  const v = o[k];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "number" || !Number.isInteger(x))) throw badJson(k, v);
  return v.length === 0 ? undefined : (v as number[]);
}

function enumOf<T extends string>(o: Obj, k: string, values: readonly T[], dflt: T): T {
  const v = o[k];
  if (v === undefined || v === null) return dflt;
  if (typeof v !== "string" || !(values as readonly string[]).includes(v)) {
    throw jsErrorText("JSInvalidJSONErr", `can not unmarshal ${JSON.stringify(JSON.stringify(v))}`);
  }
  return v as T;
}

function time(o: Obj, k: string): string | undefined {
  const v = str(o, k);
  if (v === undefined) return undefined;
  try {
    rfc3339ToNanos(v);
  } catch {
    throw badJson(k, v);
  }
  return v;
}

function metadata(o: Obj): Record<string, string> | undefined {
  const v = o.metadata;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v) || Object.values(v).some((x) => typeof x !== "string")) throw badJson("metadata", v);
  return Object.keys(v).length === 0 ? undefined : (v as Record<string, string>);
}

const DELIVER: readonly DeliverPolicy[] = ["all", "last", "new", "by_start_sequence", "by_start_time", "last_per_subject"];
const ACK: readonly AckPolicy[] = ["none", "all", "explicit"];
const REPLAY: readonly ReplayPolicy[] = ["instant", "original"];
const PRIORITY: readonly PriorityPolicy[] = ["none", "overflow", "pinned_client", "prioritized"];

/** The `config` member of a create request, with Go's type checks; undefined members stay absent. */
export function decodeConsumerConfig(raw: unknown): ConsumerConfig {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw jsError("JSInvalidJSONErr");
  const o = raw as Obj;
  const cfg: ConsumerConfig = {
    durable_name: str(o, "durable_name"),
    name: str(o, "name"),
    description: str(o, "description"),
    deliver_policy: enumOf(o, "deliver_policy", DELIVER, "all"),
    opt_start_seq: int(o, "opt_start_seq"),
    opt_start_time: time(o, "opt_start_time"),
    ack_policy: enumOf(o, "ack_policy", ACK, "none"),
    ack_wait: int(o, "ack_wait"),
    max_deliver: int(o, "max_deliver"),
    backoff: intList(o, "backoff"),
    filter_subject: str(o, "filter_subject"),
    filter_subjects: strList(o, "filter_subjects"),
    replay_policy: enumOf(o, "replay_policy", REPLAY, "instant"),
    rate_limit_bps: int(o, "rate_limit_bps"),
    sample_freq: str(o, "sample_freq"),
    max_waiting: int(o, "max_waiting"),
    max_ack_pending: int(o, "max_ack_pending"),
    flow_control: bool(o, "flow_control"),
    headers_only: bool(o, "headers_only"),
    max_batch: int(o, "max_batch"),
    max_expires: int(o, "max_expires"),
    max_bytes: int(o, "max_bytes"),
    deliver_subject: str(o, "deliver_subject"),
    deliver_group: str(o, "deliver_group"),
    idle_heartbeat: int(o, "idle_heartbeat"),
    inactive_threshold: int(o, "inactive_threshold"),
    num_replicas: int(o, "num_replicas") ?? 0,
    mem_storage: bool(o, "mem_storage"),
    direct: bool(o, "direct"),
    metadata: metadata(o),
    pause_until: time(o, "pause_until"),
    priority_groups: strList(o, "priority_groups"),
    priority_policy: enumOf(o, "priority_policy", PRIORITY, "none"),
    priority_timeout: int(o, "priority_timeout"),
  };
  if (cfg.priority_policy === "none") delete cfg.priority_policy;
  if (o.filter_subjects !== undefined && Array.isArray(o.filter_subjects) && o.filter_subjects.length > 0) {
    // An empty string in filter_subjects is an error of its own (10139), not an absent filter.
    cfg.filter_subjects = o.filter_subjects as string[];
  }
  return prune(cfg);
}

/** nats-server's field order, so that reported configs read like its own. */
const FIELD_ORDER: readonly (keyof ConsumerConfig)[] = [
  "durable_name", "name", "description", "deliver_policy", "opt_start_seq", "opt_start_time", "ack_policy", "ack_wait",
  "max_deliver", "backoff", "filter_subject", "filter_subjects", "replay_policy", "rate_limit_bps", "sample_freq",
  "max_waiting", "max_ack_pending", "flow_control", "headers_only", "max_batch", "max_expires", "max_bytes",
  "deliver_subject", "deliver_group", "idle_heartbeat", "inactive_threshold", "num_replicas", "mem_storage", "direct",
  "metadata", "pause_until", "priority_groups", "priority_policy", "priority_timeout",
];

/** Drops undefined members and puts the rest in nats-server's order. */
export function prune(cfg: ConsumerConfig): ConsumerConfig {
  const out = {} as Record<string, unknown>;
  for (const k of FIELD_ORDER) if (cfg[k] !== undefined) out[k] = cfg[k];
  return out as ConsumerConfig;
}

// ---- defaults and checks -----------------------------------------------------------------------

export function isPush(cfg: ConsumerConfig): boolean {
  return cfg.deliver_subject !== undefined;
}

export function isDurable(cfg: ConsumerConfig): boolean {
  return cfg.durable_name !== undefined;
}

/** filter_subject and filter_subjects as one list (empty = everything). */
export function filtersOf(cfg: ConsumerConfig): string[] {
  if (cfg.filter_subject !== undefined) return [cfg.filter_subject];
  return cfg.filter_subjects ?? [];
}

/** Names may not contain `.`, `*`, `>`, path separators or whitespace (nats-server's isValidName). */
export function isValidConsumerName(name: string): boolean {
  return name !== "" && !/[.*>/\\\s\x00]/.test(name);
}

/** Fills in nats-server's defaults (setConsumerConfigDefaults); `pedantic` refuses instead of fixing. */
export function applyDefaults(cfg: ConsumerConfig, lim: ConsumerLimits, pedantic: boolean): ConsumerConfig {
  const c = { ...cfg };
  const fix = (cond: boolean, what: string, apply: () => void): void => {
    if (!cond) return;
    if (pedantic) throw jsErrorText("JSPedanticErrF", what);
    apply();
  };
  if (c.max_deliver === undefined || c.max_deliver < -1) {
    if (pedantic && c.max_deliver !== undefined) throw jsErrorText("JSPedanticErrF", "max_deliver must be set to -1");
    c.max_deliver = -1;
  }
  fix((c.max_waiting ?? 0) < 0, "max_waiting must not be negative", () => delete c.max_waiting);
  fix((c.max_ack_pending ?? 0) < -1, "max_ack_pending must be set to -1", () => (c.max_ack_pending = -1));
  fix((c.max_batch ?? 0) < 0, "max_batch must not be negative", () => delete c.max_batch);
  fix((c.max_expires ?? 0) < 0, "max_expires must not be negative", () => delete c.max_expires);
  fix((c.max_bytes ?? 0) < 0, "max_bytes must not be negative", () => delete c.max_bytes);
  fix((c.idle_heartbeat ?? 0) < 0, "idle_heartbeat must not be negative", () => delete c.idle_heartbeat);
  fix((c.inactive_threshold ?? 0) < 0, "inactive_threshold must not be negative", () => delete c.inactive_threshold);
  fix((c.priority_timeout ?? 0) < 0, "priority_timeout must not be negative", () => delete c.priority_timeout);
  if (!isPush(c) && c.max_waiting === undefined) c.max_waiting = DEFAULT_MAX_WAITING;
  if (c.ack_wait === undefined && c.ack_policy !== "none") c.ack_wait = DEFAULT_ACK_WAIT;
  if (c.backoff !== undefined) {
    if (pedantic && c.ack_wait !== c.backoff[0]) throw jsErrorText("JSPedanticErrF", "first backoff value has to equal batch AckWait");
    c.ack_wait = c.backoff[0];
  }
  if (c.max_ack_pending === undefined && lim.streamMaxAckPending > 0) {
    if (pedantic) throw jsErrorText("JSPedanticErrF", "max_ack_pending must be set if it's configured in stream limits");
    c.max_ack_pending = lim.streamMaxAckPending;
  }
  if (c.inactive_threshold === undefined && lim.streamInactiveThreshold > 0) {
    if (pedantic) throw jsErrorText("JSPedanticErrF", "inactive_threshold must be set if it's configured in stream limits");
    c.inactive_threshold = lim.streamInactiveThreshold;
  }
  if (c.max_ack_pending === undefined && c.ack_policy !== "none") {
    let n = DEFAULT_MAX_ACK_PENDING;
    if (lim.serverMaxAckPending > 0 && lim.serverMaxAckPending < n) n = lim.serverMaxAckPending;
    if (lim.accountMaxAckPending > 0 && lim.accountMaxAckPending < n) n = lim.accountMaxAckPending;
    c.max_ack_pending = n;
  }
  if (!isPush(c) && c.max_batch === undefined && lim.serverMaxRequestBatch > 0) {
    if (pedantic) throw jsErrorText("JSPedanticErrF", "max_request_batch must be set if it's JetStream limits are set");
    c.max_batch = lim.serverMaxRequestBatch;
  }
  if (c.priority_policy === "pinned_client" && c.priority_timeout === undefined) c.priority_timeout = DEFAULT_PINNED_TTL;
  // Ephemerals always get an inactivity threshold (nats-server stamps the default, without its jitter).
  if (!isDurable(c) && c.inactive_threshold === undefined) c.inactive_threshold = DEFAULT_INACTIVE_THRESHOLD;
  return prune(c);
}

/** nats-server's checkConsumerCfg plus the filter-subset check of 2.10/2.11; throws the ApiError. */
export function checkConfig(c: ConsumerConfig, stream: StreamFacts, lim: ConsumerLimits): void {
  if (c.name !== undefined && !isValidConsumerName(c.name)) {
    throw jsErrorText("JSStreamInvalidConfigF", "consumer name can not contain '.', '*', '>', '\\', '/'");
  }
  if (c.durable_name !== undefined && !isValidConsumerName(c.durable_name)) {
    throw jsErrorText("JSStreamInvalidConfigF", "consumer durable name can not contain '.', '*', '>', '\\', '/'");
  }
  if (c.num_replicas > 0 && c.num_replicas > stream.replicas) throw jsError("JSConsumerReplicasExceedsStream");
  if (c.num_replicas < 0) throw jsError("JSReplicasCountCannotBeNegative");
  if (stream.retention !== "limits" && c.num_replicas !== 0 && c.num_replicas !== stream.replicas) {
    throw jsError("JSConsumerReplicasShouldMatchStream");
  }
  for (const b of c.backoff ?? []) if (b < 0) throw jsError("JSConsumerBackOffNegativeErr");
  if ((c.ack_wait ?? 0) < 0) throw jsError("JSConsumerAckWaitNegativeErr");
  const lbo = c.backoff?.length ?? 0;
  if (lbo > 0 && c.max_deliver !== -1 && lbo > (c.max_deliver ?? 0)) throw jsError("JSConsumerMaxDeliverBackoffErr");
  if ((c.description?.length ?? 0) > MAX_DESCRIPTION) throw jsError("JSConsumerDescriptionTooLongErrF", { max: MAX_DESCRIPTION });

  if (isPush(c)) {
    const d = c.deliver_subject!;
    if (hasWildcard(d)) throw jsError("JSConsumerDeliverToWildcardsErr");
    if (!isValidSubject(d)) throw jsError("JSConsumerInvalidDeliverSubject");
    if (stream.subjects.some((s) => subjectIsSubsetOf(d, s))) throw jsError("JSConsumerDeliverCycleErr");
    if (c.max_waiting !== undefined) throw jsError("JSConsumerPushMaxWaitingErr");
    if ((c.max_ack_pending ?? 0) > 0 && c.ack_policy === "none") throw jsError("JSConsumerMaxPendingAckPolicyRequiredErr");
    if ((c.idle_heartbeat ?? 0) > 0 && c.idle_heartbeat! < 100 * NS_PER_MS) throw jsError("JSConsumerSmallHeartbeatErr");
  } else {
    if (c.ack_policy === "none" && stream.retention === "workqueue") throw jsError("JSConsumerPullRequiresAckErr");
    if ((c.rate_limit_bps ?? 0) > 0) throw jsError("JSConsumerPullWithRateLimitErr");
    if ((c.max_waiting ?? 0) < 0) throw jsError("JSConsumerMaxWaitingNegativeErr");
    if ((c.idle_heartbeat ?? 0) > 0) throw jsError("JSConsumerHBRequiresPushErr");
    if (c.flow_control) throw jsError("JSConsumerFCRequiresPushErr");
    if ((c.max_batch ?? 0) < 0) throw jsError("JSConsumerMaxRequestBatchNegativeErr");
    if (c.max_expires !== undefined && c.max_expires < NS_PER_MS) throw jsError("JSConsumerMaxRequestExpiresTooSmall");
    if (lim.serverMaxRequestBatch > 0 && (c.max_batch ?? 0) > lim.serverMaxRequestBatch) {
      throw jsError("JSConsumerMaxRequestBatchExceededF", { limit: lim.serverMaxRequestBatch });
    }
  }
  const map = c.max_ack_pending ?? 0;
  if (lim.serverMaxAckPending > 0 && map > lim.serverMaxAckPending) throw jsError("JSConsumerMaxPendingAckExcessErrF", { limit: lim.serverMaxAckPending });
  if (lim.accountMaxAckPending > 0 && map > lim.accountMaxAckPending) throw jsError("JSConsumerMaxPendingAckExcessErrF", { limit: lim.accountMaxAckPending });
  if (lim.streamMaxAckPending > 0 && map > lim.streamMaxAckPending) throw jsError("JSConsumerMaxPendingAckExcessErrF", { limit: lim.streamMaxAckPending });
  if (lim.streamInactiveThreshold > 0 && (c.inactive_threshold ?? 0) > lim.streamInactiveThreshold) {
    throw jsError("JSConsumerInactiveThresholdExcess", { limit: formatNs(lim.streamInactiveThreshold) });
  }
  if (c.direct) {
    if (!isPush(c)) throw jsError("JSConsumerDirectRequiresPushErr");
    if (isDurable(c)) throw jsError("JSConsumerDirectRequiresEphemeralErr");
  }
  if (c.filter_subject !== undefined && c.filter_subjects !== undefined) throw jsError("JSConsumerDuplicateFilterSubjects");
  if (c.filter_subject !== undefined && !isValidSubject(c.filter_subject)) throw jsErrorText("JSStreamInvalidConfigF", "invalid subject");
  for (const f of c.filter_subjects ?? []) if (f === "") throw jsError("JSConsumerEmptyFilter");
  const filters = filtersOf(c);
  for (let i = 0; i < filters.length; i++) {
    if (!isValidSubject(filters[i]!)) throw jsErrorText("JSStreamInvalidConfigF", "invalid subject");
    for (let j = 0; j < filters.length; j++) {
      if (i !== j && subjectIsSubsetOf(filters[i]!, filters[j]!)) throw jsError("JSConsumerOverlappingSubjectFilters");
    }
  }
  checkStart(c);
  if (c.sample_freq !== undefined) {
    const s = c.sample_freq.endsWith("%") ? c.sample_freq.slice(0, -1) : c.sample_freq;
    if (!/^[+-]?\d+$/.test(s)) throw jsError("JSConsumerInvalidSamplingErrF", { err: `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax` });
    if (Number(s) < 0) throw jsError("JSConsumerInvalidSamplingErrF");
  }
  if (c.flow_control && (c.idle_heartbeat ?? 0) === 0) throw jsError("JSConsumerWithFlowControlNeedsHeartbeats");
  if (c.durable_name !== undefined && c.name !== undefined && c.name !== c.durable_name) throw jsError("JSConsumerCreateDurableAndNameMismatch");
  let metaLen = 0;
  for (const [k, v] of Object.entries(c.metadata ?? {})) metaLen += k.length + v.length;
  if (metaLen > MAX_METADATA) throw jsError("JSConsumerMetadataLengthErrF", { limit: `${MAX_METADATA / 1024}KB` });
  if (c.priority_policy !== undefined) {
    if (isPush(c)) throw jsError("JSConsumerPushWithPriorityGroupErr");
    if (c.priority_groups === undefined) throw jsError("JSConsumerPriorityPolicyWithoutGroup");
    for (const g of c.priority_groups) {
      if (g === "") throw jsError("JSConsumerEmptyGroupName");
      if (!GROUP_NAME.test(g)) throw jsError("JSConsumerInvalidGroupNameErr");
    }
  } else {
    if (c.priority_groups !== undefined) throw jsError("JSConsumerPriorityGroupWithPolicyNone");
    if ((c.priority_timeout ?? 0) > 0) throw jsError("JSConsumerPinnedTTLWithoutPriorityPolicyNone");
  }
  const name = c.durable_name ?? c.name;
  if (name !== undefined && name.length > MAX_NAME) throw jsError("JSConsumerNameTooLongErrF", { max: MAX_NAME });
}

function checkStart(c: ConsumerConfig): void {
  const bad = (dp: string, start: string): ApiError =>
    jsErrorText("JSConsumerInvalidPolicyErrF", `consumer delivery policy is deliver ${dp}, but optional start ${start} is also set`);
  const notSet = (dp: string, what: string): ApiError =>
    jsErrorText("JSConsumerInvalidPolicyErrF", `consumer delivery policy is deliver ${dp}, but optional ${what} is not set`);
  const seq = (c.opt_start_seq ?? 0) > 0;
  const t = c.opt_start_time !== undefined;
  switch (c.deliver_policy) {
    case "all":
    case "last":
    case "new":
      if (seq) throw bad(c.deliver_policy, "sequence");
      if (t) throw bad(c.deliver_policy, "time");
      break;
    case "last_per_subject":
      if (seq) throw bad("last per subject", "sequence");
      if (t) throw bad("last per subject", "time");
      if (filtersOf(c).length === 0) throw notSet("last per subject", "filter subject");
      break;
    case "by_start_sequence":
      if (!seq) throw notSet("by start sequence", "start sequence");
      if (t) throw bad("by start sequence", "time");
      break;
    case "by_start_time":
      if (!t) throw notSet("by start time", "start time");
      if (c.opt_start_seq !== undefined) throw bad("by start time", "start sequence");
      break;
  }
}

/** Go's Duration.String for ns values (used in a few error texts). */
export function formatNs(ns: number): string {
  if (ns === 0) return "0s";
  if (ns < 1000) return `${ns}ns`;
  if (ns < 1e6) return `${trim(ns / 1e3)}µs`;
  if (ns < 1e9) return `${trim(ns / 1e6)}ms`;
  let s = ns / 1e9;
  let out = "";
  const h = Math.floor(s / 3600);
  if (h > 0) {
    out += `${h}h`;
    s -= h * 3600;
  }
  const m = Math.floor(s / 60);
  if (h > 0 || m > 0) {
    out += `${m}m`;
    s -= m * 60;
  }
  return `${out}${trim(s)}s`;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}

// ---- updates -----------------------------------------------------------------------------------

/** Why `next` may not replace `cur` (nats-server's checkNewConsumerConfig), or undefined when it may. */
export function updateRefusal(cur: ConsumerConfig, next: ConsumerConfig, deliverSubjectBound: boolean): ApiError | undefined {
  const err = (text: string): ApiError => jsErrorText("JSConsumerCreateErrF", text);
  if (configsEqual(cur, next)) return undefined;
  if (cur.deliver_policy !== next.deliver_policy) return err("deliver policy can not be updated");
  if (!!cur.mem_storage !== !!next.mem_storage) return err("storage type can not be updated");
  if (!!cur.direct !== !!next.direct) return err("direct can not be updated");
  if ((cur.opt_start_seq ?? 0) !== (next.opt_start_seq ?? 0)) return err("start sequence can not be updated");
  if (!sameTime(cur.opt_start_time, next.opt_start_time)) return err("start time can not be updated");
  if (cur.ack_policy !== next.ack_policy) return err("ack policy can not be updated");
  if (cur.replay_policy !== next.replay_policy) return err("replay policy can not be updated");
  if ((cur.idle_heartbeat ?? 0) !== (next.idle_heartbeat ?? 0)) return err("heart beats can not be updated");
  if (!!cur.flow_control !== !!next.flow_control) return err("flow control can not be updated");
  if (cur.deliver_subject !== next.deliver_subject) {
    if (cur.deliver_subject === undefined) return err("can not update pull consumer to push based");
    if (next.deliver_subject === undefined) return err("can not update push consumer to pull based");
    if (deliverSubjectBound) return jsError("JSConsumerNameExistErr");
  }
  if ((cur.max_waiting ?? 0) !== (next.max_waiting ?? 0)) return err("max waiting can not be updated");
  const lbo = next.backoff?.length ?? 0;
  if (lbo > 0 && next.max_deliver !== -1 && lbo > (next.max_deliver ?? 0)) return jsError("JSConsumerMaxDeliverBackoffErr");
  return undefined;
}

function sameTime(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return rfc3339ToNanos(a) === rfc3339ToNanos(b);
}

/** Deep equality of two configs as JSON values (key order ignored). */
export function configsEqual(a: ConsumerConfig, b: ConsumerConfig): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const keys = Object.keys(v).filter((k) => (v as Obj)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Obj)[k])}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** Does filter set `a` overlap filter set `b` (workqueue uniqueness; an empty set means everything)? */
export function filtersOverlap(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return true;
  return a.some((x) => b.some((y) => subjectsOverlap(x, y)));
}
