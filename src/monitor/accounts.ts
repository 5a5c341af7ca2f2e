/**
 * The accounts monitoring reports on. The server keeps no registry of accounts yet: the global account
 * always exists, and any other account is known through the clients that belong to it (open ones, and the
 * closed ones still in the ring). nats-server also lists `$SYS`; tsnats has no system account.
 */
import type { Account } from "../server/account.js";
import type { Client } from "../server/client.js";
import type { Server } from "../server/server.js";

/** Every known account, the global one first, then in order of first appearance. */
export function knownAccounts(server: Server): Account[] {
  const seen = new Map<string, Account>([[server.globalAccount.name, server.globalAccount]]);
  const add = (c: Client) => {
    if (!seen.has(c.account.name)) seen.set(c.account.name, c.account);
  };
  for (const c of server.clients.values()) add(c);
  for (const c of server.closed) add(c);
  return [...seen.values()];
}

export function findAccount(server: Server, name: string): Account | undefined {
  return knownAccounts(server).find((a) => a.name === name);
}

