/**
 * Distinguished names as nats-server shows and compares them: Go's RFC 2253 rendering (last RDN first,
 * `CN=alice,OU=Dev,O=Acme`) and a parsed form in which attribute types are OIDs, so that a configured
 * user name matches a certificate whatever the order of its RDNs or the case of its attribute types.
 */
import type { NameAttribute, Rdn } from "./certificate.js";
import { DerError, readDer, stringValue } from "./der.js";

/** The attribute types Go names in a DN string; the others it prints as `oid=#hex`. */
const GO_NAMES: ReadonlyMap<string, string> = new Map([
  ["2.5.4.6", "C"],
  ["2.5.4.10", "O"],
  ["2.5.4.11", "OU"],
  ["2.5.4.3", "CN"],
  ["2.5.4.5", "SERIALNUMBER"],
  ["2.5.4.7", "L"],
  ["2.5.4.8", "ST"],
  ["2.5.4.9", "STREET"],
  ["2.5.4.17", "POSTALCODE"],
]);

/** Go's names plus the LDAP ones nats-server also knows when it reads a raw subject. */
export const LDAP_NAMES: ReadonlyMap<string, string> = new Map([
  ...GO_NAMES,
  ["0.9.2342.19200300.100.1.25", "DC"],
  ["0.9.2342.19200300.100.1.1", "UID"],
]);

/** Names a configured DN may use, mapped to their OIDs. */
const PARSE_NAMES: ReadonlyMap<string, string> = new Map([
  ...[...LDAP_NAMES].map(([oid, name]) => [name, oid] as const),
  ["E", "1.2.840.113549.1.9.1"],
  ["EMAILADDRESS", "1.2.840.113549.1.9.1"],
]);

/** Go's order of the subject fields it knows (pkix.Name.ToRDNSequence). */
const GO_FIELD_ORDER = ["2.5.4.6", "2.5.4.8", "2.5.4.7", "2.5.4.9", "2.5.4.17", "2.5.4.10", "2.5.4.11", "2.5.4.3", "2.5.4.5"];

function escapeValue(v: string): string {
  let out = "";
  const chars = [...v];
  chars.forEach((c, i) => {
    const special =
      ',+"\\<>;'.includes(c) || (c === " " && (i === 0 || i === chars.length - 1)) || (c === "#" && i === 0);
    out += special ? `\\${c}` : c;
  });
  return out;
}

/** Go's characters of a PrintableString (without `*` and `&`). */
const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

/**
 * Go prints an unnamed attribute's value re-encoded from its decoded form: text as a PrintableString
 * when it can be one, else UTF8String (other kinds keep their own encoding).
 */
function goValueDer(a: NameAttribute): Buffer {
  if (a.value === undefined) return a.der;
  const body = Buffer.from(a.value, "utf8");
  const len = body.length;
  const head = len < 0x80 ? [len] : len < 0x100 ? [0x81, len] : [0x82, len >> 8, len & 0xff];
  return Buffer.concat([Buffer.from([PRINTABLE.test(a.value) ? 0x13 : 0x0c, ...head]), body]);
}

function attributeString(a: NameAttribute, names: ReadonlyMap<string, string>): string {
  const name = names.get(a.type);
  if (name === undefined || a.value === undefined) return `${a.type}=#${goValueDer(a).toString("hex")}`;
  return `${name}=${escapeValue(a.value)}`;
}

/**
 * An RDN sequence as Go's RDNSequence.String(): last RDN first, `,` between RDNs, `+` inside one;
 * attribute types without a name in `names` as `oid=#<DER hex>`.
 */
export function rdnSequenceString(rdns: readonly Rdn[], names: ReadonlyMap<string, string> = GO_NAMES): string {
  return [...rdns]
    .reverse()
    .map((rdn) => rdn.map((a) => attributeString(a, names)).join("+"))
    .join(",");
}

/** Go's fields of a subject in its order, the values of one field in one RDN (pkix.Name.ToRDNSequence). */
function goFields(all: readonly NameAttribute[]): Rdn[] {
  const seq: Rdn[] = [];
  for (const oid of GO_FIELD_ORDER) {
    const values = all.filter((a) => a.type === oid);
    if (values.length > 0) seq.push(values);
  }
  return seq;
}

/** Only the subject fields Go has (what nats-server logs for a certificate and matches last). */
export function goFieldsString(rdns: readonly Rdn[]): string {
  return rdnSequenceString(goFields(rdns.flat()));
}

