/**
 * Servers with TLS configs and the clients that talk to them: nats.js with its `tls` options, a bare
 * socket that looks at bytes, `openssl s_client`, and HTTPS requests to the monitor.
 */
import { spawn } from "node:child_process";
import { request } from "node:https";
import { connect as netConnect } from "node:net";
import type { TestContext } from "node:test";
import { readFileSync } from "node:fs";
import { connect, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import { startServerProcess, type Impl, type ServerProcess } from "../helpers/server-process.js";
import { pki, type CertFiles } from "./pki.js";

/** `tls { ... }` with the test server certificate; `extra` goes inside the block. */
export function tlsBlock(extra = "", cert: CertFiles = pki().server): string {
  return `tls {\n  cert_file: "${cert.cert}"\n  key_file: "${cert.key}"\n  ca_file: "${pki().ca.cert}"\n  ${extra}\n}\n`;
}

export async function tlsServer(t: Pick<TestContext, "after">, config: string, impl: Impl = "tsnats", args: string[] = []): Promise<ServerProcess> {
  const srv = await startServerProcess({ impl, config, args });
  t.after(() => srv.stop("SIGKILL"));
  return srv;
}

/** nats.js TLS options trusting the test CA, presenting `who`'s certificate if given. */
export function tlsOpts(who?: CertFiles, extra: Record<string, unknown> = {}): NodeConnectionOptions["tls"] {
  return { caFile: pki().ca.cert, ...(who && { certFile: who.cert, keyFile: who.key }), ...extra };
}

export async function tlsClient(
  t: Pick<TestContext, "after">,
  srv: ServerProcess,
  tls: NodeConnectionOptions["tls"],
  opts: NodeConnectionOptions = {},
): Promise<NatsConnection> {
  const nc = await connect({ servers: `127.0.0.1:${srv.port}`, reconnect: false, tls, ...opts });
  t.after(() => nc.close());
  return nc;
}

/** The error a nats.js connection attempt ends with (fails the test if it connects). */
export async function connectError(srv: ServerProcess, tls: NodeConnectionOptions["tls"], opts: NodeConnectionOptions = {}): Promise<Error> {
  try {
    const nc = await connect({ servers: `127.0.0.1:${srv.port}`, reconnect: false, timeout: 5000, tls, ...opts });
    await nc.flush();
    await nc.close();
  } catch (e) {
    return e as Error;
  }
  throw new Error("connected, but should not have");
}

export interface PlainSession {
  /** Everything the server sent. */
  bytes: Buffer;
  /** Whether the server closed the connection within the wait. */
  closed: boolean;
  /** Milliseconds from connect to close (or to the end of the wait). */
  ms: number;
}

/** A plain TCP client: sends `send` once INFO arrived (or at once when `before`), then reads until close or `waitMs`. */
export function plainSession(port: number, send: string, waitMs: number, before = false): Promise<PlainSession> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const s = netConnect({ host: "127.0.0.1", port });
    const chunks: Buffer[] = [];
    let sent = false;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve({ bytes: Buffer.concat(chunks), closed, ms: Date.now() - start });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    s.on("connect", () => {
      if (before && send !== "") {
        sent = true;
        s.write(send);
      }
    });
    s.on("data", (d: Buffer) => {
      chunks.push(d);
      if (!sent && send !== "" && Buffer.concat(chunks).includes("\r\n")) {
        sent = true;
        s.write(send);
      }
    });
    s.on("close", () => finish(true));
    s.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" ? finish(true) : reject(e)));
  });
}

/** The JSON of the INFO line a plain client receives first. */
export async function infoOf(port: number): Promise<Record<string, unknown>> {
  const { bytes } = await plainSession(port, "", 300);
  const line = bytes.toString("latin1").split("\r\n")[0]!;
  if (!line.startsWith("INFO ")) throw new Error(`no INFO: ${JSON.stringify(line)}`);
  return JSON.parse(line.slice(5)) as Record<string, unknown>;
}

export interface SClientResult {
  code: number | null;
  out: string;
}

/** `openssl s_client -connect 127.0.0.1:<port> -verify_return_error <args>`, with `input` written to it. */
export function sClient(port: number, args: string[], input: string, waitMs = 1500): Promise<SClientResult> {
  return new Promise((resolve) => {
    const p = spawn("openssl", ["s_client", "-connect", `127.0.0.1:${port}`, "-verify_return_error", ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    // s_client may be gone already (a failed handshake): its closed stdin is not this test's business.
    p.stdin.on("error", () => {});
    if (input !== "") p.stdin.write(input);
    // Give the session time to answer, then end it; s_client exits when its input ends and the server closes.
    const timer = setTimeout(() => p.kill("SIGTERM"), waitMs);
    p.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/** GET https://127.0.0.1:<port><path> trusting the test CA: status and body. */
export function httpsGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, ca: readFileSync(pki().ca.cert), servername: "localhost" }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * GET from a server's plain-HTTP monitor, as JSON. The monitor may start a moment after the client port
 * accepts (which is what the launcher waits for), so refused connections are retried for a while.
 */
export async function monitorJson(monitorPort: number, path: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return (await (await fetch(`http://127.0.0.1:${monitorPort}${path}`)).json()) as Record<string, unknown>;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** /connz (by default with auth=1) of a server's plain-HTTP monitor. */
export async function connz(monitorPort: number, query = "auth=1"): Promise<Record<string, unknown>[]> {
  return (await monitorJson(monitorPort, `/connz?${query}`)).connections as Record<string, unknown>[];
}
