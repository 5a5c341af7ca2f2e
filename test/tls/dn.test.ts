import { test } from "node:test";
import assert from "node:assert/strict";
import { readCertificate, type NameAttribute, type Rdn } from "../../src/tls/certificate.js";
import { goFieldsString, goNameString, LDAP_NAMES, parseDn, rdnSequenceString, sameDn, subjectDn } from "../../src/tls/dn.js";
import { derOf, pki } from "./pki.js";

const CN = "2.5.4.3";
const O = "2.5.4.10";
const OU = "2.5.4.11";
const DC = "0.9.2342.19200300.100.1.25";

function attr(type: string, value: string): NameAttribute {
  // UTF8String DER of the value, as a certificate would carry it.
  const body = Buffer.from(value, "utf8");
  return { type, value, der: Buffer.concat([Buffer.from([0x0c, body.length]), body]) };
}

test("Go's rendering: last RDN first, multi-valued RDNs with +, unknown types as oid=#hex", () => {
  const alice = readCertificate(derOf(pki().alice.cert)).subject;
  assert.equal(rdnSequenceString(alice), "CN=alice,OU=Dev,O=Acme");
  assert.equal(goNameString(alice), "CN=alice,OU=Dev,O=Acme");
  const bob = readCertificate(derOf(pki().bob.cert)).subject;
  // As nats-server 2.9.10 shows it in /connz tls_peer_certs (openssl encodes DC as PrintableString).
  assert.equal(goNameString(bob), "CN=bob,O=Acme,0.9.2342.19200300.100.1.25=#13076578616d706c65,0.9.2342.19200300.100.1.25=#13036f7267");
  assert.equal(goFieldsString(bob), "CN=bob,O=Acme");
  assert.equal(rdnSequenceString(bob, LDAP_NAMES), "CN=bob,O=Acme,DC=example,DC=org");
  const multi: Rdn[] = [[attr(O, "Acme")], [attr(CN, "a"), attr(OU, "b")]];
  assert.equal(rdnSequenceString(multi), "CN=a+OU=b,O=Acme");
});

test("Go's field order and grouping for the displayed subject", () => {
  const subject: Rdn[] = [[attr(CN, "x")], [attr(OU, "one")], [attr(O, "Org")], [attr(OU, "two")]];
  assert.equal(goNameString(subject), "CN=x,OU=one+OU=two,O=Org");
});

test("values are escaped as RFC 2253 wants", () => {
  assert.equal(rdnSequenceString([[attr(CN, 'a,b+c"d\\e<f>g;h')]]), 'CN=a\\,b\\+c\\"d\\\\e\\<f\\>g\\;h');
  assert.equal(rdnSequenceString([[attr(CN, " #x ")]]), "CN=\\ #x\\ ");
  assert.equal(rdnSequenceString([[attr(CN, "#x")]]), "CN=\\#x");
});

test("parsing a configured DN: types by name or OID in any case, spaces, escapes, BER values", () => {
  assert.deepEqual(parseDn("CN=alice, OU=Dev ,O=Acme"), [[{ type: CN, value: "alice" }], [{ type: OU, value: "Dev" }], [{ type: O, value: "Acme" }]]);
  assert.deepEqual(parseDn("cn=alice;dc=org"), [[{ type: CN, value: "alice" }], [{ type: DC, value: "org" }]]);
  assert.deepEqual(parseDn("2.5.4.3=alice"), [[{ type: CN, value: "alice" }]]);
  assert.deepEqual(parseDn("CN=a\\,b\\2Bc\\ "), [[{ type: CN, value: "a,b+c " }]]);
  assert.deepEqual(parseDn("CN=a+OU=b"), [[{ type: CN, value: "a" }, { type: OU, value: "b" }]]);
  assert.deepEqual(parseDn("CN=#0c05616c696365"), [[{ type: CN, value: "alice" }]]);
  assert.deepEqual(parseDn("X-Custom=v"), [[{ type: "X-CUSTOM", value: "v" }]]);
});

test("user names that are not DNs", () => {
  for (const text of ["alice", "alice@example.com", "=x", "CN=a,", "CN=#zz", "CN=a\\", "a b=c", ""]) assert.equal(parseDn(text), undefined, text);
});

test("DN equality ignores RDN order but not value case", () => {
  const cert = subjectDn(readCertificate(derOf(pki().alice.cert)).subject);
  assert.ok(sameDn(parseDn("CN=alice,OU=Dev,O=Acme")!, cert));
  assert.ok(sameDn(parseDn("O=Acme,OU=Dev,CN=alice")!, cert));
  assert.ok(sameDn(parseDn("ou=Dev, cn=alice, o=Acme")!, cert));
  assert.ok(!sameDn(parseDn("CN=ALICE,OU=Dev,O=Acme")!, cert));
  assert.ok(!sameDn(parseDn("CN=alice,OU=Dev")!, cert));
  assert.ok(!sameDn(parseDn("CN=alice+OU=Dev,O=Acme")!, cert));
});
