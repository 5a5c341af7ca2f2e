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

/** Parses CONNECT's argument; undefined when it is not a JSON object (nats-server then closes silently). */
export function parseConnect(json: string): ConnectInfo | undefined {
  let raw: Record<string, unknown>;
  try {
    const v: unknown = JSON.parse(json);
    if (v === null || typeof v !== "object" || Array.isArray(v)) return undefined;
    raw = v as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const bool = (k: string, d: boolean): boolean => (typeof raw[k] === "boolean" ? (raw[k] as boolean) : d);
  const text = (k: string): string | undefined => (typeof raw[k] === "string" ? (raw[k] as string) : undefined);
  return {
    verbose: bool("verbose", false),
    pedantic: bool("pedantic", false),
    echo: bool("echo", true),
    headers: bool("headers", false),
    noResponders: bool("no_responders", false),
    tlsRequired: bool("tls_required", false),
    protocol: typeof raw.protocol === "number" ? raw.protocol : 0,
    name: text("name") ?? "",
    lang: text("lang") ?? "",
    version: text("version") ?? "",
    user: text("user"),
    pass: text("pass"),
    authToken: text("auth_token"),
    nkey: text("nkey"),
    sig: text("sig"),
    jwt: text("jwt"),
  };
}
