/**
 * Operator mode with -js and no system account: JetStream needs one, and in operator mode none is made
 * up, so the server refuses to start, with nats-server 2.9.10's fatal line. With a system account it runs.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createAccount, createOperator, encodeAccount, encodeOperator } from "@nats-io/jwt";
import { runBinary } from "../helpers/run-binary.js";
import { freePort, natsServerAvailable, startServerProcess, type Impl } from "../helpers/server-process.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];
const LIMITS = { conn: -1, subs: -1, payload: -1, data: -1, imports: -1, exports: -1, wildcards: true, leaf: -1 };

async function config(withSystem: boolean): Promise<{ conf: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-opjs-"));
  const op = createOperator();
  const sys = createAccount();
  const acc = createAccount();
  writeFileSync(join(dir, "op.jwt"), await encodeOperator("OP", op, withSystem ? { system_account: sys.getPublicKey() } : {}));
  const preload = [`${acc.getPublicKey()}: "${await encodeAccount("A", acc, { limits: LIMITS }, { signer: op })}"`];
  if (withSystem) preload.push(`${sys.getPublicKey()}: "${await encodeAccount("SYS", sys, { limits: LIMITS }, { signer: op })}"`);
  const conf = join(dir, "server.conf");
  writeFileSync(conf, `operator: "${join(dir, "op.jwt")}"\nresolver: MEMORY\nresolver_preload: {\n  ${preload.join("\n  ")}\n}\n`);
  return { conf, dir };
}

describe("operator mode with JetStream", () => {
  for (const impl of IMPLS) {
    it(`${impl}: no system account: Can't start JetStream, exit 1`, async () => {
      const { conf, dir } = await config(false);
      const r = await runBinary(impl, ["-a", "127.0.0.1", "-p", String(await freePort()), "-js", "-sd", join(dir, "js"), "-c", conf]);
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, /\[FTL\] Can't start JetStream: setting up internal jetstream subscriptions failed: system account not setup\n/);
    });
    it(`${impl}: with the operator's system account it starts`, async (t) => {
      const { conf, dir } = await config(true);
      const srv = await startServerProcess({ impl, args: ["-js", "-sd", join(dir, "js"), "-c", conf] });
      t.after(() => srv.stop("SIGKILL"));
      assert.doesNotMatch(srv.output(), /FTL/);
    });
  }
});
