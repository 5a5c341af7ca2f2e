/**
 * The $JS.API request router: maps `$JS.API.<tokens>` (and `$JS.<domain>.API.<tokens>` when a domain is
 * configured) to handlers, runs them, and answers with nats-server's JSON: `{"type":…, …}` on success,
 * `{"type":…, "error":{code, err_code, description}, …}` on failure. Stream routes are registered by
 * stream-routes.ts, consumer routes by consumer-routes.ts, so the two sides never share a file.
 *
 * Ordering: requests of one account run one after another in arrival order (a CREATE that waits for the
 * disk is not overtaken by the INFO sent after it), except routes registered `inline`, which run at once
 * (pull requests, direct gets: they are not management calls and must not queue behind them).
 */
import type { Publisher } from "../../server/subscription.js";
import { ApiError, isApiError, jsError, jsErrorText } from "../errors.js";
import { goJson } from "../../util/go-json.js";
import type { StreamHandle } from "../contracts.js";
import { API_PREFIX, type ApiDispatcher, type AuditedRequest, type JsAccount } from "../js-account.js";

const TYPE_PREFIX = "io.nats.jetstream.api.v1.";

/** A handler's result: the response members after `type`, or undefined when the handler answered itself. */
export type ApiReply = Record<string, unknown> | undefined;

export interface ApiRequest extends AuditedRequest {
  /** The subject as received (`$JS.API.…` or `$JS.<domain>.API.…`). */
  readonly subject: string;
  /** The tokens after `$JS.API.`, e.g. ["STREAM", "INFO", "ORDERS"]. */
  readonly tokens: readonly string[];
  readonly reply: string | undefined;
  /** Header block (a copy), when the request had one. */
  readonly hdr: Buffer | undefined;
  /** Body (a copy). */
  readonly body: Buffer;
  /** The requesting client, when it is a client (not a server-internal publish). */
  readonly client: Publisher | undefined;
  readonly jsa: JsAccount;
  /** The body as a JSON object: `{}` for an empty body; ApiError 10025 when it is not valid JSON. */
  json<T extends object = Record<string, unknown>>(): T;
  /** Throws 10038 unless the body is empty. */
  requireEmpty(): void;
}

export type ApiHandler = (req: ApiRequest) => ApiReply | Promise<ApiReply>;

export interface RouteOptions {
  /** Members an error response carries after `error` (STREAM.INFO keeps its paging fields). */
  errorExtra?: Record<string, unknown>;
  /** Runs at once instead of after the account's earlier requests (see the file comment). */
  inline?: boolean;
  /** Counted in the API statistics and audited (default true; direct gets and pull requests are not). */
  audited?: boolean;
}

interface Route {
  tokens: string[];
  /** Full response type, e.g. io.nats.jetstream.api.v1.stream_info_response. */
  type: string;
  handler: ApiHandler;
  opts: RouteOptions;
}

/** Where requests arrive for a route that does not exist. */
const UNKNOWN_TYPE = `${TYPE_PREFIX}error_response`;

/** Runs for each stream recovered from disk at startup, before any request is served for it. */
export type StreamRecoveredHook = (jsa: JsAccount, stream: StreamHandle) => Promise<void> | void;

/**
 * Sees every response before it is sent (`type` is the full response type) and may add members: in
 * a cluster, the `cluster` member of infos, and consumer creates and deletes recorded in the meta group.
 */
export type ResponseHook = (req: ApiRequest, type: string, body: Record<string, unknown>, failed: boolean) => void;

export class ApiRouter implements ApiDispatcher {
  private readonly routes = new Map<string, Route[]>();
  readonly recoveredHooks: StreamRecoveredHook[] = [];
  responseHook: ResponseHook | undefined;
  private readonly queues = new WeakMap<JsAccount, Promise<void>>();

  /**
   * Registers `pattern` (tokens after `$JS.API.`; `*` matches one token, a final `>` one or more) with the
   * response type's short name, e.g. `add("STREAM.INFO.*", "stream_info_response", h)`.
   */
  add(pattern: string, responseType: string, handler: ApiHandler, opts: RouteOptions = {}): void {
    const tokens = pattern.split(".");
    const route: Route = { tokens, type: TYPE_PREFIX + responseType, handler, opts };
    const list = this.routes.get(tokens[0]!) ?? [];
    list.push(route);
    this.routes.set(tokens[0]!, list);
  }

  /** The consumer side restores a recovered stream's consumers here (see jsa.consumerDir). */
  onStreamRecovered(hook: StreamRecoveredHook): void {
    this.recoveredHooks.push(hook);
  }

  /** The full response type of the route that serves `apiSubject` (`$JS.API.…`), if one does. */
  responseType(apiSubject: string): string | undefined {
    return this.find(apiSubject.slice(API_PREFIX.length).split("."))?.type;
  }

