/**
 * The CONNECT a leaf node sends to its hub (spec §7.3): nats-server 2.9.10's `leafConnectInfo`, field
 * for field in its order and omission rules, encoded and decoded with Go's JSON rules (route-info.ts).
 */
import { decodeFields, encodeFields, type Decoded, type Field } from "./route-info.js";

export interface LeafConnect {
  version?: string;
  jwt?: string;
  sig?: string;
  user?: string;
  pass?: string;
  tlsRequired: boolean;
  compression?: boolean;
  /** The leaf server's id. */
  serverId?: string;
  /** Its JetStream domain. */
  domain?: string;
  /** Its server name. */
  name?: string;
  /** The leaf declares itself the hub: the accepting side takes the spoke's role. */
  isHub?: boolean;
  /** The leaf's cluster, if it is in one (the hub refuses its own cluster's name: a loop). */
  cluster?: string;
  headers?: boolean;
  jetstream?: boolean;
  /** The leaf's deny_imports: the hub must not send it those subjects. */
  denyPub?: string[];
  /** Set only by a gateway that dialled the leaf port by mistake. */
  gateway?: string;
  /** Set only by a client that dialled the leaf port by mistake. */
  lang?: string;
}

const FIELDS: readonly Field<LeafConnect>[] = [
  ["version", "version", "string", true],
  ["jwt", "jwt", "string", true],
  ["sig", "sig", "string", true],
  ["user", "user", "string", true],
  ["pass", "pass", "string", true],
  ["tls_required", "tlsRequired", "bool", false],
  ["compression", "compression", "bool", true],
  ["server_id", "serverId", "string", true],
  ["domain", "domain", "string", true],
  ["name", "name", "string", true],
  ["is_hub", "isHub", "bool", true],
  ["cluster", "cluster", "string", true],
  ["headers", "headers", "bool", true],
  ["jetstream", "jetstream", "bool", true],
  ["deny_pub", "denyPub", "strings", true],
  ["gateway", "gateway", "string", true],
];

export function encodeLeafConnect(c: LeafConnect): string {
  return `CONNECT ${encodeFields(FIELDS, c)}\r\n`;
}

export function decodeLeafConnect(json: string): Decoded<LeafConnect> {
  const d = decodeFields<LeafConnect>(FIELDS, "leafConnectInfo", json, { tlsRequired: false });
  if (!d.ok) return d;
  const lang = (JSON.parse(json) as Record<string, unknown> | null)?.lang;
  if (typeof lang === "string" && lang !== "") d.value.lang = lang;
  return d;
}
