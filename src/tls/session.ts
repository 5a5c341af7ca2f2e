/**
 * A finished TLS handshake as monitoring and authorization see it: protocol version and cipher suite
 * with nats-server's spelling, the client's certificate chain (leaf first) and the leaf's names.
 */
import { createHash } from "node:crypto";
import type { DetailedPeerCertificate, TLSSocket } from "node:tls";
import { readCertificate, type CertificateNames } from "./certificate.js";
import { DerError } from "./der.js";
import { goNameString } from "./dn.js";

/** One certificate of the client's chain, as /connz `tls_peer_certs` lists it. */
export interface PeerCertificate {
  subject: string;
  /** Hex SHA-256 of the DER SubjectPublicKeyInfo (what `pinned_certs` lists). */
  spkiSha256: string;
  /** Hex SHA-256 of the DER certificate. */
  certSha256: string;
}

export interface TlsSession {
  /** "1.2", "1.3". */
  version: string;
  /** IANA name, as Go prints it: `TLS_AES_128_GCM_SHA256`. */
  cipherSuite: string;
  /** The handshake came before INFO (handshake_first). */
  first: boolean;
  /** The client's chain, leaf first; empty when it sent no certificate. */
  peerCerts: PeerCertificate[];
  /** The leaf certificate's names (for verify_and_map); undefined without a client certificate. */
  peer: CertificateNames | undefined;
}

const MAX_CHAIN = 10;

function sha256(b: Buffer): string {
  return createHash("sha256").update(b).digest("hex");
}

/** The chain Node verified (it completes the client's chain from the trusted CAs). */
function chain(t: TLSSocket): Buffer[] {
  const out: Buffer[] = [];
  let c: DetailedPeerCertificate | undefined = t.getPeerCertificate(true);
  while (c?.raw !== undefined && out.length < MAX_CHAIN) {
    out.push(c.raw);
    if (c.issuerCertificate === undefined || c.issuerCertificate === c) break;
    c = c.issuerCertificate;
  }
  return out;
}

export function describeSession(t: TLSSocket, first: boolean): TlsSession {
  const peerCerts: PeerCertificate[] = [];
  let peer: CertificateNames | undefined;
  for (const [i, der] of chain(t).entries()) {
    let names: CertificateNames;
    try {
      names = readCertificate(der);
    } catch (e) {
      if (e instanceof DerError) continue;
      throw e;
    }
    if (i === 0) peer = names;
    peerCerts.push({ subject: goNameString(names.subject), spkiSha256: sha256(names.spki), certSha256: sha256(der) });
  }
  const cipher = t.getCipher();
  return {
    version: (t.getProtocol() ?? "").replace(/^TLSv/, ""),
    cipherSuite: cipher.standardName ?? cipher.name,
    first,
    peerCerts,
    peer,
  };
}
