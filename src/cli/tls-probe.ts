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

/** The error code of a probe the server hung up on right after the handshake, without an alert. */
export const CLOSED_IN_HANDSHAKE = "TSNATS_TLS_CLOSED_IN_HANDSHAKE";

/** How long the probe waits for each step; a healthy server answers in milliseconds. */
const STEP_MS = 1500;

function hostPort(url: string): { host: string; port: number } {
  const u = new URL(url.includes("://") ? url : `nats://${url}`);
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port: Number(u.port || 4222) };
}

function readInfoLine(sock: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error("no INFO from server")), STEP_MS);
    const onData = (d: Buffer) => {
      buf += d.toString("latin1");
      if (buf.includes("\r\n")) {
        clearTimeout(timer);
        sock.off("data", onData);
        resolve();
      }
    };
    sock.on("data", onData);
    sock.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
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
    return await new Promise<Error | undefined>((done) => {
      let timer = setTimeout(() => done(undefined), STEP_MS);
      const resolve = (e: Error | undefined) => {
        clearTimeout(timer);
        done(e);
      };
      const sock = tlsConnect({
        socket: raw,
        servername: /^[\d.:]+$/.test(host) ? undefined : host,
        ...(s.ca ? { ca: readFileSync(s.ca) } : {}),
        ...(s.cert ? { cert: readFileSync(s.cert) } : {}),
        ...(s.key ? { key: readFileSync(s.key) } : {}),
      });
      sock.once("error", (e) => resolve(e));
      // Some servers drop a client they refuse without a TLS alert: closing right after the handshake
      // is the same verdict.
      sock.once("close", () => resolve(Object.assign(new Error("connection closed during the TLS handshake"), { code: CLOSED_IN_HANDSHAKE })));
      // TLS 1.3 finishes the client's side before the server has judged the client's certificate: its
      // verdict arrives as an alert shortly after, so wait a little past secureConnect.
      sock.once("secureConnect", () => {
        clearTimeout(timer);
        timer = setTimeout(() => done(undefined), STEP_MS / 3);
      });
    }).finally(() => raw.destroy());
  } catch (e) {
    raw.destroy();
    return e instanceof Error ? e : new Error(String(e));
  }
}
