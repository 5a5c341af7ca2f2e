/**
 * Why a TLS connection failed. The client library reports a refused handshake (say, the server wants a
 * client certificate) only as a connect timeout, so after a failed connect over TLS the tool repeats the
 * handshake itself, the NATS way (INFO in plain text first, unless --tlsfirst), and returns the error the
 * TLS layer gave, if any.
 */
import { connect as tcpConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { readFileSync } from "node:fs";
import type { ConnectionSettings } from "./global-options.js";

/** How long the probe waits for each step; a healthy server answers in milliseconds. */
const STEP_MS = 1500;

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url.includes("://") ? url : `nats://${url}`);
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port || 4222) };
}

function readInfoLine(sock: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const onData = (d: Buffer) => {
      buf += d.toString("latin1");
      if (buf.includes("\r\n")) {
        sock.off("data", onData);
        resolve();
      }
    };
    sock.on("data", onData);
    sock.once("error", reject);
    setTimeout(() => reject(new Error("no INFO from server")), STEP_MS).unref();
  });
}

export async function probeTls(s: ConnectionSettings): Promise<Error | undefined> {
  const first = s.url.split(",")[0]!.trim();
  const { host, port } = hostPort(first);
  const raw = tcpConnect({ host, port });
  try {
    await new Promise<void>((resolve, reject) => {
      raw.once("connect", resolve);
      raw.once("error", reject);
    });
    if (!s.tls_first) await readInfoLine(raw);
    return await new Promise<Error | undefined>((resolve) => {
      const sock = tlsConnect({
        socket: raw,
        servername: /^[\d.:]+$/.test(host) ? undefined : host,
        ...(s.ca ? { ca: readFileSync(s.ca) } : {}),
        ...(s.cert ? { cert: readFileSync(s.cert) } : {}),
        ...(s.key ? { key: readFileSync(s.key) } : {}),
      });
      sock.once("error", (e) => resolve(e));
      // TLS 1.3 finishes the client's side before the server has judged the client's certificate: its
      // verdict arrives as an alert shortly after, so wait a little past secureConnect.
      sock.once("secureConnect", () => setTimeout(() => resolve(undefined), STEP_MS / 3).unref());
      setTimeout(() => resolve(undefined), STEP_MS).unref();
    }).finally(() => raw.destroy());
  } catch (e) {
    raw.destroy();
    return e instanceof Error ? e : new Error(String(e));
  }
}