  private find(tokens: readonly string[]): Route | undefined {
    const list = this.routes.get(tokens[0]!);
    if (list === undefined) return undefined;
    for (const r of list) if (matches(r.tokens, tokens)) return r;
    return undefined;
  }

  /**
   * One request in `jsa`'s account. `payload` is headers then body and is only valid during the call.
   * `apiSubject` is the subject with a domain prefix already mapped to `$JS.API.`.
   */
  dispatch(jsa: JsAccount, subject: string, apiSubject: string, reply: string | undefined, payload: Buffer, hdrLen: number, client: Publisher | undefined): void {
    const tokens = apiSubject.slice(API_PREFIX.length).split(".");
    const route = this.find(tokens);
    const hdr = hdrLen > 0 ? Buffer.from(payload.subarray(0, hdrLen)) : undefined;
    const body = Buffer.from(hdrLen > 0 ? payload.subarray(hdrLen) : payload);
    const req = makeRequest(subject, tokens, reply, hdr, body, client, jsa);
    if (route === undefined) {
      // nats-server 2.11+ answers a client's unknown API call with "bad request" (2.9 stays silent). A
      // request that came in through a service import gets no answer from 2.9.10 or 2.14.5: with
      // overlapping imports (`fromA.>` to `$JS.API.>` and `fromA.$KV.>` to `$KV.>`) a KV put reaches
      // both exporters, and the stream's PubAck must be the only reply.
      if (reply === undefined || !jsa.account.responses.has(reply)) this.send(jsa, req, UNKNOWN_TYPE, undefined, jsError("JSBadRequestErr"), true);
      return;
    }
    if (route.opts.inline) {
      void this.run(jsa, route, req);
      return;
    }
    const prev = this.queues.get(jsa) ?? Promise.resolve();
    const next = prev.then(() => this.run(jsa, route, req));
    this.queues.set(jsa, next);
  }

  private async run(jsa: JsAccount, route: Route, req: ApiRequest): Promise<void> {
    const audited = route.opts.audited !== false;
    if (audited) jsa.apiStats.inflight++;
    let result: ApiReply;
    let error: ApiError | undefined;
    try {
      if (!jsa.enabled && audited) throw jsError("JSNotEnabledForAccountErr");
      result = await route.handler(req);
    } catch (e) {
      error = isApiError(e) ? e : internalError(jsa, req, e);
    } finally {
      if (audited) jsa.apiStats.inflight--;
    }
    if (error === undefined && result === undefined) {
      if (audited) jsa.countApi(false);
      return;
    }
    this.send(jsa, req, route.type, result, error, audited, route.opts.errorExtra);
  }

  private send(jsa: JsAccount, req: ApiRequest, type: string, result: ApiReply, error: ApiError | undefined, audited: boolean, errorExtra?: Record<string, unknown>): void {
    const body: Record<string, unknown> = error === undefined ? { type, ...result } : { type, error, ...errorExtra };
    this.responseHook?.(req, type, body, error !== undefined);
    const text = goJson(body);
    if (audited) jsa.countApi(error !== undefined);
    if (req.reply !== undefined) jsa.server.publishInternal(jsa.account, req.reply, undefined, text);
    if (audited) jsa.auditApi(req, text);
  }
}

function matches(pattern: readonly string[], tokens: readonly string[]): boolean {
  const n = pattern.length;
  if (pattern[n - 1] === ">") {
    if (tokens.length < n) return false;
  } else if (tokens.length !== n) {
    return false;
  }
  for (let i = 0; i < n; i++) {
    const p = pattern[i]!;
    if (p === ">") return true;
    if (p !== "*" && p !== tokens[i]) return false;
  }
  return true;
}

function makeRequest(subject: string, tokens: string[], reply: string | undefined, hdr: Buffer | undefined, body: Buffer, client: Publisher | undefined, jsa: JsAccount): ApiRequest {
  return {
    subject,
    tokens,
    reply,
    hdr,
    body,
    client,
    jsa,
    json<T extends object>(): T {
      if (isBlank(body)) return {} as T;
      let v: unknown;
      try {
        v = JSON.parse(body.toString("utf8"));
      } catch {
        throw jsError("JSInvalidJSONErr");
      }
      if (v === null) return {} as T;
      if (typeof v !== "object" || Array.isArray(v)) throw jsError("JSInvalidJSONErr");
      return v as T;
    },
    requireEmpty(): void {
      if (!isBlank(body)) throw jsError("JSNotEmptyRequestErr");
    },
  };
}

function isBlank(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return true;
}

/** A handler bug or an I/O failure: logged, and answered as nats-server answers unexpected errors. */
function internalError(jsa: JsAccount, req: ApiRequest, e: unknown): ApiError {
  const msg = e instanceof Error ? e.message : String(e);
  jsa.server.logger.error(`JetStream API ${req.subject}: ${e instanceof Error && e.stack ? e.stack : msg}`);
  return jsErrorText("JSStreamGeneralErrorF", msg);
}
