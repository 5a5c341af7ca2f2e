/**
 * The nonce a server puts in INFO when clients authenticate with keys (nkeys, JWTs), and the check of a
 * client's signature over it: Ed25519 by the user's public nkey, sent base64 raw-URL (std base64 also
 * accepted, as by nats-server).
 */
import { randomBytes } from "node:crypto";
import type * as Nkeys from "@nats-io/nkeys";
import { lazyRequire } from "../util/lazy-require.js";

const nkeys = lazyRequire<typeof Nkeys>("@nats-io/nkeys");

/** 11 random bytes as raw-URL base64: 15 characters, like nats-server's. */
export function newNonce(): string {
  return randomBytes(11).toString("base64url");
}

export function decodeSig(sig: string): Uint8Array | undefined {
  if (!/^[A-Za-z0-9+/_-]+=*$/.test(sig)) return undefined;
  const b = Buffer.from(sig.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return b.length === 64 ? b : undefined;
}

/** Whether `sig` is `publicKey`'s signature of the nonce text. */
export function verifyNonceSig(publicKey: string, nonce: string | undefined, sig: string | undefined): boolean {
  if (nonce === undefined || sig === undefined) return false;
  const raw = decodeSig(sig);
  if (raw === undefined) return false;
  try {
    return nkeys().fromPublic(publicKey).verify(Buffer.from(nonce, "latin1"), raw);
  } catch {
    return false;
  }
}
