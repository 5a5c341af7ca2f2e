/**
 * JetStream in one account: its streams, its limits and usage, its API statistics, and the internal
 * subscriptions that bring `$JS.API.>` requests of this account to the router. Every account of a
 * JetStream-enabled server has one; `enabled` is false for accounts without JetStream, whose requests
 * are answered with 10039.
 */
import { join } from "node:path";
import type { Account } from "../server/account.js";
import type { Server } from "../server/server.js";
import type { Publisher, Subscription } from "../server/subscription.js";
import { fileStoreMsgSize, memStoreMsgSize } from "../store/index.js";
import { nanosToRfc3339, nowNanos } from "../util/nanos.js";
import type { StreamHandle } from "./contracts.js";
import { jsError, type ApiError } from "./errors.js";
import { nuid } from "../util/base62.js";
import type { JetStreamConfig } from "./js-config.js";
import { goJson } from "../util/go-json.js";
import { UNLIMITED, type JsAccountLimits } from "./limits.js";
import type { Stream, StreamAccount } from "./stream/stream.js";

/** The subjects of the JetStream API (`$JS.<domain>.API.` is mapped to it). */
export const API_PREFIX = "$JS.API.";
export const ADVISORY_PREFIX = "$JS.EVENT.ADVISORY.";
const AUDIT_SUBJECT = "$JS.EVENT.ADVISORY.API";

export interface ApiStats {
  total: number;
  errors: number;
  inflight: number;
}

export interface AccountUsage {
  memory: number;
  storage: number;
  reservedMemory: number;
  reservedStorage: number;
  streams: number;
  consumers: number;
  messages: number;
  bytes: number;
}

/**
 * What an account's JetStream needs from the server's (jetstream.ts implements it). Owned here, the
 * lower side, so that the server's JetStream can hold its accounts without the two importing each other.
 */
export interface JetStreamHost {
  readonly server: Server;
  readonly config: JetStreamConfig;
  readonly domain: string | undefined;
  readonly storeDir: string;
  readonly apiStats: ApiStats;
  /** Where the account's `$JS.API` requests go (the API router, or in a cluster who answers). */
  readonly dispatcher: ApiDispatcher;
  /**
   * Clustered JetStream: every server hears every API request (the subscriptions are announced over
   * routes) and exactly one answers.
   */
  readonly clustered: boolean;
}

export interface ApiDispatcher {
  /** `apiSubject` is `subject` with a domain prefix mapped to `$JS.API.`; `payload` is valid during the call only. */
  dispatch(jsa: JsAccount, subject: string, apiSubject: string, reply: string | undefined, payload: Buffer, hdrLen: number, client: Publisher | undefined): void;
}

/** What the audit advisory reports of an API request. */
export interface AuditedRequest {
  readonly subject: string;
  readonly body: Buffer;
  readonly client: Publisher | undefined;
}

export class JsAccount implements StreamAccount {
  readonly streams = new Map<string, Stream>();
  readonly apiStats: ApiStats = { total: 0, errors: 0, inflight: 0 };
  private readonly subs: Subscription[] = [];
  /** Stream names being created or restored right now (a second create of the same name must wait). */
  readonly reserved = new Set<string>();
  /** Called after a stream is added or removed (mirrors and sources look for their origins). */
  readonly streamListeners = new Set<() => void>();

  constructor(
    readonly js: JetStreamHost,
    readonly account: Account,
    public limits: JsAccountLimits | undefined,
  ) {}

  get enabled(): boolean {
    return this.limits !== undefined;
  }

  get effectiveLimits(): JsAccountLimits {
    return this.limits ?? UNLIMITED;
  }

  get server(): Server {
    return this.js.server;
  }

  get domain(): string | undefined {
    return this.js.domain;
  }

  /** `<store>/jetstream/<account>`: where this account's file streams live. */
  get dir(): string {
    return join(this.js.storeDir, this.account.name);
  }

  streamDir(name: string): string {
    return join(this.dir, "streams", name);
  }

  /** A stream by name, for the consumer side. */
  stream(name: string): StreamHandle | undefined {
    return this.streams.get(name);
  }

  /** Where a file stream's consumers keep their state: `<stream dir>/obs`; undefined for memory streams. */
  consumerDir(stream: StreamHandle): string | undefined {
    const s = this.streams.get(stream.name);
    return s?.dir === undefined ? undefined : join(s.dir, "obs");
  }

  streamsChanged(): void {
    for (const fn of this.streamListeners) fn();
  }

  // ---- API plumbing --------------------------------------------------------------------------------

