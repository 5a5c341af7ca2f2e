/**
 * The CONSUMER.* routes of the $JS.API router: create (the legacy ephemeral, named and filtered forms and
 * DURABLE.CREATE), info, names, list, delete, pause, unpin and MSG.NEXT; and the recovery of a stream's
 * consumers after a restart. Owned by the consumer side of the JetStream layer.
 */
import { decodeConsumerConfig, type ConsumerConfig } from "../consumer/config.js";
import { addConsumer, recoverConsumers, type CreateAction } from "../consumer/factory.js";
import { Consumer } from "../consumer/consumer.js";
import type { StreamHandle } from "../contracts.js";
import { jsError } from "../errors.js";
import { refuseReplicasWhenStandalone } from "../stream/config.js";
import type { JsAccount } from "../js-account.js";
import { nanosToRfc3339, nowNanos, rfc3339ToNanos } from "../../util/nanos.js";
import { consumerEnv } from "./consumer-env.js";
import { offsetOf } from "./paging.js";
import type { ApiReply, ApiRequest, ApiRouter } from "./router.js";

const NAMES_LIMIT = 1024;
const LIST_LIMIT = 256;
const NO_RESPONDERS = "NATS/1.0 503\r\n\r\n";

export function registerConsumerRoutes(r: ApiRouter): void {
  r.add("CONSUMER.CREATE.*", "consumer_create_response", (req) => create(req, "legacy"));
  r.add("CONSUMER.CREATE.*.>", "consumer_create_response", (req) => create(req, "named"));
  r.add("CONSUMER.DURABLE.CREATE.*.*", "consumer_create_response", (req) => create(req, "durable"));
  r.add("CONSUMER.INFO.*.*", "consumer_info_response", info);
  r.add("CONSUMER.DELETE.*.*", "consumer_delete_response", remove);
  r.add("CONSUMER.NAMES.*", "consumer_names_response", names);
  r.add("CONSUMER.LIST.*", "consumer_list_response", list);
  r.add("CONSUMER.PAUSE.*.*", "consumer_pause_response", pause);
  r.add("CONSUMER.UNPIN.*.*", "consumer_unpin_response", unpin);
  r.add("CONSUMER.LEADER.STEPDOWN.*.*", "consumer_leader_stepdown_response", () => {
    throw jsError("JSClusterRequiredErr");
  });
  r.add("CONSUMER.MSG.NEXT.*.*", "consumer_getnext_response", next, { inline: true, audited: false });
  r.onStreamRecovered(async (jsa, stream) => {
    await recoverConsumers(stream, consumerEnv(jsa, stream));
  });
}

function streamOf(jsa: JsAccount, name: string): StreamHandle {
  const s = jsa.stream(name);
  if (s === undefined || !s.alive) throw jsError("JSStreamNotFoundErr");
  return s;
}

function consumerOf(stream: StreamHandle, name: string): Consumer {
  const c = stream.consumers.get(name);
  if (!(c instanceof Consumer) || c.isClosed) throw jsError("JSConsumerNotFoundErr");
  return c;
}

type Form = "legacy" | "named" | "durable";

async function create(req: ApiRequest, form: Form): Promise<ApiReply> {
  const t = req.tokens;
  let streamName: string;
  let consumerName = "";
  let filter = "";
  if (form === "durable") {
    if (t.length !== 5) throw jsError("JSConsumerDurableNameNotInSubjectErr");
    streamName = t[3]!;
    consumerName = t[4]!;
  } else {
    streamName = t[2]!;
    if (form === "named") {
      consumerName = t[3]!;
      if (t.length > 4) filter = t.slice(4).join(".");
    }
  }
  const body = req.json();
  const stream = body.stream_name ?? "";
  if (typeof stream !== "string") throw jsError("JSInvalidJSONErr");
  const action = body.action ?? "";
  if (action !== "" && action !== "create" && action !== "update") throw jsError("JSInvalidJSONErr", { err: `unknown consumer action: ${JSON.stringify(action)}` });
  const pedantic = body.pedantic ?? false;
  if (typeof pedantic !== "boolean") throw jsError("JSInvalidJSONErr");
  const cfg: ConsumerConfig = decodeConsumerConfig(body.config ?? {});
  if (streamName !== stream) throw jsError("JSStreamMismatchErr");
  if (consumerName !== "" && /[\\/]/.test(consumerName)) throw jsError("JSConsumerNameContainsPathSeparatorsErr");
  if (form === "durable") {
    if (cfg.durable_name === undefined) throw jsError("JSConsumerDurableNameNotSetErr");
    if (consumerName !== cfg.durable_name) throw jsError("JSConsumerDurableNameNotMatchSubjectErr");
    cfg.name = consumerName;
  } else if (form === "named") {
    if (cfg.durable_name !== undefined && consumerName !== cfg.durable_name) throw jsError("JSConsumerDurableNameNotMatchSubjectErr");
    cfg.name = consumerName;
  } else if (cfg.durable_name !== undefined) {
    throw jsError("JSConsumerEphemeralWithDurableNameErr");
  }
  if (filter !== "" && cfg.filter_subjects !== undefined) throw jsError("JSConsumerMultipleFiltersNotAllowed");
  if (filter !== "" && cfg.filter_subject !== filter) throw jsError("JSConsumerCreateFilterSubjectMismatchErr");
  // Before the stream lookup and the config rules, as nats-server's single-server path.
  refuseReplicasWhenStandalone(cfg.num_replicas);
  const s = streamOf(req.jsa, streamName);
  const existing = s.consumers.get(consumerName);
  if (existing instanceof Consumer) {
    // pause_until only changes through CONSUMER.PAUSE once a consumer exists.
    if (existing.config.pause_until === undefined) delete cfg.pause_until;
    else cfg.pause_until = existing.config.pause_until;
  }
  const c = await addConsumer(s, consumerEnv(req.jsa, s), cfg, action as CreateAction, pedantic);
  const reply = c.info();
  if (existing === undefined && c.config.pause_until !== undefined && rfc3339ToNanos(c.config.pause_until) > nowNanos()) {
    c.advisories.paused(true, c.config.pause_until);
  }
  return reply;
}

