/**
 * /connz: open and recently closed client connections, filtered, sorted and paged as nats-server does.
 *
 * `total` counts the connections in the requested state (and account), before the user and cid filters;
 * `num_connections` is the size of the returned page. Sorting by cid or start is ascending, by uptime
 * ascending, by reason alphabetical; every other key puts the largest (or latest) first. Ties keep cid order.
 * An `acc` that names no account gets nats-server's bare answer: no server_id, `connections` null.
 */
import { GLOBAL_ACCOUNT } from "../util/global-account.js";
import type { Client } from "../server/client.js";
import type { Server } from "../server/server.js";
import { json, type MonitorRequest, type Reply } from "./endpoint.js";
import { connectText, goNow, goTime, peerIp, rtt, uptime, wireText } from "./format.js";
import { BadRequest, boolParam, intParam, page, pageBounds, stateParam, subsParam, uintParam, type ConnState, type SubsParam } from "./query.js";
import { subDetail } from "./sub-detail.js";

type Order = (a: Client, b: Client, nowMs: number) => number;

/** The moment a connection's figures refer to: now while open, its stop time once closed. */
function asOf(c: Client, nowMs: number): number {
  return c.stopTime?.getTime() ?? nowMs;
}

const byCid = (a: Client, b: Client): number => a.cid - b.cid;

const ORDERS = new Map<string, Order>([
  ["cid", byCid],
  ["start", byCid],
  ["subs", (a, b) => b.subs.size - a.subs.size],
  ["pending", (a, b) => b.pending - a.pending],
  ["msgs_to", (a, b) => b.outMsgs - a.outMsgs],
  ["msgs_from", (a, b) => b.inMsgs - a.inMsgs],
  ["bytes_to", (a, b) => b.outBytes - a.outBytes],
  ["bytes_from", (a, b) => b.inBytes - a.inBytes],
  ["last", (a, b) => b.lastActivity.getTime() - a.lastActivity.getTime()],
  ["idle", (a, b, now) => asOf(b, now) - b.lastActivity.getTime() - (asOf(a, now) - a.lastActivity.getTime())],
  ["uptime", (a, b, now) => asOf(a, now) - a.start.getTime() - (asOf(b, now) - b.start.getTime())],
  ["stop", (a, b) => (b.stopTime?.getTime() ?? 0) - (a.stopTime?.getTime() ?? 0)],
  ["reason", (a, b) => compareText(a.closeReason ?? "", b.closeReason ?? "")],
  ["rtt", (a, b) => b.rttMs - a.rttMs],
]);

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** /connz's options, named after its query parameters. */
export interface ConnzOptions {
  sort: string;
  auth: boolean;
  subs: SubsParam;
  offset: number;
  limit: number;
  cid: number;
  state: ConnState;
  user: string;
  acc: string;
}

export function connzOptions(q: URLSearchParams): ConnzOptions {
  const sort = q.get("sort") ?? "";
  const auth = boolParam(q, "auth");
  const subs = subsParam(q);
  const offset = intParam(q, "offset");
  const limit = intParam(q, "limit");
  const cid = uintParam(q, "cid");
  const state = stateParam(q);
  return { sort, auth, subs, offset, limit, cid, state, user: q.get("user") ?? "", acc: q.get("acc") ?? "" };
}

export function connz(req: MonitorRequest): Reply {
  const o = connzOptions(req.query);
  req.count();
  return json(connzData(req.server, o));
}

/** The /connz answer; throws BadRequest for the sorts nats-server refuses. */
export function connzData(server: Server, o: ConnzOptions): Record<string, unknown> {
  const { sort, state, acc } = o;
  const order = ORDERS.get(sort === "" ? "cid" : sort);
  if (order === undefined) throw new BadRequest(`invalid sorting option: ${sort}`);
  if ((sort === "stop" || sort === "reason") && state !== "closed") {
    throw new BadRequest(`sort by ${sort} only valid on closed connections`);
  }
  let bounds = pageBounds(o.offset, o.limit);
  if (o.cid > 0) bounds = { offset: bounds.offset, limit: 1 };
  if (acc !== "" && server.accounts.get(acc) === undefined) {
    // nats-server gives up before it fills in its id or any list.
    return { server_id: "", now: goNow(), num_connections: 0, total: 0, offset: bounds.offset, limit: bounds.limit, connections: null };
  }

  const inAccount = (c: Client) => acc === "" || c.account.name === acc;
  const open = state === "closed" ? [] : [...server.clients.values()].filter(inAccount);
  const closed = state === "open" ? [] : server.closed.filter(inAccount);
  const matches = o.cid > 0 ? (c: Client) => c.cid === o.cid : (c: Client) => o.user === "" || c.authorizedUser === o.user;
  const nowMs = Date.now();
  const picked = [...open, ...closed].filter(matches).sort(byCid);
  if (order !== byCid) picked.sort((a, b) => order(a, b, nowMs));
  const shown = page(picked, bounds);
  return {
    server_id: server.id,
    now: goNow(),
    num_connections: shown.length,
    total: open.length + closed.length,
    offset: bounds.offset,
    limit: bounds.limit,
    connections: shown.map((c) => connInfo(c, nowMs, o.auth, o.subs)),
  };
}

/** One connection in nats-server's ConnInfo field order; empty optional fields are left out. */
function connInfo(c: Client, nowMs: number, auth: boolean, subs: SubsParam): Record<string, unknown> {
  const at = asOf(c, nowMs);
  const ci: Record<string, unknown> = {
    cid: c.cid,
    kind: "Client",
    type: c.connectionType === "WEBSOCKET" ? "websocket" : "nats",
    ip: peerIp(c.host),
    port: c.port,
    start: goTime(c.start),
    last_activity: goTime(c.lastActivity),
  };
  if (c.stopTime !== undefined) {
    ci.stop = goTime(c.stopTime);
    if (c.closeReason !== undefined) ci.reason = c.closeReason;
  }
  Object.assign(ci, {
    rtt: rtt(c.rttMs),
    uptime: uptime(at - c.start.getTime()),
    idle: uptime(at - c.lastActivity.getTime()),
    pending_bytes: c.pending,
    in_msgs: c.inMsgs,
    out_msgs: c.outMsgs,
    in_bytes: c.inBytes,
    out_bytes: c.outBytes,
    subscriptions: c.subs.size,
  });
  if (c.opts.name) ci.name = connectText(c.opts.name);
  if (c.opts.lang) ci.lang = connectText(c.opts.lang);
  if (c.opts.version) ci.version = connectText(c.opts.version);
  const tls = c.tls;
  if (tls) {
    ci.tls_version = tls.version;
    ci.tls_cipher_suite = tls.cipherSuite;
    if (auth && tls.peerCerts.length > 0)
      ci.tls_peer_certs = tls.peerCerts.map((p) => ({ subject: p.subject, spki_sha256: p.spkiSha256, cert_sha256: p.certSha256 }));
    if (tls.first) ci.tls_first = true;
  }
  if (auth) {
    if (c.authorizedUser) ci.authorized_user = c.authorizedUser;
    if (c.account.name !== GLOBAL_ACCOUNT) ci.account = c.account.name;
  }
  if (c.subs.size > 0) {
    // nats-server names the account in the details of closed connections only.
    if (subs.detail) ci.subscriptions_list_detail = [...c.subs.values()].map((s) => subDetail(s, c.cid, c.stopTime !== undefined ? c.account.name : undefined));
    else if (subs.list) ci.subscriptions_list = [...c.subs.values()].map((s) => wireText(s.subject));
  }
  return ci;
}
