/**
 * DIRECT.GET (ADR-31): the stored message itself as the reply, with `Nats-Stream`, `Nats-Subject`,
 * `Nats-Sequence` and `Nats-Time-Stamp` appended to its headers; failures are status replies
 * (`404 Message Not Found`, `408 Bad Request` …). Only for streams with allow_direct (or mirrors with
 * mirror_direct answering for their origin). The 2.11 batch form sends several replies, each with
 * `Nats-Num-Pending` and `Nats-Last-Sequence`, then a `204 EOB` status.
 */
import type { StoredMsg, StreamStore } from "../../store/index.js";
import { nanosToRfc3339, rfc3339ToNanos } from "../../util/nanos.js";
import { appendHeaders, buildHeaders } from "../headers.js";
import type { JsAccount } from "../js-account.js";
import type { Stream } from "../stream/stream.js";
import type { ApiRequest, ApiRouter } from "./router.js";

/** At most this many messages answer one batch or multi_last request. */
const MAX_BATCH = 1024;

interface DirectRequest {
  seq: number;
  lastBySubj: string;
  nextBySubj: string;
  batch: number;
  maxBytes: number;
  multiLast: string[] | undefined;
  upToSeq: number;
  upToTime: number;
  startTime: number;
}

function status(jsa: JsAccount, reply: string, code: number, text: string, extra: [string, string][] = []): undefined {
  const line = text === "" ? ` ${code}` : ` ${code} ${text}`;
  jsa.server.publishInternal(jsa.account, reply, undefined, Buffer.alloc(0), buildHeaders(extra, line));
  return undefined;
}

/** The stream that answers direct gets for `name`: itself with allow_direct, else a mirror_direct mirror. */
function directStream(jsa: JsAccount, name: string): Stream | undefined {
  const s = jsa.streams.get(name);
  if (s !== undefined && s.cfg.allow_direct) return s;
  for (const m of jsa.streams.values()) if (m.cfg.mirror_direct && m.cfg.mirror?.name === name) return m;
  return undefined;
}

function send(jsa: JsAccount, reply: string, s: Stream, m: StoredMsg, extra: [string, string][] = []): number {
  const entries: [string, string][] = [
    ["Nats-Stream", s.name],
    ["Nats-Subject", m.subject],
    ["Nats-Sequence", String(m.seq)],
    ["Nats-Time-Stamp", nanosToRfc3339(m.time)],
    ...extra,
  ];
  const hdr = appendHeaders(m.hdr, entries);
  jsa.server.publishInternal(jsa.account, reply, undefined, m.data, hdr);
  return hdr.length + m.data.length;
}

function parse(body: Buffer): DirectRequest | "empty" | "malformed" | "bad" {
  const text = body.toString("utf8").trim();
  if (text === "") return "empty";
  let o: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v)) return "malformed";
    o = v as Record<string, unknown>;
  } catch {
    return "malformed";
  }
  const num = (k: string): number => {
    const v = o[k];
    if (v === undefined || v === null) return 0;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw new Error("malformed");
    return v;
  };
  const str = (k: string): string => {
    const v = o[k];
    if (v === undefined || v === null) return "";
    if (typeof v !== "string") throw new Error("malformed");
    return v;
  };
  const time = (k: string): number => {
    const v = str(k);
    return v === "" ? 0 : rfc3339ToNanos(v);
  };
  try {
    const ml = o["multi_last"];
    if (ml !== undefined && ml !== null && (!Array.isArray(ml) || ml.some((x) => typeof x !== "string"))) return "malformed";
    return {
      seq: num("seq"),
      lastBySubj: str("last_by_subj"),
      nextBySubj: str("next_by_subj"),
      batch: num("batch"),
      maxBytes: num("max_bytes"),
      multiLast: Array.isArray(ml) && ml.length > 0 ? (ml as string[]) : undefined,
      upToSeq: num("up_to_seq"),
      upToTime: time("up_to_time"),
      startTime: time("start_time"),
    };
  } catch {
    return "malformed";
  }
}

