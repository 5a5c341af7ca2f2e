/**
 * JSON as nats-server writes it (Go's encoding/json): `<`, `>`, `&`, U+2028 and U+2029 are escaped as
 * \u00XX, and `indent` gives MarshalIndent's two-space layout. Object keys keep their insertion order:
 * build objects in the field order of nats-server's structs.
 */
const HAS_UNSAFE = /[<>&\u2028\u2029]/;
const UNSAFE = /[<>&\u2028\u2029]/g;

export function goJson(value: unknown, indent = false): string {
  const text = indent ? JSON.stringify(value, null, 2) : JSON.stringify(value);
  // Most texts have none of these: one test spares them the replace (PubAcks, advisories, API replies).
  return HAS_UNSAFE.test(text) ? text.replace(UNSAFE, escape) : text;
}

function escape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}
