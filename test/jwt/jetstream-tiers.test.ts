/**
 * JetStream limits from account JWTs (operator mode): the account-wide limits and `tiered_limits`, as
 * $JS.API.INFO reports them and stream creation enforces them. Pinned against nats-server 2.9.10, whose
 * account info carries a `tiers` map (R1, R3, …) beside the top-level usage when the JWT has tiers.
 */
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { createAccount, createOperator, createUser, encodeAccount, encodeOperator, encodeUser, type KeyPair } from "@nats-io/jwt";
import { jwtAuthenticator } from "@nats-io/transport-node";
import { jetstreamManager } from "@nats-io/jetstream";
import { IMPL, serverFor } from "../e2e/support.js";
import { connectOk } from "../auth/support.js";

const OPEN = { conn: -1, subs: -1, payload: -1, data: -1, imports: -1, exports: -1, wildcards: true, leaf: -1 };

/** An operator with a system account and account A whose JWT has `jsLimits`, and a bearer user of A. */
async function setup(jsLimits: Record<string, unknown>): Promise<{ config: string; user: string }> {
  const op = createOperator();
  const sys = createAccount();
  const a: KeyPair = createAccount();
  const dir = mkdtempSync(join(tmpdir(), "tsnats-tiers-"));
  writeFileSync(join(dir, "op.jwt"), await encodeOperator("O", op, { system_account: sys.getPublicKey() }));
  const sysJwt = await encodeAccount("SYS", sys, { limits: OPEN }, { signer: op });
  const aJwt = await encodeAccount("A", a, { limits: { ...OPEN, ...jsLimits } }, { signer: op });
  const config = [
    `operator: "${join(dir, "op.jwt")}"`,
    `system_account: ${sys.getPublicKey()}`,
    "resolver: MEMORY",
    `resolver_preload: { ${sys.getPublicKey()}: "${sysJwt}", ${a.getPublicKey()}: "${aJwt}" }`,
    `jetstream: { store_dir: "${join(dir, "js")}" }`,
  ].join("\n");
  return { config, user: await encodeUser("U", createUser(), a, { bearer_token: true }) };
}

describe(`JetStream limits from account JWTs [${IMPL}]`, () => {
  // nats.js's "jsm - account limits": the R1 tier's limits are in account info's tiers.R1.limits.
  test("tiered_limits: account info has tiers.R1 with its limits and usage (2.9.10)", async (t) => {
    const { config, user } = await setup({ tiered_limits: { R1: { disk_storage: 1024 * 1024, consumer: -1, streams: -1 } } });
    const srv = await serverFor(t, { config });
    const nc = await connectOk(t, srv, { authenticator: jwtAuthenticator(user) });
    const jsm = await jetstreamManager(nc);
    // num_replicas given: 2.9.10 picks the tier before it defaults the replicas (later releases read 0 as R1).
    await jsm.streams.add({ name: "S", subjects: ["s"], max_bytes: 1000, num_replicas: 1 });
    const ai = await jsm.getAccountInfo();
    const r1 = ai.tiers?.R1;
    assert.ok(r1, `no tiers.R1 in ${JSON.stringify(ai)}`);
    assert.deepEqual(
      { ...r1.limits },
      { max_memory: 0, max_storage: 1024 * 1024, max_streams: -1, max_consumers: -1, max_ack_pending: -1, memory_max_stream_bytes: -1, storage_max_stream_bytes: -1, max_bytes_required: false },
    );
    assert.equal(r1.streams, 1);
    assert.equal(ai.streams, 1);
    await assert.rejects(jsm.streams.add({ name: "M", subjects: ["m"], storage: "memory" as never, max_bytes: 10, num_replicas: 1 }), /insufficient memory resources/);
    await assert.rejects(jsm.streams.add({ name: "BIG", subjects: ["b"], max_bytes: 2 * 1024 * 1024, num_replicas: 1 }), /insufficient storage resources/);
  });

  test("account-wide JetStream limits: account info's limits, no tiers (2.9.10)", async (t) => {
    const { config, user } = await setup({ mem_storage: -1, disk_storage: 4096, streams: 2, consumer: 7, max_ack_pending: 50 });
    const srv = await serverFor(t, { config });
    const nc = await connectOk(t, srv, { authenticator: jwtAuthenticator(user) });
    const jsm = await jetstreamManager(nc);
    const ai = await jsm.getAccountInfo();
    assert.equal(ai.tiers, undefined);
    assert.deepEqual(
      { max_memory: ai.limits.max_memory, max_storage: ai.limits.max_storage, max_streams: ai.limits.max_streams, max_consumers: ai.limits.max_consumers, max_ack_pending: ai.limits.max_ack_pending },
      { max_memory: -1, max_storage: 4096, max_streams: 2, max_consumers: 7, max_ack_pending: 50 },
    );
  });
});
