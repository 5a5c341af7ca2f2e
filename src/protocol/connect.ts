/** The CONNECT op's JSON (spec §1.3): the fields the server acts on, read with their defaults. */
export interface ConnectInfo {
  verbose: boolean;
  pedantic: boolean;
  echo: boolean;
  headers: boolean;
  noResponders: boolean;
  protocol: number;
  name: string;
  lang: string;
  version: string;
  tlsRequired: boolean;
  user?: string;
  pass?: string;
  authToken?: string;
  nkey?: string;
  sig?: string;
  jwt?: string;
}

/** Before CONNECT nats-server treats a client as verbose and pedantic, with echo on (observed). */
export function initialConnectInfo(): ConnectInfo {
  return {
    verbose: true,
    pedantic: true,
    echo: true,
    headers: false,
    noResponders: false,
    protocol: 0,
    name: "",
    lang: "",
    version: "",
    tlsRequired: false,
  };
}

const BOOLS = {
  verbose: "verbose",
  pedantic: "pedantic",
  echo: "echo",
  headers: "headers",
  no_responders: "noResponders",
  tls_required: "tlsRequired",
} as const;
const STRINGS = {
  name: "name",
  lang: "lang",
  version: "version",
  user: "user",
  pass: "pass",
  auth_token: "authToken",
  nkey: "nkey",
  sig: "sig",
  jwt: "jwt",
} as const;

/**
 * Parses CONNECT's argument over the client's current options: like nats-server (Go's JSON decoding into
 * the existing struct), a field that is absent or null keeps its value — so `{"verbose":false}` leaves a
 * client pedantic. Returns undefined when the JSON is not an object or a known field has the wrong type;
 * nats-server then closes the connection without -ERR.
 */
export function parseConnect(json: string, current: ConnectInfo): ConnectInfo | undefined {
  let raw: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(json);
    // Go decodes `null` into the existing options as a no-op.
    if (v === null) return { ...current };
    if (typeof v !== "object" || Array.isArray(v)) return undefined;
    raw = v as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const next: ConnectInfo = { ...current };
  for (const [k, field] of Object.entries(BOOLS)) {
    const v = raw[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== "boolean") return undefined;
    next[field] = v;
  }
  for (const [k, field] of Object.entries(STRINGS)) {
    const v = raw[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string") return undefined;
    next[field] = v;
  }
  const proto = raw.protocol;
  if (proto !== undefined && proto !== null) {
    if (typeof proto !== "number" || !Number.isInteger(proto)) return undefined;
    next.protocol = proto;
  }
  return next;
}
