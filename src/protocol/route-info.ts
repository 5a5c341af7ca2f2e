/**
 * The JSON of the route handshake (spec §7.1): the INFO servers exchange (first on accept, then
 * asynchronously for gossip, lame duck and permission changes) and the CONNECT a soliciting server
 * sends. Field names, order and omission rules are nats-server's `Info` and route `connectInfo`
 * structs: 2.9.10's fields, plus the ones newer peers negotiate (pooling, compression, `lnocu`,
 * gossip mode), in the struct order of the newest release so that both encode byte for byte.
 *
 * Decoding is Go's: unknown fields are ignored, a known field of the wrong JSON type is an error with
 * Go's text (nats-server logs it and closes the route), `null` leaves a field unset.
 */
import { goJson } from "../util/go-json.js";

/** A route's `import`/`export` permission as it travels (nats-server's SubjectPermission). */
export interface WireSubjectPermission {
  allow?: string[];
  deny?: string[];
}

export interface RouteInfo {
  serverId: string;
  serverName: string;
  version: string;
  /** Route protocol level: 2.9.10 sends 2 (accounts in RS+/RMSG). */
  proto: number;
  gitCommit?: string;
  go: string;
  host: string;
  port: number;
  headers: boolean;
  authRequired?: boolean;
  tlsRequired?: boolean;
  tlsVerify?: boolean;
  tlsAvailable?: boolean;
  maxPayload: number;
  jetstream?: boolean;
  /** `nats-route://host:port/`: where peers told of this server (gossip) should connect. */
  ip?: string;
  clientId?: number;
  clientIp?: string;
  nonce?: string;
  cluster?: string;
  clusterDynamic?: boolean;
  domain?: string;
  /** Client URLs (`host:port`) this server serves, for the cluster's clients to fail over to. */
  connectUrls?: string[];
  wsConnectUrls?: string[];
  ldm?: boolean;
  /** 2.10+: the compression mode offered or chosen. */
  compression?: string;
  /** 2.10+: this INFO answers a CONNECT (see infoOnConnect). */
  connectInfo?: boolean;
  remoteAccount?: string;
  accIsSys?: boolean;
  apiLevel?: number;
  import?: WireSubjectPermission;
  export?: WireSubjectPermission;
  /** Understands LS+/LS-/LMSG (leaf-origin interest and messages). */
  lnoc?: boolean;
  /** 2.11+: LS- carries the origin cluster. */
  lnocu?: boolean;
  /** 2.10+: asks the accepting side to answer CONNECT with an INFO. */
  infoOnConnect?: boolean;
  routePoolSize?: number;
  routePoolIdx?: number;
  routeAccount?: string;
  routeAccReqId?: string;
  gossipMode?: number;
  gateway?: string;
  gatewayUrls?: string[];
  gatewayUrl?: string;
  gatewayCmd?: number;
  /** Go []byte: base64 on the wire. */
  gatewayCmdPayload?: string;
  gatewayNrp?: boolean;
  gatewayIom?: boolean;
  leafnodeUrls?: string[];
  xkey?: string;
}

export interface RouteConnect {
  echo: boolean;
  verbose: boolean;
  pedantic: boolean;
  user?: string;
  pass?: string;
  tlsRequired: boolean;
  headers: boolean;
  /** The soliciting server's id. */
  name: string;
  cluster: string;
  clusterDynamic?: boolean;
  lnoc?: boolean;
  lnocu?: boolean;
  /** Set only by a gateway that dialled the route port by mistake; nats-server refuses it. */
  gateway?: string;
  /** Set only by a client that dialled the route port by mistake; nats-server refuses it. */
  lang?: string;
}

export type Kind = "string" | "int" | "bool" | "strings" | "perm" | "byte";

/** [json key, field, kind, omitempty]: the Go struct's fields in order. */
export type Field<T> = readonly [string, keyof T & string, Kind, boolean];

