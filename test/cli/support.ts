/**
 * Plumbing for the tsnats CLI's tests: runs bin/tsnats as a child process (never synchronously, so an
 * embedded server in the test process keeps answering), in a config home of its own so the user's
 * contexts are neither read nor changed, and starts servers of both implementations.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import {
  PROJECT_ROOT, natsServerAvailable, startServerProcess, type Impl, type ServerProcess,
} from "../helpers/server-process.js";

export { suiteCleanup, waitUntil } from "../e2e/support.js";

export const CLI_BIN = join(PROJECT_ROOT, "bin/tsnats");

/** The servers every verb runs against: tsnats, and nats-server 2.9.10 where it is installed. */
export const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Extra environment; NATS_* variables of the test process never leak in. */
  env?: Record<string, string>;
  /** Written to the tool's stdin, which is closed after; without it stdin is closed at once. */
  input?: string;
  /** The config home (XDG_CONFIG_HOME); a fresh empty one unless given. */
  configHome?: string;
  timeoutMs?: number;
}

export function freshConfigHome(): string {
  return mkdtempSync(join(tmpdir(), "tsnats-cli-home-"));
}

export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("NATS_")) env[k] = v;
  Object.assign(env, { XDG_CONFIG_HOME: opts.configHome ?? freshConfigHome(), TZ: "UTC" }, opts.env);
  const child = spawn(process.execPath, [CLI_BIN, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(opts.input ?? "");
  const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
  return new Promise((resolve) => {
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts a long-running tool (sub, reply) and resolves once its stderr shows `ready` (at once for undefined). */
export interface RunningCli {
  done: Promise<CliResult>;
  /** What the tool printed on stdout so far. */
  stdout(): string;
  stop(): void;
}

export function startCli(args: string[], ready: RegExp | undefined, opts: CliOptions = {}): Promise<RunningCli> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("NATS_")) env[k] = v;
  Object.assign(env, { XDG_CONFIG_HOME: opts.configHome ?? freshConfigHome(), TZ: "UTC" }, opts.env);
  const child = spawn(process.execPath, [CLI_BIN, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  const done = new Promise<CliResult>((resolve) => child.once("close", (code) => resolve({ code, stdout, stderr })));
  const stop = () => void process.kill(child.pid!, "SIGTERM");
  if (!ready) {
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    return Promise.resolve({ done, stop, stdout: () => stdout });
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`tsnats ${args.join(" ")} never printed ${ready}: ${stderr}`));
    }, opts.timeoutMs ?? 10_000);
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      if (ready.test(stderr)) {
        clearTimeout(timer);
        resolve({ done, stop, stdout: () => stdout });
      }
    });
  });
}

/** A server of `impl` with JetStream in a fresh store directory; killed when the test or suite ends. */
export async function jsServer(t: Pick<TestContext, "after">, impl: Impl, extraConfig = ""): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-cli-js-"));
  const srv = await startServerProcess({ impl, config: `jetstream { store_dir: "${dir}" }\n${extraConfig}` });
  t.after(() => srv.stop("SIGKILL"));
  return srv;
}

/** Timestamps, local ("2026-12-07 16:51:16") and RFC 3339, made stable for comparison. */
export function stable(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, "<TIME>")
    .replace(/\b\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<TS>");
}

/** Waits until the server's /connz lists a subscription on `subject` (tools such as `sub --raw` print nothing when ready). */
export async function waitForSubscription(monitorPort: number, subject: string, count = 1): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const r = await fetch(`http://127.0.0.1:${monitorPort}/connz?subs=1`).catch(() => undefined);
    if (r?.ok) {
      const body = (await r.json()) as { connections?: { subscriptions_list?: string[] }[] };
      const n = (body.connections ?? []).filter((c) => (c.subscriptions_list ?? []).includes(subject)).length;
      if (n >= count) return;
    }
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`no subscription on ${subject} appeared`);
}

