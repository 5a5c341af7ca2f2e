/**
 * NATS header blocks (`NATS/1.0[ status]\r\nKey: Value\r\n…\r\n\r\n`) as JetStream reads and writes them.
 * Keys are matched exactly, as nats-server's getHeader does. Values are latin1 (bytes as chars).
 */

export const HDR_LINE = "NATS/1.0\r\n";

export const JS_MSG_ID = "Nats-Msg-Id";
export const JS_EXPECTED_STREAM = "Nats-Expected-Stream";
export const JS_EXPECTED_LAST_SEQ = "Nats-Expected-Last-Sequence";
export const JS_EXPECTED_LAST_SUBJ_SEQ = "Nats-Expected-Last-Subject-Sequence";
export const JS_EXPECTED_LAST_SUBJ_SEQ_SUBJ = "Nats-Expected-Last-Subject-Sequence-Subject";
export const JS_EXPECTED_LAST_MSG_ID = "Nats-Expected-Last-Msg-Id";
export const JS_ROLLUP = "Nats-Rollup";
export const JS_MSG_TTL = "Nats-TTL";
export const JS_MARKER_REASON = "Nats-Marker-Reason";
/** A KV client's operation on a key; a `PURGE` counts as a delete marker (nats-server's isSubjectDeleteMarker). */
export const KV_OPERATION = "KV-Operation";
export const JS_STREAM_SOURCE = "Nats-Stream-Source";

/** Header name -> values, in order. Only built for messages that have headers. */
export type HeaderMap = Map<string, string[]>;

/** Parses a header block; tolerant like nats-server (lines without a colon are skipped). */
export function parseHeaders(hdr: Buffer): HeaderMap {
  const text = hdr.toString("latin1");
  const out: HeaderMap = new Map();
  let pos = text.indexOf("\r\n");
  if (pos < 0) return out;
  pos += 2;
  while (pos < text.length) {
    const end = text.indexOf("\r\n", pos);
    const line = end < 0 ? text.slice(pos) : text.slice(pos, end);
    if (line.length === 0) break;
    const colon = line.indexOf(":");
    if (colon > 0) {
      const key = line.slice(0, colon);
      const value = line.slice(colon + 1).trim();
      const list = out.get(key);
      if (list === undefined) out.set(key, [value]);
      else list.push(value);
    }
    if (end < 0) break;
    pos = end + 2;
  }
  return out;
}

export function headerValue(h: HeaderMap, key: string): string | undefined {
  return h.get(key)?.[0];
}

/** A header block from a status line suffix (e.g. " 404 Message Not Found") and entries. */
export function buildHeaders(entries: Iterable<readonly [string, string]>, status = ""): string {
  let s = `NATS/1.0${status}\r\n`;
  for (const [k, v] of entries) s += `${k}: ${v}\r\n`;
  return `${s}\r\n`;
}

/** `hdr` with the keys in `drop` removed; undefined when nothing is left but the version line. */
export function withoutHeaders(h: HeaderMap, drop: (key: string) => boolean): Buffer | undefined {
  const entries: [string, string][] = [];
  for (const [k, vs] of h) if (!drop(k)) for (const v of vs) entries.push([k, v]);
  if (entries.length === 0) return undefined;
  return Buffer.from(buildHeaders(entries), "latin1");
}

/** Appends entries to an existing header block (or starts one). */
export function appendHeaders(hdr: Buffer | undefined, entries: Iterable<readonly [string, string]>): Buffer {
  let add = "";
  for (const [k, v] of entries) add += `${k}: ${v}\r\n`;
  if (hdr === undefined || hdr.length === 0) return Buffer.from(`${HDR_LINE}${add}\r\n`, "latin1");
  // Insert before the final blank line.
  const body = hdr.subarray(0, hdr.length - 2);
  return Buffer.concat([body, Buffer.from(`${add}\r\n`, "latin1")]);
}
