import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { readCertificate } from "../../src/tls/certificate.js";
import { DerError } from "../../src/tls/der.js";
import { derOf, pki } from "./pki.js";

test("subject RDNs in certificate order, alternative names by kind", () => {
  const c = readCertificate(derOf(pki().alice.cert));
  assert.deepEqual(
    c.subject.map((rdn) => rdn.map((a) => [a.type, a.value])),
    [[["2.5.4.10", "Acme"]], [["2.5.4.11", "Dev"]], [["2.5.4.3", "alice"]]],
  );
  assert.deepEqual(c.emails, ["alice@example.com"]);
  assert.deepEqual(c.dnsNames, ["alice.example.com"]);
  assert.deepEqual(c.uris, ["nats://alice"]);
});

test("a certificate without alternative names", () => {
  const c = readCertificate(derOf(pki().bob.cert));
  assert.equal(c.subject.length, 4);
  assert.deepEqual(c.subject[0]!.map((a) => [a.type, a.value]), [["0.9.2342.19200300.100.1.25", "org"]]);
  assert.deepEqual([c.emails, c.dnsNames, c.uris], [[], [], []]);
});

test("the public key is the DER SubjectPublicKeyInfo (what pinned_certs hashes)", () => {
  const pem = pki().server.cert;
  const spki = new X509Certificate(readFileSync(pem)).publicKey.export({ type: "spki", format: "der" });
  assert.equal(createHash("sha256").update(readCertificate(derOf(pem)).spki).digest("hex"), createHash("sha256").update(spki).digest("hex"));
});

test("bytes that are not a certificate are a DerError", () => {
  assert.throws(() => readCertificate(Buffer.from("30020500", "hex")), DerError);
  assert.throws(() => readCertificate(Buffer.from("3005", "hex")), DerError);
  assert.throws(() => readCertificate(Buffer.alloc(0)), DerError);
});
