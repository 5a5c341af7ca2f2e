/**
 * The system account's events and services (spec §8.4), as far as they apply to one server:
 * - events: `$SYS.ACCOUNT.<acc>.CONNECT` / `.DISCONNECT`, account connection counts on
 *   `$SYS.ACCOUNT.<acc>.SERVER.CONNS` (and the legacy `$SYS.SERVER.ACCOUNT.<acc>.CONNS`),
 *   `$SYS.SERVER.<id>.CLIENT.AUTH.ERR`, `$SYS.SERVER.<id>.SHUTDOWN`;
 * - requests: `$SYS.REQ.SERVER.PING[.<X>]`, `$SYS.REQ.SERVER.<id>.<X>`, `$SYS.REQ.ACCOUNT.<acc>.<X>`, and in
 *   every account `$SYS.REQ.ACCOUNT.PING.{CONNZ,STATZ}` about that account itself.
 * Events are only built when someone subscribes to them. Monitoring data (VARZ, CONNZ...) comes from the
 * monitor layer through `monitorProvider`; STATSZ, IDZ and the account counts are answered here.
 */
import { availableParallelism } from "node:os";
import { nuid } from "../util/base62.js";
import { nanosToRfc3339, nowNanos } from "../util/nanos.js";
import type { Account } from "./account.js";
import type { AccountRegistry } from "./accounts.js";
import type { Client } from "./client.js";
import { startClaimServices, type ClaimsHost } from "./system-claims.js";
import type { ServerStats } from "./stats.js";

/** What the $SYS services need from the server. */
export interface SystemHost extends ClaimsHost {
  readonly id: string;
  readonly name: string;
  readonly start: Date;
  readonly stats: ServerStats;
  readonly jetStreamEnabled: boolean;
}
import { NATS_VERSION } from "./version.js";

/**
 * Answers a monitoring request for the system services: `endpoint` is VARZ, CONNZ, SUBSZ, ACCOUNTZ,
 * JSZ, HEALTHZ...; `account` is set for account-scoped requests. Undefined: not served.
 */
export type MonitorProvider = (endpoint: string, options: Record<string, unknown>, account?: string) => unknown;

const SERVER_ENDPOINTS = new Set(["STATSZ", "VARZ", "SUBSZ", "CONNZ", "ROUTEZ", "GATEWAYZ", "LEAFZ", "ACCOUNTZ", "JSZ", "HEALTHZ", "IDZ"]);
const ACCOUNT_ENDPOINTS = new Set(["SUBSZ", "CONNZ", "LEAFZ", "JSZ", "INFO", "STATZ", "CONNS"]);


function goTime(d: Date): string {
  return nanosToRfc3339(d.getTime() * 1e6);
}

export class SystemServices {
  monitorProvider: MonitorProvider | undefined;
  private seq = 0;

  constructor(
    private readonly server: SystemHost,
    private readonly registry: AccountRegistry,
  ) {}

  get account(): Account | undefined {
    return this.registry.system;
  }

  /** Subscribes the services in the system account. */
  start(): void {
    const sys = this.account;
    if (sys === undefined) return;
    const s = this.server;
    s.subscribeInternal(sys, "$SYS.REQ.SERVER.PING", (_subj, reply) => this.answerServer("STATSZ", reply));
    s.subscribeInternal(sys, "$SYS.REQ.SERVER.PING.*", (subj, reply, payload, hdrLen) => this.answerServer(lastToken(subj), reply, body(payload, hdrLen)));
    s.subscribeInternal(sys, `$SYS.REQ.SERVER.${s.id}.*`, (subj, reply, payload, hdrLen) => this.answerServer(lastToken(subj), reply, body(payload, hdrLen)));
    s.subscribeInternal(sys, "$SYS.REQ.ACCOUNT.*.*", (subj, reply, payload, hdrLen) => {
      const [, , , acc, what] = subj.split(".");
      if (acc !== "PING") this.answerAccount(acc!, what!, sys, reply, body(payload, hdrLen));
    });
    startClaimServices(s, () => this.serverInfo(), sys);
  }

