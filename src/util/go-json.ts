/**
 * JSON as Go's encoding/json writes it, for everything nats-server marshals (monitoring, INFO to
 * routes): `<`, `>`, `&`, U+2028 and U+2029 are escaped as \u00XX, and `indent` gives MarshalIndent's
 * two-space layout. Object keys keep their insertion order: build objects in the field order of
 * nats-server's structs.
 */
const HTML_UNSAFE = /[<>&\u2028\u2029]/g;

export function goJson(value: unknown, indent = false): string {
  const text = indent ? JSON.stringify(value, null, 2) : JSON.stringify(value);
  return text.replace(HTML_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
