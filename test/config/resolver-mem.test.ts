/**
 * `resolver: MEM` (and `mem`, `MEMORY`) is the memory resolver, as in nats-server 2.9.10; a word that is
 * no resolver is refused by tsnats (nats-server matches "mem" anywhere in the text, so it would take a typo
 * containing it: a deliberate difference).
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createAccount, createOperator, encodeAccount, encodeOperator } from "@nats-io/jwt";
import { connect, jwtAuthenticator } from "@nats-io/transport-node";
import { createUser, encodeUser } from "@nats-io/jwt";
import { runBinary } from "../helpers/run-binary.js";
import { natsServerAvailable, startServerProcess, type Impl } from "../helpers/server-process.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];

async function operatorSetup(resolver: string): Promise<{ conf: string; userJwt: string; userSeed: Uint8Array }> {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-mem-"));
  const op = createOperator();
  const sys = createAccount();
  const acc = createAccount();
  const user = createUser();
  writeFileSync(join(dir, "op.jwt"), await encodeOperator("OP", op, { system_account: sys.getPublicKey() }));
  const limits = { conn: -1, subs: -1, payload: -1, data: -1, imports: -1, exports: -1, wildcards: true, leaf: -1 };
  const sysJwt = await encodeAccount("SYS", sys, { limits }, { signer: op });
  const accJwt = await encodeAccount("A", acc, { limits }, { signer: op });
  const conf = join(dir, "server.conf");
  writeFileSync(
    conf,
    `operator: "${join(dir, "op.jwt")}"\nsystem_account: ${sys.getPublicKey()}\nresolver: ${resolver}\n` +
      `resolver_preload: {\n  ${sys.getPublicKey()}: "${sysJwt}"\n  ${acc.getPublicKey()}: "${accJwt}"\n}\n`,
  );
  return { conf, userJwt: await encodeUser("u", user, acc), userSeed: user.getSeed() };
}

describe("resolver: MEM", () => {
  for (const impl of IMPLS) {
    for (const word of ["MEM", "mem", "MEMORY"]) {
      it(`${impl}: -t accepts resolver: ${word}`, async () => {
        const { conf } = await operatorSetup(word);
        const r = await runBinary(impl, ["-t", "-c", conf]);
        assert.equal(r.status, 0, r.out);
        assert.match(r.out, /configuration file .* is valid/);
      });
    }
    it(`${impl}: runs with resolver: MEM and admits a user of a preloaded account`, async (t) => {
      const { conf, userJwt, userSeed } = await operatorSetup("MEM");
      const srv = await startServerProcess({ impl, args: ["-c", conf] });
      t.after(() => srv.stop("SIGKILL"));
      const nc = await connect({ servers: srv.url, authenticator: jwtAuthenticator(userJwt, userSeed), reconnect: false });
      await nc.flush();
      await nc.close();
    });
  }
  it("tsnats refuses a resolver word that is none", async () => {
    const { conf } = await operatorSetup("MEMO");
    const r = await runBinary("tsnats", ["-t", "-c", conf]);
    assert.equal(r.status, 1);
    assert.match(r.out, /error parsing resolver: unsupported value "MEMO"/);
  });
});