/** Nothing says where to start: a batch size or max_bytes alone is not enough (nats-server 2.11+). */
function isEmptyRequest(r: DirectRequest): boolean {
  return r.seq === 0 && r.lastBySubj === "" && r.nextBySubj === "" && r.multiLast === undefined && r.startTime === 0;
}

/** Options that exclude each other, as nats-server 2.11+ lists them (408 Bad Request). */
function hasConflict(r: DirectRequest): boolean {
  const last = r.lastBySubj !== "";
  const multi = r.multiLast !== undefined;
  return (
    (r.seq > 0 && last) ||
    (r.seq > 0 && r.startTime > 0) ||
    (r.startTime > 0 && last) ||
    (last && r.nextBySubj !== "") ||
    (last && r.batch > 0) ||
    (last && multi) ||
    (r.nextBySubj !== "" && multi) ||
    (r.upToSeq > 0 && r.upToTime > 0)
  );
}

/** The single-message form. */
function single(jsa: JsAccount, reply: string, s: Stream, r: DirectRequest): undefined {
  let m: StoredMsg | undefined;
  if (r.lastBySubj !== "") m = s.store.loadLastMsg(r.lastBySubj);
  else if (r.nextBySubj !== "") m = s.store.loadNextMsg(r.nextBySubj, r.seq);
  else m = s.store.loadMsg(r.seq);
  if (m === undefined) return status(jsa, reply, 404, "Message Not Found");
  send(jsa, reply, s, m);
  return undefined;
}

/** Last messages of the subjects matching `filters`, up to upTo, in sequence order. */
function lastPerSubject(store: StreamStore, filters: string[], upTo: number): StoredMsg[] | "too many" {
  const seqs = new Set<number>();
  for (const f of filters) {
    for (const [subject, st] of store.subjectsState(f)) {
      let seq = st.last;
      if (seq > upTo) {
        // The subject's last message at or before upTo.
        let best = 0;
        for (let m = store.loadNextMsg(subject, st.first); m !== undefined && m.seq <= upTo; m = store.loadNextMsg(subject, m.seq + 1)) best = m.seq;
        seq = best;
      }
      if (seq > 0) seqs.add(seq);
      if (seqs.size > MAX_BATCH) return "too many";
    }
  }
  const out: StoredMsg[] = [];
  for (const seq of [...seqs].sort((a, b) => a - b)) {
    const m = store.loadMsg(seq);
    if (m !== undefined) out.push(m);
  }
  return out;
}

