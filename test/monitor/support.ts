/**
 * Plumbing for monitoring tests: HTTP GETs against a monitor port, raw clients with a chosen CONNECT,
 * embedded servers from config text, and the shapes (paths and JSON types) of monitoring answers for
 * differential comparison.
 */
import { optionsFromConfig } from "../../src/config/from-config.js";
import { parseConfigText } from "../../src/config/conf-parser.js";
import { startServer, type RunningServer, type StartOptions } from "../../src/index.js";
import { RawClient } from "../e2e/raw-client.js";

/**
 * Accounts A and B (B imports A's stream `ev.>` under `fromA` and its service `svc.x` as `asvc`), and the
 * system account SYS with user `sys`.
 */
export const ACCOUNTS_CONFIG = `
accounts {
  A: { users: [ {user: a, password: a} ], exports: [ {stream: "ev.>"}, {service: "svc.>", accounts: [B], response_type: stream} ] }
  B: { users: [ {user: b, password: b} ], imports: [ {stream: {account: A, subject: "ev.>"}, prefix: fromA}, {service: {account: A, subject: "svc.x"}, to: asvc} ] }
  SYS: { users: [ {user: sys, password: sys} ] }
}
system_account: SYS
`;

/** An embedded server (127.0.0.1, free ports, HTTP monitor) configured by config-file text. */
export function startConfigured(config: string, extra: StartOptions = {}): Promise<RunningServer> {
  const { patch } = optionsFromConfig(parseConfigText(config));
  return startServer({ ...(patch as StartOptions), port: -1, httpPort: -1, ...extra });
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

export async function get(port: number, path: string, method = "GET"): Promise<HttpAnswer> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

/** GETs `path` and parses its JSON; fails with the body when the answer is not 200. */
export async function getJson(port: number, path: string): Promise<Record<string, unknown>> {
  const r = await get(port, path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.text}`);
  return JSON.parse(r.text) as Record<string, unknown>;
}

export function connectLine(fields: Record<string, unknown>): string {
  return `CONNECT ${JSON.stringify({ verbose: false, pedantic: false, protocol: 1, headers: true, ...fields })}\r\n`;
}

/** A raw client that sent CONNECT with `fields` and whose CONNECT the server has processed. */
export async function rawClient(port: number, fields: Record<string, unknown>): Promise<RawClient> {
  const c = await RawClient.open(port, connectLine(fields));
  await c.sync();
  return c;
}

export interface Activity {
  /** Subscriber: name alpha, lang node, version 1.2.3; SUB foo 1, SUB bar q1 2, SUB foo.> 3. */
  alpha: RawClient;
  /** Publisher without name: PUB foo "hello", PUB bar "hi". */
  beta: RawClient;
  close(): void;
}

/**
 * The client activity every monitoring test looks at: two open connections that exchanged two messages
 * (7 payload bytes), and a third connection ("gone", with SUB x 9) that connected after them and hung up.
 */
export async function standardActivity(port: number, waitClosed: () => Promise<void>): Promise<Activity> {
  const alpha = await rawClient(port, { name: "alpha", lang: "node", version: "1.2.3" });
  alpha.send("SUB foo 1\r\nSUB bar q1 2\r\nSUB foo.> 3\r\n");
  await alpha.sync();
  const beta = await rawClient(port, {});
  beta.send("PUB foo 5\r\nhello\r\nPUB bar 2\r\nhi\r\n");
  await beta.sync();
  await alpha.sync();
  const gone = await rawClient(port, { name: "gone" });
  gone.send("SUB x 9\r\n");
  await gone.sync();
  gone.destroy();
  await waitClosed();
  return {
    alpha,
    beta,
    close() {
      alpha.destroy();
      beta.destroy();
    },
  };
}

/** Resolves once `probe` holds, polling every 20 ms; rejects naming `what` after `ms`. */
export async function until(probe: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until the server at `monitorPort` lists the connection named "gone" as closed. */
export function goneClosed(monitorPort: number): () => Promise<void> {
  const listed = async () => ((await getJson(monitorPort, "/connz?state=closed")).connections as { name?: string }[]).some((c) => c.name === "gone");
  return () => until(listed, 5000, 'the closed connection "gone" in /connz');
}

export type JsonType = "object" | "array" | "string" | "number" | "boolean" | "null";

function typeOf(v: unknown): JsonType {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v as JsonType;
}

/**
 * Every path in a JSON value with its type, as sorted "path: type" lines. Array elements share the path
 * `name[]`, so a list's shape is the union of its elements' shapes.
 */
export function shape(value: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, path: string) => {
    out.add(`${path}: ${typeOf(v)}`);
    if (Array.isArray(v)) for (const e of v) walk(e, `${path}[]`);
    else if (v !== null && typeof v === "object") for (const [k, e] of Object.entries(v)) walk(e, `${path}.${k}`);
  };
  walk(value, "");
  return [...out].sort();
}

/**
 * Field-order disagreements between two JSON values: for objects at the same path (the first element of
 * arrays), the keys both have must come in the same order. Returns "path: a-order != b-order" lines.
 */
export function orderDifferences(a: unknown, b: unknown, path = ""): string[] {
  if (Array.isArray(a) && Array.isArray(b)) return a.length > 0 && b.length > 0 ? orderDifferences(a[0], b[0], `${path}[]`) : [];
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object" || Array.isArray(a) || Array.isArray(b)) return [];
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => k in rb);
  const kb = Object.keys(rb).filter((k) => k in ra);
  const out = ka.join(",") === kb.join(",") ? [] : [`${path}: ${ka.join(",")} != ${kb.join(",")}`];
  for (const k of ka) out.push(...orderDifferences(ra[k], rb[k], `${path}.${k}`));
  return out;
}
