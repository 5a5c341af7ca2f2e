/**
 * The WebSocket listener against nats-server 2.9.10, side by side: the HTTP answers to refused
 * upgrades (origin checks, wrong method or version, no upgrade at all), and authentication of WebSocket
 * clients (the block's own user, its no_auth_user, a bad password's -ERR). Skips the reference side
 * visibly when nats-server is missing.
 */
import assert from "node:assert/strict";
import { connect as tcpConnect } from "node:net";
import { describe, it, type TestContext } from "node:test";
import { WebSocket } from "ws";
import { freePort, natsServerAvailable, startServerProcess, type Impl } from "../helpers/server-process.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];
const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

async function serverWithWs(t: TestContext, impl: Impl, block: string, top = ""): Promise<{ port: number; ws: number }> {
  const ws = await freePort();
  const p = await startServerProcess({ impl, config: `${top}\nwebsocket { port: ${ws}, no_tls: true, ${block} }\n` });
  t.after(() => p.stop("SIGKILL"));
  await waitListening(ws);
  return { port: p.port, ws };
}

async function waitListening(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((res) => {
      const s = tcpConnect(port, "127.0.0.1", () => res(true));
      s.once("error", () => res(false));
      s.once("connect", () => s.destroy());
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`nothing listens on ${port}`);
}

/** Sends one raw HTTP request; returns the status line, the Content-Type and the body (or "101" and nothing). */
function rawRequest(port: number, head: string): Promise<{ status: string; type: string; body: string }> {
  return new Promise((res, rej) => {
    const s = tcpConnect(port, "127.0.0.1", () => s.write(head.replaceAll("PORT", String(port))));
    let got = "";
    const finish = () => {
      s.destroy();
      const [headers, body = ""] = got.split("\r\n\r\n");
      const lines = headers!.split("\r\n");
      const type = lines.find((l) => l.toLowerCase().startsWith("content-type:")) ?? "";
      res({ status: lines[0]!, type, body: lines[0]!.includes(" 101 ") ? "" : body });
    };
    s.on("data", (d) => {
      got += d.toString("latin1");
      if (got.includes("\r\n\r\n")) setTimeout(finish, 50);
    });
    s.once("error", rej);
  });
}

function upgrade(origin?: string, extra = ""): string {
  return (
    `GET / HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\n` +
    `Sec-WebSocket-Version: 13\r\n${origin === undefined ? "" : `Origin: ${origin}\r\n`}${extra}\r\n`
  );
}

/** A WebSocket session: sends `lines` after INFO, collects what comes back until `until` appears or the socket closes. */
function wsSession(port: number, lines: string, until: RegExp): Promise<string> {
  return new Promise((res, rej) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`);
    let got = "";
    let sent = false;
    const timer = setTimeout(() => {
      ws.terminate();
      res(got);
    }, 3000);
    ws.on("message", (d: Buffer) => {
      got += d.toString();
      if (!sent && got.includes("\r\n")) {
        sent = true;
        ws.send(lines);
      }
      if (until.test(got)) {
        clearTimeout(timer);
        ws.terminate();
        res(got);
      }
    });
    ws.on("close", () => {
      clearTimeout(timer);
      res(got);
    });
    ws.on("error", rej);
  });
}

/** A plain TCP session, the same way. */
function tcpSession(port: number, lines: string, until: RegExp): Promise<string> {
  return new Promise((res) => {
    const s = tcpConnect(port, "127.0.0.1");
    let got = "";
    let sent = false;
    const end = () => {
      s.destroy();
      res(got);
    };
    const timer = setTimeout(end, 3000);
    s.on("data", (d) => {
      got += d.toString();
      if (!sent && got.includes("\r\n")) {
        sent = true;
        s.write(lines);
      }
      if (until.test(got)) {
        clearTimeout(timer);
        end();
      }
    });
    s.on("close", () => {
      clearTimeout(timer);
      res(got);
    });
    s.on("error", () => undefined);
  });
}

const afterInfo = (s: string) => s.slice(s.indexOf("\r\n") + 2);
const info = (s: string) => JSON.parse(s.slice(5, s.indexOf("\r\n"))) as Record<string, unknown>;

const ALLOWED = `allowed_origins: ["http://good.example:8000", "https://secure.example"]`;

describe("WebSocket upgrades and authentication, beside nats-server", () => {
  it("refuses bad origins, methods, versions and plain requests with the same status texts; the block's user replaces the server's", async (t) => {
    const seen = new Map<Impl, unknown>();
    await Promise.all(
      IMPLS.map(async (impl) => {
        const { port, ws } = await serverWithWs(t, impl, `${ALLOWED}, authorization { user: wsuser, password: wspass }`, `authorization { token: s3cr3t }`);
        const answers = {
          good: await rawRequest(ws, upgrade("http://good.example:8000")),
          goodDefaultPort: await rawRequest(ws, upgrade("https://secure.example:443")),
          noOrigin: await rawRequest(ws, upgrade()),
          badHost: await rawRequest(ws, upgrade("http://bad.example:8000")),
          badPort: await rawRequest(ws, upgrade("http://good.example:8001")),
          badScheme: await rawRequest(ws, upgrade("https://good.example:8000")),
          plain: await rawRequest(ws, "GET / HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n\r\n"),
          post: await rawRequest(ws, "POST / HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nContent-Length: 0\r\n\r\n"),
          version: await rawRequest(ws, upgrade(undefined).replace("Version: 13", "Version: 12")),
        };
        seen.set(impl, answers);
        const upgraded = "HTTP/1.1 101 Switching Protocols";
        assert.equal(answers.good.status, upgraded, impl);
        assert.equal(answers.goodDefaultPort.status, upgraded, impl);
        assert.equal(answers.noOrigin.status, upgraded, impl);
        const type = "Content-Type: text/plain; charset=utf-8";
        for (const k of ["badHost", "badPort", "badScheme"] as const) assert.deepEqual(answers[k], { status: "HTTP/1.1 403 Forbidden", type, body: "Forbidden\n" }, `${impl} ${k}`);
        assert.deepEqual(answers.plain, { status: "HTTP/1.1 400 Bad Request", type, body: "Bad Request\n" }, impl);
        assert.deepEqual(answers.post, { status: "HTTP/1.1 405 Method Not Allowed", type, body: "Method Not Allowed\n" }, impl);
        assert.equal(answers.version.status, "HTTP/1.1 400 Bad Request", impl);

        const good = await wsSession(ws, `CONNECT {"user":"wsuser","pass":"wspass","verbose":false}\r\nPING\r\n`, /PONG|-ERR/);
        const bad = await wsSession(ws, `CONNECT {"user":"wsuser","pass":"nope","verbose":false}\r\nPING\r\n`, /PONG|-ERR/);
        const tokenOverWs = await wsSession(ws, `CONNECT {"auth_token":"s3cr3t","verbose":false}\r\nPING\r\n`, /PONG|-ERR/);
        const tokenOverTcp = await tcpSession(port, `CONNECT {"auth_token":"s3cr3t","verbose":false}\r\nPING\r\n`, /PONG|-ERR/);
        assert.equal(info(good).auth_required, true, impl);
        const r = [afterInfo(good), afterInfo(bad), afterInfo(tokenOverWs), afterInfo(tokenOverTcp)];
        assert.deepEqual(r, ["PONG\r\n", "-ERR 'Authorization Violation'\r\n", "-ERR 'Authorization Violation'\r\n", "PONG\r\n"], impl);
      }),
    );
    if (seen.size === 2) assert.deepEqual(seen.get("tsnats"), seen.get("nats-server"));
  });

  it("same_origin admits the listener's own origin only; the block's no_auth_user admits anonymous WebSocket clients only", async (t) => {
    const users = `authorization { users: [ { user: a, password: pa }, { user: b, password: pb, permissions: { publish: "ok.>" } } ] }`;
    await Promise.all(
      IMPLS.map(async (impl) => {
        const { port, ws } = await serverWithWs(t, impl, "same_origin: true, no_auth_user: b", users);
        assert.equal((await rawRequest(ws, upgrade(`http://127.0.0.1:${ws}`))).status, "HTTP/1.1 101 Switching Protocols", impl);
        assert.equal((await rawRequest(ws, upgrade(`http://localhost:${ws}`))).status, "HTTP/1.1 403 Forbidden", impl);
        // nats-server 2.10+ also compares the scheme (2.9.10 let an https origin through to a plain listener).
        if (impl === "tsnats") assert.equal((await rawRequest(ws, upgrade(`https://127.0.0.1:${ws}`))).status, "HTTP/1.1 403 Forbidden", impl);

        const anonWs = await wsSession(ws, `CONNECT {"verbose":false}\r\nPUB no 0\r\n\r\nPING\r\n`, /PONG/);
        assert.equal(afterInfo(anonWs), `-ERR 'Permissions Violation for Publish to "no"'\r\nPONG\r\n`, impl);
        const anonTcp = await tcpSession(port, `CONNECT {"verbose":false}\r\nPING\r\n`, /PONG|-ERR/);
        assert.equal(afterInfo(anonTcp), "-ERR 'Authorization Violation'\r\n", impl);
        const userWs = await wsSession(ws, `CONNECT {"user":"a","pass":"pa","verbose":false}\r\nPUB no 0\r\n\r\nPING\r\n`, /PONG|-ERR/);
        assert.equal(afterInfo(userWs), "PONG\r\n", impl);
      }),
    );
  });
});
