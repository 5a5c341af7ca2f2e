/**
 * The top-level `tls` block with nats-server's keys and error texts. Certificates are only named here;
 * whether they can be read is checked when the tls layer loads them (at start, under -t, on reload).
 */
import type { ConfEntry, ConfValue } from "./conf-tree.js";
import type { FieldReader } from "./field-reader.js";
import type { OptionsPatch } from "./options.js";
import { CURVES, isKnownCipherSuite, TLS_VERSIONS, type TlsVersion } from "./tls-names.js";
import { defaultTlsOptions, DEFAULT_TLS_FIRST_FALLBACK_MS, type TlsOptions } from "./tls-options.js";
import { DurationError, parseGoDuration } from "../util/duration.js";

type TlsHandler = (e: ConfEntry, r: FieldReader, t: TlsOptions) => void;

const PREFIX = "error parsing tls config, ";
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

function str(set: (t: TlsOptions, v: string) => void): TlsHandler {
  return (e, r, t) => {
    if (e.value.kind === "string") set(t, e.value.value);
    else r.error(e.keyPos, `${PREFIX}expected '${e.key}' to be filename`);
  };
}

function bool(set: (t: TlsOptions, v: boolean) => void): TlsHandler {
  return (e, r, t) => {
    if (e.value.kind === "bool") set(t, e.value.value);
    else r.error(e.keyPos, `${PREFIX}expected '${e.key}' to be a boolean`);
  };
}

/** The items of a list field; nats-server refuses an empty list. */
function items(e: ConfEntry, r: FieldReader): ConfValue[] | undefined {
  const v = e.value;
  const list = v.kind === "array" ? v.value : [v];
  if (list.length === 0) return r.error(e.keyPos, `${PREFIX}'${e.key}' cannot be empty`);
  return list;
}

function duration(e: ConfEntry, r: FieldReader, text: string): number | undefined {
  try {
    return parseGoDuration(text);
  } catch (err) {
    if (err instanceof DurationError) return r.error(e.keyPos, `${PREFIX}${err.message}`);
    throw err;
  }
}

const handshakeFirst: TlsHandler = (e, r, t) => {
  const v = e.value;
  if (v.kind === "bool") {
    t.handshakeFirst = v.value;
    delete t.handshakeFirstFallbackMs;
    return;
  }
  if (v.kind !== "string") return void r.error(e.keyPos, `${PREFIX}'${e.key}' should be a boolean or a string`);
  const text = v.value.toLowerCase();
  if (text === "true" || text === "on" || text === "false" || text === "off") {
    t.handshakeFirst = text === "true" || text === "on";
    delete t.handshakeFirstFallbackMs;
    return;
  }
  const ms = text === "auto" || text === "auto_fallback" ? DEFAULT_TLS_FIRST_FALLBACK_MS : duration(e, r, v.value);
  if (ms === undefined) return;
  t.handshakeFirst = true;
  t.handshakeFirstFallbackMs = ms;
};

const HANDLERS: Record<string, TlsHandler> = {
  cert_file: str((t, v) => (t.certFile = v)),
  key_file: str((t, v) => (t.keyFile = v)),
  ca_file: str((t, v) => (t.caFile = v)),
  verify: bool((t, v) => (t.verify = v)),
  verify_and_map: bool((t, v) => {
    t.verifyAndMap = v;
    if (v) t.verify = true;
  }),
  insecure: bool((t, v) => (t.insecure = v)),
  timeout: (e, r, t) => {
    const v = e.value;
    if (v.kind === "int" || v.kind === "float") t.timeoutMs = v.value * 1000;
    else if (v.kind === "string") {
      const ms = duration(e, r, v.value);
      if (ms !== undefined) t.timeoutMs = ms;
    } else r.error(e.keyPos, `${PREFIX}'timeout' wrong type`);
  },
  cipher_suites: (e, r, t) => {
    const list = items(e, r);
    if (!list) return;
    const names: string[] = [];
    for (const item of list) {
      const name = item.kind === "string" ? item.value : String(item.value);
      if (!isKnownCipherSuite(name)) r.error(item.pos, `unrecognized cipher ${name}`);
      else names.push(name);
    }
    t.cipherSuites = names;
  },
  curve_preferences: (e, r, t) => {
    const list = items(e, r);
    if (!list) return;
    const names: string[] = [];
    for (const item of list) {
      const name = item.kind === "string" ? item.value : String(item.value);
      if (!CURVES.has(name)) r.error(item.pos, `unrecognized curve preference ${name}`);
      else names.push(name);
    }
    t.curvePreferences = names;
  },
  min_version: (e, r, t) => {
    const v = e.value;
    const text = v.kind === "string" || v.kind === "float" ? String(v.value) : undefined;
    if (text !== undefined && (TLS_VERSIONS as readonly string[]).includes(text)) t.minVersion = text as TlsVersion;
    else if (text === "1.0" || text === "1.1") r.error(e.keyPos, `${PREFIX}unsupported TLS version: ${text}`);
    else r.error(e.keyPos, `${PREFIX}unknown version: ${text ?? String(v.value)}`);
  },
  pinned_certs: (e, r, t) => {
    const list = items(e, r);
    if (!list) return;
    const pins: string[] = [];
    for (const item of list) {
      const pin = item.kind === "string" ? item.value : String(item.value);
      if (!HEX_SHA256.test(pin))
        r.error(item.pos, `${PREFIX}'pinned_certs' key ${pin} does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo`);
      else pins.push(pin.toLowerCase());
    }
    t.pinnedCerts = pins;
  },
  handshake_first: handshakeFirst,
  first: handshakeFirst,
  immediate: handshakeFirst,
  connection_rate_limit: (e, r, t) => {
    if (e.value.kind === "int") t.connectionRateLimit = e.value.value;
    else r.error(e.keyPos, `${PREFIX}expected 'connection_rate_limit' to be an integer`);
  },
};

/** Which listener a `tls` block is for: some keys only make sense between servers. */
export type TlsContext = "client" | "route";

/** Reads a `tls { ... }` block (the client listener's, or a `cluster` block's). */
export function readTlsBlock(e: ConfEntry, r: FieldReader, context: TlsContext): TlsOptions | undefined {
  if (e.value.kind !== "map") return r.error(e.keyPos, `${PREFIX}expected a map, got ${e.value.kind === "array" ? "an array" : `a ${e.value.kind}`}`);
  const t = defaultTlsOptions();
  for (const f of e.value.value.values()) {
    const key = f.key.toLowerCase();
    if (key === "verify_cert_and_check_known_urls") {
      if (context === "client") r.error(f.keyPos, `${f.key} not supported in this context`);
      else bool((o, v) => (o.checkKnownUrls = v))(f, r, t);
      continue;
    }
    const handler = Object.hasOwn(HANDLERS, key) ? HANDLERS[key] : undefined;
    if (handler) handler(f, r, t);
    else if (!f.usedAsVariable) r.error(f.keyPos, `${PREFIX}unknown field [${JSON.stringify(f.key)}]`);
  }
  if (t.certFile !== undefined && t.keyFile === undefined) r.error(e.keyPos, "missing 'key_file' in TLS configuration");
  else if (t.keyFile !== undefined && t.certFile === undefined) r.error(e.keyPos, "missing 'cert_file' in TLS configuration");
  return t;
}

/** Reads the top-level `tls { ... }` into `patch.tls`. */
export function readTls(e: ConfEntry, r: FieldReader, patch: OptionsPatch): void {
  const t = readTlsBlock(e, r, "client");
  if (t) patch.tls = t;
}
