import { test } from "node:test";
import assert from "node:assert/strict";
import { mapCertificateToUser } from "../../src/tls/cert-map.js";
import { readCertificate } from "../../src/tls/certificate.js";
import { derOf, pki } from "./pki.js";

const alice = () => readCertificate(derOf(pki().alice.cert));
const bob = () => readCertificate(derOf(pki().bob.cert));

test("email, then DNS name, then URI, each taken as a user name", () => {
  assert.deepEqual(mapCertificateToUser(alice(), ["alice.example.com", "alice@example.com"]), { user: "alice@example.com", via: "email" });
  assert.deepEqual(mapCertificateToUser(alice(), ["nats://alice", "alice.example.com"]), { user: "alice.example.com", via: "SAN" });
  assert.deepEqual(mapCertificateToUser(alice(), ["nats://alice", "CN=alice,OU=Dev,O=Acme"]), { user: "nats://alice", via: "URI" });
});

test("then the subject as a DN in any RDN order", () => {
  assert.deepEqual(mapCertificateToUser(alice(), ["x", "O=Acme, OU=Dev, CN=alice"]), { user: "O=Acme, OU=Dev, CN=alice", via: "DN" });
  assert.deepEqual(mapCertificateToUser(bob(), ["DC=org,DC=example,O=Acme,CN=bob"]), { user: "DC=org,DC=example,O=Acme,CN=bob", via: "DN" });
});

test("then the subject's text: Go's fields only (as nats-server matches `CN=bob,O=Acme` for bob)", () => {
  assert.deepEqual(mapCertificateToUser(bob(), ["CN=bob,O=Acme"]), { user: "CN=bob,O=Acme", via: "subject" });
});

test("no match: nothing else, and no case folding", () => {
  assert.equal(mapCertificateToUser(alice(), ["alice", "CN=alice", "ALICE@example.com", "CN=ALICE,OU=Dev,O=Acme"]), undefined);
  assert.equal(mapCertificateToUser(alice(), []), undefined);
});
