/**
 * `listen`-style fields (`listen`, `http`, `https`, `cluster.listen`): a port number or a "host:port"
 * string, split the way nats-server splits it.
 */
import type { ConfEntry } from "./conf-tree.js";
import { kindName, type FieldReader } from "./field-reader.js";

export interface ListenAddress {
  port: number;
  /** undefined when the field gave only a port (or ":port"). */
  host?: string;
}

/** `host:port` (IPv6 in brackets). */
function hostPort(e: ConfEntry, text: string, r: FieldReader): ListenAddress | undefined {
  const colon = text.lastIndexOf(":");
  if (colon < 0) return r.error(e.keyPos, `could not parse address string ${JSON.stringify(text)}`);
  let host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (!/^-?\d+$/.test(portText)) return r.error(e.keyPos, `could not parse port ${JSON.stringify(portText)}`);
  return { port: Number(portText), ...(host !== "" && { host }) };
}

export function readListenAddress(e: ConfEntry, r: FieldReader): ListenAddress | undefined {
  const v = e.value;
  if (v.kind === "int") return { port: v.value };
  if (v.kind !== "string") return r.error(e.keyPos, `expected port or host:port, got ${kindName(v)}`);
  return hostPort(e, v.value, r);
}
