/**
 * nats-server's warning about plain-text passwords in the config (`Plaintext passwords detected, use nkeys
 * or bcrypt`): when and only when a password is not a bcrypt hash, logged at start as 2.9.10 logs it.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hasPlainTextPasswords } from "../../src/auth/password-warning.js";
import { defaultOptions } from "../../src/config/options.js";
import { natsServerAvailable, startServerProcess, type Impl } from "../helpers/server-process.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];
const BCRYPT = "$2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sSOT.xtiHyG";
const WARNING = "[WRN] Plaintext passwords detected, use nkeys or bcrypt";

const CASES: [name: string, config: string, warns: boolean][] = [
  ["a plain-text user password", `authorization { users: [ {user: a, password: secret}, {user: b, password: "${BCRYPT}"} ] }`, true],
  ["only bcrypt hashes", `authorization { users: [ {user: b, password: "${BCRYPT}"} ] }`, false],
  ["a single plain-text password", "authorization { user: a, password: x }", true],
  ["a plain-text password in an account", "accounts { A: { users: [ {user: a, password: x} ] } }", true],
  ["a token only", "authorization { token: s3cr3t }", false],
  ["no authorization", "", false],
];

describe("the plain-text password warning", () => {
  for (const impl of IMPLS) {
    for (const [name, config, warns] of CASES) {
      it(`${impl}: ${name}: ${warns ? "warns" : "no warning"}`, async (t) => {
        const srv = await startServerProcess({ impl, config: `${config}\n` });
        t.after(() => srv.stop("SIGKILL"));
        assert.equal(srv.output().includes(WARNING), warns, srv.output());
      });
    }
  }
  it("checks the single password and every user, sparing password-less users only under verify_and_map", () => {
    const d = defaultOptions();
    assert.equal(hasPlainTextPasswords(d), false);
    assert.equal(hasPlainTextPasswords({ ...d, password: BCRYPT }), false);
    assert.equal(hasPlainTextPasswords({ ...d, password: "x" }), true);
    assert.equal(hasPlainTextPasswords({ ...d, users: [{ user: "cn", password: "" }] }), true);
    const mapped = { ...d, users: [{ user: "cn", password: "" }], tls: { verifyAndMap: true } as NonNullable<typeof d.tls> };
    assert.equal(hasPlainTextPasswords(mapped), false);
  });
});
