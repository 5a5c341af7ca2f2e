/** STREAM.CREATE / UPDATE / DELETE / INFO / NAMES / LIST and the account's $JS.API.INFO. */
import { JS_API_LEVEL } from "../../server/version.js";
import { subjectsOverlap } from "../../subjects/validate.js";
import { jsError } from "../errors.js";
import { limitsJson, type JsAccountLimits } from "../limits.js";
import type { AccountUsage, JsAccount } from "../js-account.js";
import { createStream, deleteStream, updateStream } from "../stream/manager.js";
import { streamInfoJson } from "../stream/info.js";
import type { Stream } from "../stream/stream.js";
import { offsetOf, optBool, optString } from "./paging.js";
import type { ApiRequest, ApiRouter } from "./router.js";

const NAMES_LIMIT = 1024;
const LIST_LIMIT = 256;
const SUBJECTS_LIMIT = 100_000;
/** The JetStream API level of the 2.11 feature set (spec §3.15). */

/** The stream named by the subject token at `index`; 10059 when it does not exist. */
export function streamOf(req: ApiRequest, index = 2): Stream {
  const s = req.jsa.streams.get(req.tokens[index] ?? "");
  if (s === undefined) throw jsError("JSStreamNotFoundErr");
  return s;
}

/** A create/update body: required, a JSON object. */
function configBody(req: ApiRequest): Record<string, unknown> {
  if (req.body.toString("utf8").trim() === "") throw jsError("JSInvalidJSONErr");
  return req.json();
}

/** Streams of the account, by name, optionally only those whose subjects overlap `subject`. */
function listed(req: ApiRequest, subject: string | undefined): Stream[] {
  const all = [...req.jsa.streams.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (subject === undefined || subject === "") return all;
  return all.filter((s) => (s.cfg.subjects ?? []).some((x) => subjectsOverlap(x, subject)));
}

/** One entry of account info's `tiers`: the usage of the tier's streams and its limits. */
function tierJson(u: AccountUsage, l: JsAccountLimits): Record<string, unknown> {
  return {
    memory: u.memory,
    storage: u.storage,
    reserved_memory: u.reservedMemory,
    reserved_storage: u.reservedStorage,
    streams: u.streams,
    consumers: u.consumers,
    limits: limitsJson(l),
  };
}

/**
 * ACCOUNT.INFO's body. `counts` replaces this server's own stream and consumer counts (in a cluster the
 * meta leader counts the assignments).
 */
/**
 * `counts` and `cluster` are the meta leader's: the account's streams and consumers in the meta group,
 * and its usage summed over the cluster's servers (cluster/account-usage.ts).
 */
export function accountInfoJson(
  jsa: JsAccount,
  counts?: { streams: number; consumers: number },
  cluster?: { memory: number; storage: number; api: { total: number; errors: number } },
): Record<string, unknown> {
  const u = jsa.usage();
  const o: Record<string, unknown> = {
    memory: cluster?.memory ?? u.memory,
    storage: cluster?.storage ?? u.storage,
    reserved_memory: u.reservedMemory,
    reserved_storage: u.reservedStorage,
    streams: counts?.streams ?? u.streams,
    consumers: counts?.consumers ?? u.consumers,
    limits: limitsJson(jsa.effectiveLimits),
  };
  if (jsa.domain) o.domain = jsa.domain;
  o.api = { level: JS_API_LEVEL, total: cluster?.api.total ?? jsa.apiStats.total, errors: cluster?.api.errors ?? jsa.apiStats.errors };
  const tiers = jsa.effectiveLimits.tiers;
  if (tiers !== undefined) o.tiers = Object.fromEntries([...tiers].map(([name, l]) => [name, tierJson(jsa.usage(name), l)]));
  return o;
}

export function registerStreamCrud(r: ApiRouter): void {
  r.add("INFO", "account_info_response", (req) => accountInfoJson(req.jsa));

  r.add("STREAM.CREATE.*", "stream_create_response", async (req) => {
    const stream = await createStream(req.jsa, configBody(req), req.tokens[2]!);
    return { ...streamInfoJson(stream, { links: false }), did_create: true };
  });

  r.add("STREAM.UPDATE.*", "stream_update_response", async (req) => {
    const s = await updateStream(req.jsa, configBody(req), req.tokens[2]!);
    return streamInfoJson(s);
  });

  r.add("STREAM.DELETE.*", "stream_delete_response", async (req) => {
    req.requireEmpty();
    const s = streamOf(req);
    await deleteStream(req.jsa, s);
    return { success: true };
  });

  r.add(
    "STREAM.INFO.*",
    "stream_info_response",
    (req) => {
      const body = req.json();
      const s = streamOf(req);
      const filter = optString(body, "subjects_filter");
      const deletedDetails = optBool(body, "deleted_details");
      const offset = offsetOf(body);
      let subjects: Map<string, number> | undefined;
      let total = 0;
      if (filter) {
        const all = [...s.store.subjectsState(filter).entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
        total = all.length;
        subjects = new Map(all.slice(offset, offset + SUBJECTS_LIMIT).map(([k, v]) => [k, v.msgs]));
      }
      const paging = filter ? { total, offset, limit: SUBJECTS_LIMIT } : { total: 0, offset: 0, limit: 0 };
      return { ...paging, ...streamInfoJson(s, { subjects, deletedDetails }) };
    },
    { errorExtra: { total: 0, offset: 0, limit: 0 } },
  );

  r.add("STREAM.NAMES", "stream_names_response", (req) => {
    const body = req.json();
    const all = listed(req, optString(body, "subject"));
    const offset = Math.min(offsetOf(body), all.length);
    const page = all.slice(offset, offset + NAMES_LIMIT).map((s) => s.name);
    return { total: all.length, offset, limit: NAMES_LIMIT, streams: page.length > 0 ? page : null };
  });

  r.add("STREAM.LIST", "stream_list_response", (req) => {
    const body = req.json();
    const all = listed(req, optString(body, "subject"));
    const offset = Math.min(offsetOf(body), all.length);
    const page = all.slice(offset, offset + LIST_LIMIT).map((s) => streamInfoJson(s));
    return { total: all.length, offset, limit: LIST_LIMIT, streams: page };
  });
}