/**
 * A subject as Go's pkix.Name.String() shows it (nats-server's /connz `subject` and its logs): attributes
 * Go has no field for first, then its fields in their fixed order, values of one field in one RDN.
 */
export function goNameString(rdns: readonly Rdn[]): string {
  const all = rdns.flat();
  const others: Rdn[] = all.filter((a) => !GO_NAMES.has(a.type)).map((a) => [a]);
  return rdnSequenceString([...others, ...goFields(all)]);
}

/** An attribute of a parsed DN: the type as an OID (or as written, upper-cased, when unknown). */
export interface DnAttribute {
  type: string;
  value: string;
}

/** A parsed DN (RFC 4514 text), RDNs in the order written; undefined when `text` is not a DN. */
export function parseDn(text: string): DnAttribute[][] | undefined {
  const rdns: DnAttribute[][] = [];
  let rdn: DnAttribute[] = [];
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf("=", i);
    if (eq < 0) return undefined;
    const typeText = text.slice(i, eq).trim();
    if (typeText === "" || !/^[A-Za-z][\w-]*$|^\d+(\.\d+)+$/.test(typeText)) return undefined;
    const type = /^\d/.test(typeText) ? typeText : (PARSE_NAMES.get(typeText.toUpperCase()) ?? typeText.toUpperCase());
    const v = readValue(text, eq + 1);
    if (v === undefined) return undefined;
    rdn.push({ type, value: v.value });
    i = v.end;
    if (i < text.length) {
      const sep = text[i];
      i++;
      if (sep !== "+") {
        rdns.push(rdn);
        rdn = [];
      }
      if (i >= text.length) return undefined; // a trailing separator
    }
  }
  if (rdn.length > 0) rdns.push(rdn);
  return rdns.length > 0 ? rdns : undefined;
}

/** One attribute value from `start`: escapes resolved, unescaped outer spaces dropped; `end` is at the separator. */
function readValue(text: string, start: number): { value: string; end: number } | undefined {
  let i = start;
  while (text[i] === " ") i++;
  if (text[i] === "#") {
    let j = i + 1;
    while (j < text.length && /[0-9a-fA-F]/.test(text[j]!)) j++;
    const value = berString(text.slice(i + 1, j));
    if (value === undefined) return undefined;
    while (text[j] === " ") j++;
    return j === text.length || ",;+".includes(text[j]!) ? { value, end: j } : undefined;
  }
  const bytes: number[] = [];
  let keep = 0; // length of `bytes` up to the last escaped or non-space character
  while (i < text.length && !",;+".includes(text[i]!)) {
    const c = text[i]!;
    if (c === "\\") {
      const hex = text.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 3;
      } else if (i + 1 < text.length) {
        bytes.push(...Buffer.from(text[i + 1]!, "utf8"));
        i += 2;
      } else return undefined;
      keep = bytes.length;
      continue;
    }
    bytes.push(...Buffer.from(c, "utf8"));
    if (c !== " ") keep = bytes.length;
    i++;
  }
  return { value: Buffer.from(bytes.slice(0, keep)).toString("utf8"), end: i };
}

function berString(hex: string): string | undefined {
  if (hex.length === 0 || hex.length % 2 !== 0) return undefined;
  try {
    return stringValue(readDer(Buffer.from(hex, "hex")));
  } catch (e) {
    if (e instanceof DerError) return undefined;
    throw e;
  }
}

function rdnKey(rdn: readonly DnAttribute[]): string {
  return rdn
    .map((a) => `${a.type}=${a.value}`)
    .sort()
    .join("\u0000");
}

/** The certificate subject in the parsed form (non-string attributes match only as `#<DER hex>`). */
export function subjectDn(rdns: readonly Rdn[]): DnAttribute[][] {
  return rdns.map((rdn) => rdn.map((a) => ({ type: a.type, value: a.value ?? `#${a.der.toString("hex")}` })));
}

/** Same RDNs, in any order; attribute values compare exactly (as nats-server does). */
export function sameDn(a: readonly DnAttribute[][], b: readonly DnAttribute[][]): boolean {
  if (a.length !== b.length) return false;
  const keys = a.map(rdnKey).sort();
  const other = b.map(rdnKey).sort();
  return keys.every((k, i) => k === other[i]);
}