function info(req: ApiRequest): ApiReply {
  req.requireEmpty();
  const s = streamOf(req.jsa, req.tokens[2]!);
  return consumerOf(s, req.tokens[3]!).info();
}

async function remove(req: ApiRequest): Promise<ApiReply> {
  req.requireEmpty();
  const s = streamOf(req.jsa, req.tokens[2]!);
  await consumerOf(s, req.tokens[3]!).delete();
  return { success: true };
}

function sorted(stream: StreamHandle): Consumer[] {
  const out: Consumer[] = [];
  for (const c of stream.consumers.values()) if (c instanceof Consumer && !c.isClosed) out.push(c);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function names(req: ApiRequest): ApiReply {
  const body = req.json();
  const offset = offsetOf(body);
  const all = sorted(streamOf(req.jsa, req.tokens[2]!));
  const from = Math.min(offset, all.length);
  return { total: all.length, offset: from, limit: NAMES_LIMIT, consumers: all.slice(from, from + NAMES_LIMIT).map((c) => c.name) };
}

function list(req: ApiRequest): ApiReply {
  const body = req.json();
  const offset = offsetOf(body);
  const all = sorted(streamOf(req.jsa, req.tokens[2]!));
  const from = Math.min(offset, all.length);
  return { total: all.length, offset: from, limit: LIST_LIMIT, consumers: all.slice(from, from + LIST_LIMIT).map((c) => c.info()) };
}

async function pause(req: ApiRequest): Promise<ApiReply> {
  const body = req.json();
  const raw = body.pause_until;
  let until: string | undefined;
  if (raw !== undefined && raw !== null) {
    if (typeof raw !== "string") throw jsError("JSInvalidJSONErr");
    let ns: number;
    try {
      ns = rfc3339ToNanos(raw);
    } catch {
      throw jsError("JSInvalidJSONErr");
    }
    if (ns > 0 && raw !== "0001-01-01T00:00:00Z") until = nanosToRfc3339(ns);
  }
  const s = streamOf(req.jsa, req.tokens[2]!);
  const c = consumerOf(s, req.tokens[3]!);
  await c.pause(until);
  const untilNs = until === undefined ? 0 : rfc3339ToNanos(until);
  const remaining = untilNs - nowNanos();
  const reply: Record<string, unknown> = { paused: remaining > 0, pause_until: nanosToRfc3339(untilNs) };
  if (remaining > 0) reply.pause_remaining = remaining;
  return reply;
}

function unpin(req: ApiRequest): ApiReply {
  const body = req.json();
  const group = body.group;
  if (group !== undefined && group !== null && typeof group !== "string") throw jsError("JSInvalidJSONErr");
  if (typeof group !== "string" || group === "") throw jsError("JSInvalidJSONErr", { err: "consumer group not specified" });
  if (!/^[a-zA-Z0-9/_=-]{1,16}$/.test(group)) throw jsError("JSConsumerInvalidGroupNameErr");
  const s = streamOf(req.jsa, req.tokens[2]!);
  const c = consumerOf(s, req.tokens[3]!);
  if (!(c.config.priority_groups ?? []).includes(group)) throw jsError("JSConsumerInvalidPriorityGroupErr");
  c.unpin(group);
  return {};
}

/** MSG.NEXT goes straight to the consumer; without one, the requester learns it as from no responders. */
function next(req: ApiRequest): ApiReply {
  const reply = req.reply;
  if (reply === undefined || reply === "") return undefined;
  const stream = req.jsa.stream(req.tokens[3]!);
  const c = stream?.consumers.get(req.tokens[4]!);
  if (!(c instanceof Consumer) || c.isClosed) {
    req.jsa.server.publishInternal(req.jsa.account, reply, undefined, Buffer.alloc(0), NO_RESPONDERS);
    return undefined;
  }
  c.processNextRequest(reply, req.body);
  return undefined;
}
