/**
 * jwt_cookie: in operator mode a WebSocket client whose CONNECT has no JWT is authenticated by the user
 * JWT (a bearer token) in the named cookie, as a browser sends it; without the cookie it is refused.
 * Beside nats-server 2.9.10 when it is installed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createAccount, createOperator, createUser, encodeAccount, encodeOperator, encodeUser } from "@nats-io/jwt";
import { WebSocket } from "ws";
import { freePort, natsServerAvailable, startServerProcess, type Impl } from "../helpers/server-process.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];
const UNLIMITED = { conn: -1, subs: -1, payload: -1, data: -1, imports: -1, exports: -1, wildcards: true, leaf: -1 };

/** CONNECT without credentials over WebSocket with `cookie`; what follows INFO, once PONG or -ERR arrived. */
function session(port: number, cookie: string | undefined): Promise<string> {
  return new Promise((res, rej) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, cookie === undefined ? {} : { headers: { Cookie: cookie } });
    let got = "";
    ws.on("message", (d: Buffer) => {
      if (got === "") ws.send(`CONNECT {"verbose":false,"protocol":1}\r\nPING\r\n`);
      got += d.toString();
      const rest = got.slice(got.indexOf("\r\n") + 2);
      if (/PONG|-ERR/.test(rest)) {
        ws.terminate();
        res(rest);
      }
    });
    ws.on("error", rej);
  });
}

describe("jwt_cookie", () => {
  it("authenticates a WebSocket client by the user JWT in its cookie", async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "tsnats-wsjwt-"));
    const [operator, sys, acc] = [createOperator(), createAccount(), createAccount()];
    writeFileSync(join(dir, "op.jwt"), await encodeOperator("OP", operator, { system_account: sys.getPublicKey() }));
    const sysJwt = await encodeAccount("SYS", sys, { limits: UNLIMITED }, { signer: operator });
    const accJwt = await encodeAccount("A", acc, { limits: UNLIMITED }, { signer: operator });
    const userJwt = await encodeUser("web", createUser(), acc, { bearer_token: true });
    await Promise.all(
      IMPLS.map(async (impl) => {
        const ws = await freePort();
        const config =
          `operator: "${join(dir, "op.jwt")}"\nsystem_account: ${sys.getPublicKey()}\nresolver: MEMORY\n` +
          `resolver_preload: { ${sys.getPublicKey()}: "${sysJwt}", ${acc.getPublicKey()}: "${accJwt}" }\n` +
          `websocket { port: ${ws}, no_tls: true, jwt_cookie: "nats_jwt" }\n`;
        const p = await startServerProcess({ impl, config });
        t.after(() => p.stop("SIGKILL"));
        for (let i = 0; i < 100 && !(await session(ws, undefined).then(() => true, () => false)); i++) await new Promise((r) => setTimeout(r, 20));
        assert.equal(await session(ws, `other=1; nats_jwt=${userJwt}`), "PONG\r\n", impl);
        assert.equal(await session(ws, undefined), "-ERR 'Authorization Violation'\r\n", impl);
        assert.equal(await session(ws, `jwt=${userJwt}`), "-ERR 'Authorization Violation'\r\n", impl);
      }),
    );
  });
});
