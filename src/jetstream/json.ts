/** JSON as nats-server writes it (Go's encoding/json): `<`, `>`, `&`, U+2028 and U+2029 escaped. */
const HAS_UNSAFE = /[<>&\u2028\u2029]/;
const UNSAFE = /[<>&\u2028\u2029]/g;

export function goJson(value: unknown): string {
  const text = JSON.stringify(value);
  return HAS_UNSAFE.test(text) ? text.replace(UNSAFE, escape) : text;
}

function escape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}