const INFO_FIELDS: readonly Field<RouteInfo>[] = [
  ["server_id", "serverId", "string", false],
  ["server_name", "serverName", "string", false],
  ["version", "version", "string", false],
  ["proto", "proto", "int", false],
  ["git_commit", "gitCommit", "string", true],
  ["go", "go", "string", false],
  ["host", "host", "string", false],
  ["port", "port", "int", false],
  ["headers", "headers", "bool", false],
  ["auth_required", "authRequired", "bool", true],
  ["tls_required", "tlsRequired", "bool", true],
  ["tls_verify", "tlsVerify", "bool", true],
  ["tls_available", "tlsAvailable", "bool", true],
  ["max_payload", "maxPayload", "int", false],
  ["jetstream", "jetstream", "bool", true],
  ["ip", "ip", "string", true],
  ["client_id", "clientId", "int", true],
  ["client_ip", "clientIp", "string", true],
  ["nonce", "nonce", "string", true],
  ["cluster", "cluster", "string", true],
  ["cluster_dynamic", "clusterDynamic", "bool", true],
  ["domain", "domain", "string", true],
  ["connect_urls", "connectUrls", "strings", true],
  ["ws_connect_urls", "wsConnectUrls", "strings", true],
  ["ldm", "ldm", "bool", true],
  ["compression", "compression", "string", true],
  ["connect_info", "connectInfo", "bool", true],
  ["remote_account", "remoteAccount", "string", true],
  ["acc_is_sys", "accIsSys", "bool", true],
  ["api_lvl", "apiLevel", "int", true],
  ["import", "import", "perm", true],
  ["export", "export", "perm", true],
  ["lnoc", "lnoc", "bool", true],
  ["lnocu", "lnocu", "bool", true],
  ["info_on_connect", "infoOnConnect", "bool", true],
  ["route_pool_size", "routePoolSize", "int", true],
  ["route_pool_idx", "routePoolIdx", "int", true],
  ["route_account", "routeAccount", "string", true],
  ["route_acc_add_reqid", "routeAccReqId", "string", true],
  ["gossip_mode", "gossipMode", "byte", true],
  ["gateway", "gateway", "string", true],
  ["gateway_urls", "gatewayUrls", "strings", true],
  ["gateway_url", "gatewayUrl", "string", true],
  ["gateway_cmd", "gatewayCmd", "byte", true],
  ["gateway_cmd_payload", "gatewayCmdPayload", "string", true],
  ["gateway_nrp", "gatewayNrp", "bool", true],
  ["gateway_iom", "gatewayIom", "bool", true],
  ["leafnode_urls", "leafnodeUrls", "strings", true],
  ["xkey", "xkey", "string", true],
];

const CONNECT_FIELDS: readonly Field<RouteConnect>[] = [
  ["echo", "echo", "bool", false],
  ["verbose", "verbose", "bool", false],
  ["pedantic", "pedantic", "bool", false],
  ["user", "user", "string", true],
  ["pass", "pass", "string", true],
  ["tls_required", "tlsRequired", "bool", false],
  ["headers", "headers", "bool", false],
  ["name", "name", "string", false],
  ["cluster", "cluster", "string", false],
  ["cluster_dynamic", "clusterDynamic", "bool", true],
  ["lnoc", "lnoc", "bool", true],
  ["lnocu", "lnocu", "bool", true],
  ["gateway", "gateway", "string", true],
];

/** Go's omitempty: false, 0, "", an empty list, an absent value. */
function isEmpty(v: unknown): boolean {
  return v === undefined || v === false || v === 0 || v === "" || (Array.isArray(v) && v.length === 0);
}

export function encodeFields<T extends object>(fields: readonly Field<T>[], value: T): string {
  const out: Record<string, unknown> = {};
  for (const [key, field, kind, omitEmpty] of fields) {
    const v = (value as Record<string, unknown>)[field];
    if (omitEmpty && isEmpty(v)) continue;
    if (kind === "perm") {
      if (v === undefined) continue;
      const p = v as WireSubjectPermission;
      // SubjectPermission's own fields are omitempty.
      out[key] = { ...(p.allow?.length && { allow: p.allow }), ...(p.deny?.length && { deny: p.deny }) };
    } else out[key] = v ?? (kind === "string" ? "" : kind === "bool" ? false : kind === "strings" ? null : 0);
  }
  return goJson(out);
}

/** `INFO {...} \r\n` (nats-server puts a space before the line end). */
export function encodeRouteInfo(info: RouteInfo): string {
  return `INFO ${encodeFields(INFO_FIELDS, info)} \r\n`;
}

