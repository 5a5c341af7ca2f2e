/**
 * What the server needs from a client certificate: its subject as an RDN sequence, its email, DNS and URI
 * alternative names (for verify_and_map), and its public key (for pinned_certs and /connz).
 */
import { children, DerError, oidString, readDer, stringValue, TAG, type Der } from "./der.js";

/** One attribute of a distinguished name: `type` is the dotted OID. */
export interface NameAttribute {
  type: string;
  /** The text of a string-valued attribute; undefined for other ASN.1 kinds. */
  value: string | undefined;
  /** The value's DER encoding. */
  der: Buffer;
}

/** A relative distinguished name: one or more attributes (`CN=a+UID=b`). */
export type Rdn = NameAttribute[];

export interface CertificateNames {
  /** The subject's RDNs in certificate order (most significant first: C, O, ..., CN). */
  subject: Rdn[];
  emails: string[];
  dnsNames: string[];
  uris: string[];
  /** DER SubjectPublicKeyInfo. */
  spki: Buffer;
}

const SAN_OID = "2.5.29.17";
const GENERAL_NAME = { EMAIL: 0x81, DNS: 0x82, URI: 0x86 } as const;

/** Reads a DER certificate; throws DerError when it is not one. */
export function readCertificate(der: Buffer): CertificateNames {
  const cert = children(expect(readDer(der), TAG.SEQUENCE));
  const tbs = children(expect(cert[0], TAG.SEQUENCE));
  // [0] version is optional; then serial, signature algorithm, issuer, validity, subject, public key.
  const base = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const subject = readName(expect(tbs[base + 4], TAG.SEQUENCE));
  const spki = expect(tbs[base + 5], TAG.SEQUENCE).raw;
  const names: CertificateNames = { subject, emails: [], dnsNames: [], uris: [], spki };
  const extensions = tbs.slice(base + 6).find((d) => d.tag === 0xa3);
  if (extensions) {
    for (const ext of children(expect(children(extensions)[0], TAG.SEQUENCE))) {
      const parts = children(ext);
      if (parts[0]?.tag !== TAG.OID || oidString(parts[0].body) !== SAN_OID) continue;
      readAltNames(expect(parts[parts.length - 1], TAG.OCTET_STRING), names);
    }
  }
  return names;
}

function expect(d: Der | undefined, tag: number): Der {
  if (d === undefined || d.tag !== tag) throw new DerError("not an X.509 certificate");
  return d;
}

function readName(name: Der): Rdn[] {
  return children(name).map((set) =>
    children(expect(set, TAG.SET)).map((atv) => {
      const [type, value] = children(expect(atv, TAG.SEQUENCE));
      const v = expect(value, value?.tag ?? -1);
      return { type: oidString(expect(type, TAG.OID).body), value: stringValue(v), der: v.raw };
    }),
  );
}

function readAltNames(octets: Der, into: CertificateNames): void {
  for (const gn of children(expect(readDer(octets.body), TAG.SEQUENCE))) {
    const text = gn.body.toString("latin1");
    if (gn.tag === GENERAL_NAME.EMAIL) into.emails.push(text);
    else if (gn.tag === GENERAL_NAME.DNS) into.dnsNames.push(text);
    else if (gn.tag === GENERAL_NAME.URI) into.uris.push(text);
  }
}
