import { test } from "node:test";
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { fromPublic } from "@nats-io/nkeys";
import { encodeServerKey, newServerPublicKey } from "../../src/util/server-nkey.js";

test("an encoded server key is the Ed25519 key itself: nkeys accepts it and verifies the pair's signatures", () => {
  for (let i = 0; i < 50; i++) {
    const { publicKey, privateKey } = generateKeyPairSync("ed25519");
    const encoded = encodeServerKey(publicKey.export({ type: "spki", format: "der" }).subarray(-32));
    const msg = Buffer.from(`message ${i}`);
    assert.ok(fromPublic(encoded).verify(msg, sign(null, msg, privateKey)), encoded);
  }
});

test("a new server key is a public server nkey, different every time", () => {
  const a = newServerPublicKey();
  assert.match(a, /^N[A-Z2-7]{55}$/);
  assert.equal(fromPublic(a).getPublicKey(), a);
  assert.notEqual(newServerPublicKey(), a);
});
