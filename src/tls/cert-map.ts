/**
 * verify_and_map: which configured user a verified client certificate stands for. Tried in nats-server's
 * order — email addresses, DNS names, URIs (each as a user name), then the subject as a DN (RDNs in any
 * order), then the subject's RFC 2253 text exactly: in full, or with only the fields Go knows.
 */
import type { CertificateNames } from "./certificate.js";
import { goFieldsString, LDAP_NAMES, parseDn, rdnSequenceString, sameDn, subjectDn } from "./dn.js";

export interface CertificateMatch {
  user: string;
  /** What matched, for the debug log: "email", "SAN", "URI", "DN" or "subject". */
  via: string;
}

/** The user `cert` maps to among `users` (their names), or undefined. */
export function mapCertificateToUser(cert: CertificateNames, users: readonly string[]): CertificateMatch | undefined {
  const known = new Set(users);
  const byName = (names: readonly string[], via: string) => {
    const user = names.find((n) => known.has(n));
    return user === undefined ? undefined : { user, via };
  };
  const direct = byName(cert.emails, "email") ?? byName(cert.dnsNames, "SAN") ?? byName(cert.uris, "URI");
  if (direct) return direct;
  const dn = subjectDn(cert.subject);
  for (const user of users) {
    const parsed = parseDn(user);
    if (parsed !== undefined && sameDn(parsed, dn)) return { user, via: "DN" };
  }
  return byName([rdnSequenceString(cert.subject, LDAP_NAMES), goFieldsString(cert.subject)], "subject");
}