  /**
   * Imports `$SYS.REQ.ACCOUNT.PING.{CONNZ,STATZ}` into `a`: answered about `a`, inside `a`. Like a
   * service import it is this server's alone: not announced to routes (nats-server's are not either).
   */
  attachAccount(a: Account): void {
    if (a === this.account) return;
    this.server.subscribeInternal(a, "$SYS.REQ.ACCOUNT.PING.*", (subj, reply, payload, hdrLen) => {
      const what = lastToken(subj);
      if (what === "CONNZ" || what === "STATZ") this.answerAccount(a.name, what, a, reply, body(payload, hdrLen));
    }, undefined, true);
  }

  /** The `server` object every event and reply carries. */
  serverInfo(): Record<string, unknown> {
    const s = this.server;
    return { name: s.name, host: s.opts.host, id: s.id, ver: NATS_VERSION, seq: ++this.seq, jetstream: s.jetStreamEnabled, time: nanosToRfc3339(nowNanos()) };
  }

  private wants(subject: string): boolean {
    const sys = this.account;
    if (sys === undefined) return false;
    const r = sys.sublist.match(subject);
    return r.plain.length + r.queues.length > 0;
  }

  private send(subject: string, event: unknown): void {
    this.server.publishInternal(this.account!, subject, undefined, JSON.stringify(event));
  }

  private clientInfo(c: Client, closing: boolean): Record<string, unknown> {
    const info: Record<string, unknown> = { start: goTime(c.start), host: c.host, id: c.cid, acc: c.account.name };
    if (c.authorizedUser !== "") info.user = c.authorizedUser;
    if (c.opts.name !== "") info.name = c.opts.name;
    if (c.opts.lang !== "") info.lang = c.opts.lang;
    if (c.opts.version !== "") info.ver = c.opts.version;
    if (closing) {
      info.rtt = `${Math.round(c.rttMs * 1e6)}ns`;
      info.stop = goTime(c.stopTime ?? new Date());
    }
    if (c.user?.jwt !== undefined) {
      info.issuer_key = c.user.jwt.issuer;
      if (c.user.jwt.nameTag !== "") info.name_tag = c.user.jwt.nameTag;
    }
    info.kind = "Client";
    info.client_type = "nats";
    return info;
  }

  clientConnected(c: Client): void {
    const subject = `$SYS.ACCOUNT.${c.account.name}.CONNECT`;
    if (this.wants(subject))
      this.send(subject, { type: "io.nats.server.advisory.v1.client_connect", id: nuid(), timestamp: nanosToRfc3339(nowNanos()), server: this.serverInfo(), client: this.clientInfo(c, false) });
    this.accountConns(c.account);
  }

  clientDisconnected(c: Client): void {
    const subject = `$SYS.ACCOUNT.${c.account.name}.DISCONNECT`;
    if (this.wants(subject)) this.send(subject, this.disconnectEvent(c, c.closeReason ?? ""));
    this.accountConns(c.account);
  }

  /** A client failed to authenticate: `$SYS.SERVER.<id>.CLIENT.AUTH.ERR`, shaped like a disconnect event. */
  authError(c: Client, reason: string): void {
    const subject = `$SYS.SERVER.${this.server.id}.CLIENT.AUTH.ERR`;
    if (this.wants(subject)) this.send(subject, this.disconnectEvent(c, reason));
  }

  private disconnectEvent(c: Client, reason: string): Record<string, unknown> {
    return {
      type: "io.nats.server.advisory.v1.client_disconnect",
      id: nuid(),
      timestamp: nanosToRfc3339(nowNanos()),
      server: this.serverInfo(),
      client: this.clientInfo(c, true),
      sent: { msgs: c.outMsgs, bytes: c.outBytes },
      received: { msgs: c.inMsgs, bytes: c.inBytes },
      reason,
    };
  }

  shutdown(): void {
    const subject = `$SYS.SERVER.${this.server.id}.SHUTDOWN`;
    if (this.wants(subject)) this.send(subject, { server: this.serverInfo(), reason: "Server Shutdown" });
  }

  private accountConnsData(a: Account): Record<string, unknown> {
    const clients = [...this.server.clients.values()].filter((c) => c.account === a);
    const sum = (f: (c: Client) => number) => clients.reduce((n, c) => n + f(c), 0);
    return {
      acc: a.name,
      conns: a.numClients,
      leafnodes: 0,
      total_conns: a.numClients,
      sent: { msgs: sum((c) => c.outMsgs), bytes: sum((c) => c.outBytes) },
      received: { msgs: sum((c) => c.inMsgs), bytes: sum((c) => c.inBytes) },
      slow_consumers: 0,
    };
  }