  /**
   * Subscribes `$JS.API.>` (and the domain form) in the account. Stand-alone, local only: a server in a
   * cluster without clustered JetStream answers its own clients. Clustered, announced over routes.
   */
  listen(): void {
    const server = this.server;
    const router = this.js.dispatcher;
    const localOnly = !this.js.clustered;
    this.subs.push(
      server.subscribeInternal(this.account, `${API_PREFIX}>`, (subject, reply, payload, hdrLen, from) => {
        router.dispatch(this, subject, subject, reply, payload, hdrLen, from);
      }, undefined, localOnly),
    );
    const domain = this.js.domain;
    if (domain) {
      const prefix = `$JS.${domain}.API.`;
      this.subs.push(
        server.subscribeInternal(this.account, `${prefix}>`, (subject, reply, payload, hdrLen, from) => {
          router.dispatch(this, subject, API_PREFIX + subject.slice(prefix.length), reply, payload, hdrLen, from);
        }, undefined, localOnly),
      );
    }
  }

  unlisten(): void {
    for (const s of this.subs) this.server.unsubscribeInternal(this.account, s);
    this.subs.length = 0;
  }

  countApi(error: boolean): void {
    this.apiStats.total++;
    this.js.apiStats.total++;
    if (error) {
      this.apiStats.errors++;
      this.js.apiStats.errors++;
    }
  }

  /** Publishes an advisory if someone listens: `suffix` after `$JS.EVENT.ADVISORY.`. */
  advisory(suffix: string, type: string, body: Record<string, unknown>): void {
    const subject = ADVISORY_PREFIX + suffix;
    if (!this.hasInterest(subject)) return;
    const msg: Record<string, unknown> = { type: `io.nats.jetstream.advisory.v1.${type}`, id: nuid(), timestamp: nanosToRfc3339(nowNanos()), ...body };
    if (this.domain) msg.domain = this.domain;
    this.server.publishInternal(this.account, subject, undefined, goJson(msg));
  }

  auditApi(req: AuditedRequest, response: string): void {
    if (!this.hasInterest(AUDIT_SUBJECT)) return;
    const body: Record<string, unknown> = {
      type: "io.nats.jetstream.advisory.v1.api_audit",
      id: nuid(),
      timestamp: nanosToRfc3339(nowNanos()),
      server: this.server.name,
      client: clientInfo(this, req.client),
      subject: req.subject,
    };
    if (req.body.length > 0) body.request = req.body.toString("utf8");
    body.response = response;
    if (this.domain) body.domain = this.domain;
    this.server.publishInternal(this.account, AUDIT_SUBJECT, undefined, goJson(body));
  }

  private hasInterest(subject: string): boolean {
    const r = this.account.sublist.match(subject);
    return r.plain.length + r.queues.length > 0;
  }

  // ---- usage and limits ---------------------------------------------------------------------------

  usage(): AccountUsage {
    const u: AccountUsage = { memory: 0, storage: 0, reservedMemory: 0, reservedStorage: 0, streams: 0, consumers: 0, messages: 0, bytes: 0 };
    for (const s of this.streams.values()) {
      const st = s.store.state();
      u.streams++;
      u.consumers += s.consumers.size;
      u.messages += st.msgs;
      u.bytes += st.bytes;
      const reserve = s.cfg.max_bytes > 0 ? s.cfg.max_bytes : 0;
      if (s.cfg.storage === "memory") {
        u.memory += st.bytes;
        u.reservedMemory += reserve;
      } else {
        u.storage += st.bytes;
        u.reservedStorage += reserve;
      }
    }
    return u;
  }

  /**
   * The account's memory or storage quota would be passed by storing this message in `stream`:
   * nats-server answers 10047 / 10028. Only computed when the account (or server) has such a limit.
   */
  checkStoreUsage(stream: Stream, subject: string, hdr: Buffer | undefined, data: Buffer): ApiError | undefined {
    const memory = stream.cfg.storage === "memory";
    const max = this.quota(memory);
    if (max < 0) return undefined;
    // A stream with max_bytes has its share reserved already: its own limit applies.
    if (stream.cfg.max_bytes > 0) return undefined;
    const u = this.usage();
    const size = (memory ? memStoreMsgSize : fileStoreMsgSize)(Buffer.byteLength(subject), hdr?.length ?? 0, data.length);
    const used = memory ? u.memory + u.reservedMemory : u.storage + u.reservedStorage;
    if (used + size > max) return jsError(memory ? "JSMemoryResourcesExceededErr" : "JSStorageResourcesExceededErr");
    return undefined;
  }

  /** The memory or storage quota in force: the account's, else the server's; -1 for none. */
  quota(memory: boolean): number {
    const l = this.effectiveLimits;
    const own = memory ? l.maxMemory : l.maxStore;
    if (own >= 0) return own;
    const server = memory ? this.js.config.maxMemory : this.js.config.maxStore;
    return server >= 0 ? server : -1;
  }
}

/** The `client` object of an audit advisory. */
function clientInfo(jsa: JsAccount, c: Publisher | undefined): Record<string, unknown> {
  const o: Record<string, unknown> = { acc: jsa.account.name };
  if (c !== undefined) o.rtt = Math.round(c.rttMs * 1e6);
  o.server = jsa.server.name;
  return o;
}