/** `CONNECT {...}\r\n`. */
export function encodeRouteConnect(connect: RouteConnect): string {
  return `CONNECT ${encodeFields(CONNECT_FIELDS, connect)}\r\n`;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };

const GO_TYPES: Record<Kind, string> = {
  string: "string",
  int: "int",
  bool: "bool",
  strings: "[]string",
  perm: "server.SubjectPermission",
  byte: "uint8",
};

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "object") return "object";
  return typeof v;
}

/** A JSON value as the Go field type wants it, or undefined when Go would refuse it. */
function convert(kind: Kind, v: unknown): unknown {
  switch (kind) {
    case "string":
      return typeof v === "string" ? v : undefined;
    case "bool":
      return typeof v === "boolean" ? v : undefined;
    case "int":
      return typeof v === "number" && Number.isInteger(v) ? v : undefined;
    case "byte":
      return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= 255 ? v : undefined;
    case "strings":
      return Array.isArray(v) && v.every((s) => typeof s === "string") ? v : undefined;
    case "perm": {
      if (typeof v !== "object" || Array.isArray(v)) return undefined;
      const p = v as Record<string, unknown>;
      const out: WireSubjectPermission = {};
      for (const side of ["allow", "deny"] as const) {
        const list = p[side];
        if (list === undefined || list === null) continue;
        if (!Array.isArray(list) || !list.every((s) => typeof s === "string")) return undefined;
        out[side] = list as string[];
      }
      return out;
    }
  }
}

export function decodeFields<T>(fields: readonly Field<T>[], struct: string, json: string, defaults: T): Decoded<T> {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return { ok: false, error: goSyntaxError(json) };
  }
  if (raw === null) return { ok: true, value: defaults };
  if (typeof raw !== "object" || Array.isArray(raw))
    return { ok: false, error: `json: cannot unmarshal ${jsonType(raw)} into Go value of type server.${struct}` };
  const value = { ...defaults } as Record<string, unknown>;
  for (const [key, field, kind] of fields) {
    const v = (raw as Record<string, unknown>)[key];
    if (v === undefined || v === null) continue;
    const converted = convert(kind, v);
    if (converted === undefined) {
      const what = typeof v === "number" && kind === "int" ? `number ${v}` : jsonType(v);
      return { ok: false, error: `json: cannot unmarshal ${what} into Go struct field ${struct}.${key} of type ${GO_TYPES[kind]}` };
    }
    value[field] = converted;
  }
  return { ok: true, value: value as T };
}

/** Go's text for the commonest syntax errors (a bad first character, a bad first key); a generic one otherwise. */
function goSyntaxError(json: string): string {
  const text = json.trimStart();
  const first = text[0];
  if (first === undefined) return "unexpected end of JSON input";
  if (!/[{["\-0-9tfn]/.test(first)) return `invalid character '${first}' looking for beginning of value`;
  const key = text.slice(1).trimStart()[0];
  if (first === "{" && key !== undefined && key !== '"' && key !== "}") return `invalid character '${key}' looking for beginning of object key string`;
  return "unexpected end of JSON input";
}

export function decodeRouteInfo(json: string): Decoded<RouteInfo> {
  return decodeFields<RouteInfo>(INFO_FIELDS, "Info", json, {
    serverId: "",
    serverName: "",
    version: "",
    proto: 0,
    go: "",
    host: "",
    port: 0,
    headers: false,
    maxPayload: 0,
  });
}

export function decodeRouteConnect(json: string): Decoded<RouteConnect> {
  const decoded = decodeFields<RouteConnect>(CONNECT_FIELDS, "connectInfo", json, {
    echo: false,
    verbose: false,
    pedantic: false,
    tlsRequired: false,
    headers: false,
    name: "",
    cluster: "",
  });
  if (!decoded.ok) return decoded;
  // nats-server reads CONNECT as a client's first: `lang` tells a client that dialled the route port.
  const lang = (JSON.parse(json) as Record<string, unknown> | null)?.lang;
  if (typeof lang === "string" && lang !== "") decoded.value.lang = lang;
  return decoded;
}