  private accountConns(a: Account): void {
    const subjects = [`$SYS.ACCOUNT.${a.name}.SERVER.CONNS`, `$SYS.SERVER.ACCOUNT.${a.name}.CONNS`].filter((s) => this.wants(s));
    if (subjects.length === 0) return;
    const event = { type: "io.nats.server.advisory.v1.account_connections", id: nuid(), timestamp: nanosToRfc3339(nowNanos()), server: this.serverInfo(), ...this.accountConnsData(a) };
    for (const s of subjects) this.send(s, event);
  }

  statsz(): Record<string, unknown> {
    const s = this.server;
    const st = s.stats;
    let subs = 0;
    for (const a of this.registry.accounts.values()) subs += a.sublist.count;
    return {
      start: goTime(s.start),
      mem: process.memoryUsage().rss,
      cores: availableParallelism(),
      cpu: 0,
      connections: s.clients.size,
      total_connections: st.totalConnections,
      active_accounts: [...this.registry.accounts.values()].filter((a) => a.numClients > 0).length,
      subscriptions: subs,
      sent: { msgs: st.outMsgs, bytes: st.outBytes },
      received: { msgs: st.inMsgs, bytes: st.inBytes },
      slow_consumers: st.slowConsumers,
      active_servers: 1,
    };
  }

  private reply(account: Account, reply: string | undefined, payload: Record<string, unknown>): void {
    if (reply === undefined) return;
    this.server.publishInternal(account, reply, undefined, JSON.stringify({ server: this.serverInfo(), ...payload }));
  }

  private answerServer(what: string, reply: string | undefined, options: Record<string, unknown> = {}): void {
    const sys = this.account!;
    if (!SERVER_ENDPOINTS.has(what)) return;
    if (!matchesFilters(this.server, options)) return;
    if (what === "STATSZ") return this.reply(sys, reply, { statsz: this.statsz() });
    if (what === "IDZ") return this.reply(sys, reply, { data: { name: this.server.name, host: this.server.opts.host, id: this.server.id } });
    const data = this.monitorProvider?.(what, options);
    if (data === undefined) return this.reply(sys, reply, { error: { code: 503, description: `${what.toLowerCase()} not available` } });
    this.reply(sys, reply, { data });
  }

  private answerAccount(acc: string, what: string, replyIn: Account, reply: string | undefined, options: Record<string, unknown> = {}): void {
    if (!ACCOUNT_ENDPOINTS.has(what)) return;
    const a = this.registry.get(acc);
    if (a === undefined) return this.reply(replyIn, reply, { error: { code: 404, description: `account "${acc}" not found` } });
    if (what === "CONNS") return this.reply(replyIn, reply, { data: this.accountConnsData(a) });
    if (what === "STATZ") return this.reply(replyIn, reply, { data: { account_statz: [this.accountConnsData(a)] } });
    const data = this.monitorProvider?.(what, options, acc);
    if (data === undefined) return this.reply(replyIn, reply, { error: { code: 503, description: `${what.toLowerCase()} not available` } });
    this.reply(replyIn, reply, { data });
  }
}

function lastToken(subject: string): string {
  return subject.slice(subject.lastIndexOf(".") + 1);
}

/** A request body as options (JSON object), ignoring headers; anything else is no options. */
function body(payload: Buffer, hdrLen: number): Record<string, unknown> {
  const b = hdrLen > 0 ? payload.subarray(hdrLen) : payload;
  if (b.length === 0) return {};
  try {
    const v: unknown = JSON.parse(b.toString("utf8"));
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The server filters of a PING request (`server_name`, `host`...): a server that does not match stays silent. */
function matchesFilters(s: SystemHost, o: Record<string, unknown>): boolean {
  if (typeof o.server_name === "string" && o.server_name !== "" && !s.name.includes(o.server_name)) return false;
  if (typeof o.host === "string" && o.host !== "" && !s.opts.host.includes(o.host)) return false;
  return true;
}
