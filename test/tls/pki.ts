/**
 * Certificates made with openssl when a test runs: two CAs, a server certificate for localhost and
 * 127.0.0.1, and client certificates with different subjects and alternative names. Nothing is checked in.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface CertFiles {
  cert: string;
  key: string;
}

export interface Pki {
  dir: string;
  /** The CA that signs server, alice and bob. */
  ca: CertFiles;
  /** A second CA: signs `mallory` and `server2`. */
  otherCa: CertFiles;
  server: CertFiles;
  /** A server certificate for the same names, signed by the other CA. */
  server2: CertFiles;
  /** A server certificate that may also be used as a client's (routes dial each other): both key usages. */
  route: CertFiles;
  /** O=Acme, OU=Dev, CN=alice; SANs: email alice@example.com, DNS alice.example.com, URI nats://alice. */
  alice: CertFiles;
  /** DC=org, DC=example, O=Acme, CN=bob; no SANs. */
  bob: CertFiles;
  /** CN=mallory, signed by the other CA. */
  mallory: CertFiles;
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")} failed:\n${r.stderr}`);
}

function makeCa(dir: string, name: string, cn: string): CertFiles {
  const files = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`) };
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
    "-keyout", files.key, "-out", files.cert, "-subj", `/CN=${cn}`], dir);
  return files;
}

function makeCert(dir: string, name: string, subject: string, ext: string, ca: CertFiles): CertFiles {
  const files = { cert: join(dir, `${name}.pem`), key: join(dir, `${name}-key.pem`) };
  const csr = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  writeFileSync(extFile, ext);
  openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", files.key,
    "-out", csr, "-subj", subject], dir);
  openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-days", "2",
    "-out", files.cert, "-extfile", extFile], dir);
  return files;
}

let cached: Pki | undefined;

/** The test certificates (made once per test process). */
export function pki(): Pki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), "tsnats-pki-"));
  const ca = makeCa(dir, "ca", "Test CA");
  const otherCa = makeCa(dir, "other-ca", "Other CA");
  const serverExt = "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n";
  const clientExt = (san?: string) => `${san ? `subjectAltName=${san}\n` : ""}extendedKeyUsage=clientAuth\n`;
  cached = {
    dir,
    ca,
    otherCa,
    server: makeCert(dir, "server", "/CN=localhost", serverExt, ca),
    server2: makeCert(dir, "server2", "/CN=localhost", serverExt, otherCa),
    route: makeCert(dir, "route", "/CN=localhost", serverExt.replace("serverAuth", "serverAuth,clientAuth"), ca),
    alice: makeCert(dir, "alice", "/O=Acme/OU=Dev/CN=alice", clientExt("email:alice@example.com,DNS:alice.example.com,URI:nats://alice"), ca),
    bob: makeCert(dir, "bob", "/DC=org/DC=example/O=Acme/CN=bob", clientExt(), ca),
    mallory: makeCert(dir, "mallory", "/CN=mallory", clientExt(), otherCa),
  };
  return cached;
}

/** The DER bytes of a PEM certificate file's first certificate. */
export function derOf(pem: string): Buffer {
  const r = spawnSync("openssl", ["x509", "-in", pem, "-outform", "DER"]);
  if (r.status !== 0) throw new Error(`openssl x509 failed: ${r.stderr.toString()}`);
  return r.stdout;
}
