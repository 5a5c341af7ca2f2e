/**
 * Starts a server as a child process — tsnats (bin/tsnats-server) or the reference nats-server — on
 * 127.0.0.1 and a free port, and stops it by PID. Every test that needs a real process uses this.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export type Impl = "tsnats" | "nats-server";

export const PROJECT_ROOT = resolve(import.meta.dirname, "../../..");
export const TSNATS_BIN = join(PROJECT_ROOT, "bin/tsnats-server");
export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? "/usr/sbin/nats-server";

/**
 * The implementation that protocol and differential tests examine: tsnats, unless TSNATS_TEST_IMPL names
 * `nats-server` (to check that a suite itself passes against the reference).
 */
export function implUnderTest(): Impl {
  return process.env.TSNATS_TEST_IMPL === "nats-server" ? "nats-server" : "tsnats";
}

/** True when the reference server is installed; differential tests skip visibly otherwise. */
export function natsServerAvailable(): boolean {
  return existsSync(NATS_SERVER_BIN);
}

export interface ServerProcess {
  impl: Impl;
  port: number;
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything the process wrote to stderr and stdout so far. */
  output(): string;
  /** Sends the signal (default SIGTERM) and resolves with the exit code once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  impl?: Impl;
  /** Extra flags, after `-a 127.0.0.1 -p <port>`. */
  args?: string[];
  /** Config file text; written to a temp file and passed with -c. */
  config?: string;
  /** Use this port instead of a fresh one (e.g. to restart on the same port). */
  port?: number;
  env?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * A port free now, for a server started a little later. Chosen below the kernel's ephemeral range
 * (32768 and up here): a port from that range could be taken meanwhile as the local end of any outgoing
 * connection (a route dialling, a client), and the server then failed to bind it or a client reached
 * the wrong listener. Never the same port twice in one process.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (handedOut.has(port)) continue;
    if (await canListen(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error("freePort: no free port found below the ephemeral range");
}

const handedOut = new Set<number>();

function canListen(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once("error", () => res(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => res(true)));
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => {
      s.destroy();
      res(true);
    });
    s.once("error", () => res(false));
  });
}

export async function startServerProcess(opts: StartOptions = {}): Promise<ServerProcess> {
  const impl = opts.impl ?? "tsnats";
  const port = opts.port ?? (await freePort());
  const args = ["-a", "127.0.0.1", "-p", String(port)];
  if (opts.config !== undefined) {
    const dir = mkdtempSync(join(tmpdir(), "tsnats-conf-"));
    const file = join(dir, "server.conf");
    writeFileSync(file, opts.config);
    args.push("-c", file);
  }
  args.push(...(opts.args ?? []));
  const bin = impl === "tsnats" ? TSNATS_BIN : NATS_SERVER_BIN;
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...opts.env } });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  while (!(await canConnect(port))) {
    if (gone) throw new Error(`${impl} exited before listening:\n${out}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${impl} did not listen on ${port} in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    impl,
    port,
    url: `nats://127.0.0.1:${port}`,
    pid: child.pid!,
    child,
    output: () => out,
    async stop(signal: NodeJS.Signals = "SIGTERM") {
      if (!gone) process.kill(child.pid!, signal);
      return exited;
    },
  };
}

/** Writes `text` to a fresh temp file and returns its path (for -c and include tests). */
export function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-"));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}