/** The batch forms: several replies, then 204 EOB. */
function batch(jsa: JsAccount, reply: string, s: Stream, r: DirectRequest): undefined {
  const store = s.store;
  const last = store.state().lastSeq;
  let upTo = r.upToSeq > 0 ? Math.min(r.upToSeq, last) : last;
  if (r.upToTime > 0) upTo = Math.min(upTo, store.seqForTime(r.upToTime) - 1);
  let msgs: StoredMsg[];
  let pendingAfter: (i: number) => number;
  if (r.multiLast !== undefined) {
    const found = lastPerSubject(store, r.multiLast, upTo);
    if (found === "too many") return status(jsa, reply, 413, "Too Many Results");
    msgs = r.batch > 0 ? found.slice(0, r.batch) : found;
    pendingAfter = (i) => found.length - i - 1;
  } else {
    const filter = r.nextBySubj || ">";
    let seq = r.startTime > 0 ? store.seqForTime(r.startTime) : Math.max(1, r.seq);
    const max = Math.min(r.batch > 0 ? r.batch : 1, MAX_BATCH);
    msgs = [];
    let bytes = 0;
    // max_bytes as nats-server counts it: subject, stored headers and data of each message sent; the
    // message that reaches the limit is the last one.
    while (msgs.length < max) {
      const m = store.loadNextMsg(filter, seq);
      if (m === undefined || m.seq > upTo) break;
      msgs.push(m);
      seq = m.seq + 1;
      bytes += Buffer.byteLength(m.subject) + (m.hdr?.length ?? 0) + m.data.length;
      if (r.maxBytes > 0 && bytes >= r.maxBytes) break;
    }
    const pendingTotal = (from: number): number => (from > upTo ? 0 : store.numPending(from, filter, false) - store.numPending(upTo + 1, filter, false));
    pendingAfter = (i) => pendingTotal(msgs[i]!.seq + 1);
  }
  // nats-server 2.11+: a multi_last that matches nothing is "No Results"; a batch that finds no first
  // message is "Message Not Found", as a single get (the clients tell the two apart).
  if (msgs.length === 0) return status(jsa, reply, 404, r.multiLast !== undefined ? "No Results" : "Message Not Found");
  let prev = 0;
  for (let i = 0; i < msgs.length; i++) {
    const m = msgs[i]!;
    send(jsa, reply, s, m, [
      ["Nats-Num-Pending", String(pendingAfter(i))],
      ["Nats-Last-Sequence", String(prev)],
    ]);
    prev = m.seq;
  }
  const eob: [string, string][] = [
    ["Nats-Num-Pending", String(pendingAfter(msgs.length - 1))],
    ["Nats-Last-Sequence", String(prev)],
  ];
  if (r.multiLast !== undefined) eob.push(["Nats-UpTo-Sequence", String(upTo)]);
  return status(jsa, reply, 204, "EOB", eob);
}

export function registerDirectGet(r: ApiRouter): void {
  const opts = { inline: true, audited: false };
  r.add("DIRECT.GET.*", "direct_get_response", directHandler(getByRequest), opts);
  r.add("DIRECT.GET.*.>", "direct_get_response", directHandler(getLastBySubjectInToken), opts);
}

type DirectGet = (req: ApiRequest, jsa: JsAccount, reply: string, s: Stream) => void;

/** Both forms answer only requests with a reply, about a stream that serves direct gets. */
function directHandler(fn: DirectGet): (req: ApiRequest) => undefined {
  return (req) => {
    const { jsa, reply } = req;
    if (reply === undefined) return undefined;
    const s = directStream(jsa, req.tokens[2]!);
    if (s === undefined) return noResponders(jsa, reply);
    fn(req, jsa, reply, s);
    return undefined;
  };
}

/** `DIRECT.GET.<stream>` with a JSON request: by sequence, last or next by subject, or a batch. */
function getByRequest(req: ApiRequest, jsa: JsAccount, reply: string, s: Stream): void {
  const p = parse(req.body);
  if (p === "empty") return void status(jsa, reply, 408, "Empty Request");
  if (p === "malformed") return void status(jsa, reply, 408, "Malformed Request");
  if (p === "bad" || isEmptyRequest(p)) return void status(jsa, reply, 408, "Empty Request");
  if (hasConflict(p)) return void status(jsa, reply, 408, "Bad Request");
  const isBatch = p.batch > 0 || p.maxBytes > 0 || p.multiLast !== undefined || p.startTime > 0;
  if (isBatch) batch(jsa, reply, s, p);
  else single(jsa, reply, s, p);
}

/** `DIRECT.GET.<stream>.<subject>` with an empty body: the last message on that subject. */
function getLastBySubjectInToken(req: ApiRequest, jsa: JsAccount, reply: string, s: Stream): void {
  if (req.body.length > 0) return void status(jsa, reply, 408, "Bad Request");
  const m = s.store.loadLastMsg(req.tokens.slice(3).join("."));
  if (m === undefined) return void status(jsa, reply, 404, "Message Not Found");
  send(jsa, reply, s, m);
}

/** No stream serves direct gets under this name: what the caller sees when nobody subscribes. */
export function noResponders(jsa: JsAccount, reply: string): undefined {
  return status(jsa, reply, 503, "");
}
