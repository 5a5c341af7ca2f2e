/**
 * A server's id within RAFT groups: 8 characters derived from its server name, as nats-server does, so
 * the id is stable across restarts (the vote and the logs name it) and fits in a subject token.
 * (nats-server's own hash is sha256 in base64 without padding; ours uses base62 to stay a plain
 * token. A mixed group would need nats-server's exact ids.)
 */
import { createHash } from "node:crypto";

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function raftNodeId(serverName: string): string {
  const h = createHash("sha256").update(serverName).digest();
  let id = "";
  for (let i = 0; i < 8; i++) id += ALPHABET[h[i]! % 62];
  return id;
}
