/**
 * The nats CLI's global connection flags, their environment variables, and how they combine with the
 * selected context: a flag or variable given wins over the context's value, the context over defaults.
 */
import { Option, type Command } from "commander";
import { loadContext, selectedContext, emptySettings, type ContextSettings } from "./contexts.js";
import { parseDuration } from "./format/units.js";
import { CLI_VERSION } from "./version.js";

export interface GlobalFlags {
  server?: string;
  user?: string;
  password?: string;
  token?: string;
  creds?: string;
  nkey?: string;
  tlscert?: string;
  tlskey?: string;
  tlsca?: string;
  tlsfirst?: boolean;
  timeout: string;
  /** A context name, or false for --no-context. */
  context?: string | false;
  connectionName: string;
  inboxPrefix?: string;
  jsDomain?: string;
  jsApiPrefix?: string;
}

/** What a command needs to connect: the flags resolved against the context. */
export interface ConnectionSettings extends ContextSettings {
  /** Milliseconds to wait on responses. */
  timeoutMs: number;
  connectionName: string;
}

export function addGlobalOptions(program: Command): void {
  const opt = (flags: string, description: string, env?: string) => {
    const o = new Option(flags, description);
    return env ? o.env(env) : o;
  };
  program
    .addOption(opt("-s, --server <url>", "NATS server urls", "NATS_URL"))
    .addOption(opt("--user <user>", "Username or Token", "NATS_USER"))
    .addOption(opt("--password <password>", "Password", "NATS_PASSWORD"))
    .addOption(opt("--token <token>", "Token", "NATS_TOKEN"))
    .addOption(opt("--connection-name <name>", "Nickname to use for the underlying NATS Connection").default(`NATS CLI Version ${CLI_VERSION}`))
    .addOption(opt("--creds <file>", "User credentials", "NATS_CREDS"))
    .addOption(opt("--nkey <file>", "User NKEY", "NATS_NKEY"))
    .addOption(opt("--tlscert <file>", "TLS public certificate", "NATS_CERT"))
    .addOption(opt("--tlskey <file>", "TLS private key", "NATS_KEY"))
    .addOption(opt("--tlsca <file>", "TLS certificate authority chain", "NATS_CA"))
    .addOption(opt("--tlsfirst", "Perform TLS handshake before expecting the server greeting"))
    .addOption(opt("--timeout <duration>", "Time to wait on responses from NATS", "NATS_TIMEOUT").default("5s"))
    .addOption(opt("--js-api-prefix <prefix>", "Subject prefix for access to JetStream API"))
    .addOption(opt("--js-domain <domain>", "JetStream domain to access"))
    .addOption(opt("--inbox-prefix <prefix>", "Custom inbox prefix to use for inboxes"))
    .addOption(opt("--context <name>", "Configuration context", "NATS_CONTEXT"))
    .addOption(opt("--no-context", "Disable the selected context"));
}

/** Flags over context over defaults; the context is the named one, else the selected one. */
export function resolveSettings(flags: GlobalFlags): ConnectionSettings {
  // commander turns --no-context into context === false.
  const ctxFlag = flags.context;
  const name = ctxFlag === false ? "" : typeof ctxFlag === "string" ? ctxFlag : selectedContext();
  const base = name ? loadContext(name) : emptySettings();
  const pick = (flag: string | undefined, ctx: string) => flag ?? ctx;
  return {
    ...base,
    url: pick(flags.server, base.url) || "nats://127.0.0.1:4222",
    user: pick(flags.user, base.user),
    password: pick(flags.password, base.password),
    token: pick(flags.token, base.token),
    creds: pick(flags.creds, base.creds),
    nkey: pick(flags.nkey, base.nkey),
    cert: pick(flags.tlscert, base.cert),
    key: pick(flags.tlskey, base.key),
    ca: pick(flags.tlsca, base.ca),
    tls_first: flags.tlsfirst ?? base.tls_first,
    inbox_prefix: pick(flags.inboxPrefix, base.inbox_prefix),
    jetstream_domain: pick(flags.jsDomain, base.jetstream_domain),
    jetstream_api_prefix: pick(flags.jsApiPrefix, base.jetstream_api_prefix),
    timeoutMs: parseDuration(flags.timeout) / 1e6,
    connectionName: flags.connectionName,
  };
}
