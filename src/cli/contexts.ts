/**
 * Contexts in the nats CLI's layout, so existing ones work: `$XDG_CONFIG_HOME/nats/context/NAME.json`
 * (else `~/.config/nats/context/`), and the selected name in `nats/context.txt`.
 * Invariant: a context name is a plain file name (no path separators, no leading dot), so it can never
 * address a file outside the context directory.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

/** The fields of a nats CLI context file that tsnats reads and writes (names as the file spells them). */
export interface ContextSettings {
  description: string;
  url: string;
  socks_proxy: string;
  token: string;
  user: string;
  password: string;
  creds: string;
  nkey: string;
  cert: string;
  key: string;
  ca: string;
  nsc: string;
  jetstream_domain: string;
  jetstream_api_prefix: string;
  jetstream_event_prefix: string;
  inbox_prefix: string;
  user_jwt: string;
  color_scheme: string;
  tls_first: boolean;
}

export function emptySettings(): ContextSettings {
  return {
    description: "", url: "", socks_proxy: "", token: "", user: "", password: "", creds: "", nkey: "",
    cert: "", key: "", ca: "", nsc: "", jetstream_domain: "", jetstream_api_prefix: "",
    jetstream_event_prefix: "", inbox_prefix: "", user_jwt: "", color_scheme: "", tls_first: false,
  };
}

function configDir(): string {
  return join(process.env["XDG_CONFIG_HOME"] || join(homedir(), ".config"), "nats");
}

export function contextDir(): string {
  return join(configDir(), "context");
}

export function validName(name: string): boolean {
  return name !== "" && !/[/\\]/.test(name) && !name.startsWith(".");
}

function assertName(name: string): void {
  if (!validName(name)) throw new Error(`invalid context name ${JSON.stringify(name)}`);
}

export function contextPath(name: string): string {
  assertName(name);
  return join(contextDir(), `${name}.json`);
}

export function knownContexts(): string[] {
  if (!existsSync(contextDir())) return [];
  return readdirSync(contextDir()).filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5)).sort();
}

export function loadContext(name: string): ContextSettings {
  const path = contextPath(name);
  if (!existsSync(path)) throw new Error(`unknown context "${name}"`);
  return { ...emptySettings(), ...(JSON.parse(readFileSync(path, "utf8")) as Partial<ContextSettings>) };
}

export function saveContext(name: string, settings: ContextSettings): void {
  mkdirSync(contextDir(), { recursive: true, mode: 0o700 });
  writeFileSync(contextPath(name), JSON.stringify(settings, null, "  ") + "\n", { mode: 0o600 });
}

export function removeContext(name: string): void {
  rmSync(contextPath(name));
  if (selectedContext() === name) rmSync(join(configDir(), "context.txt"), { force: true });
}

/** The selected context's name, or "" when none is. */
export function selectedContext(): string {
  const file = join(configDir(), "context.txt");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : "";
}

export function selectContext(name: string): void {
  if (!existsSync(contextPath(name))) throw new Error(`unknown context "${name}"`);
  mkdirSync(configDir(), { recursive: true, mode: 0o700 });
  writeFileSync(join(configDir(), "context.txt"), name);
}
