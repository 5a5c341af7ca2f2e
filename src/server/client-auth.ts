/**
 * What authentication means for one connection: joining its account (within the account's connection
 * limit), taking the user's permissions and limits, losing its credentials when they expire, are revoked
 * or a reload no longer admits them. The wire texts and log lines are nats-server's.
 */
import type { AuthUser } from "../auth/auth-user.js";
import type { Authenticator, AuthOutcome } from "../auth/authenticator.js";
import { ResponseTracker } from "../auth/responses.js";
import type { Account } from "./account.js";
import type { Client, ClientHost } from "./client.js";
import { AUTH_ERR, subscribeViolation } from "./auth-texts.js";
import { ClosedReason } from "./closed-reason.js";

/** What joining, keeping and losing an account needs from the server. */
export interface ClientAuthHost extends ClientHost {
  readonly auth: Authenticator;
  readonly accounts: { resolve(name: string, auth: Authenticator): Account | undefined };
  readonly clients: ReadonlyMap<number, Client>;
  /** The INFO telling a client its account's lower max_payload. */
  infoWithMaxPayload(c: Client, maxPayload: number): string;
}

/** The smallest limit that applies (undefined or negative: that source sets none). */
function minLimit(...xs: (number | undefined)[]): number | undefined {
  let out: number | undefined;
  for (const x of xs) if (x !== undefined && x >= 0 && (out === undefined || x < out)) out = x;
  return out;
}

/** Takes the user's permissions and limits (at CONNECT, and again after a reload). */
export function applyUser(server: ClientAuthHost, c: Client, user: AuthUser): void {
  c.user = user;
  c.authorizedUser = user.name;
  const perms = user.permissions;
  c.perms = perms;
  c.responses = perms?.response !== undefined ? new ResponseTracker(perms.response) : null;
  c.deliveryGate = perms !== null && (perms.filtersDelivery || perms.response !== undefined);
  const acc = c.account.limits;
  c.maxPayload = minLimit(server.opts.maxPayload, acc.maxPayload, user.limits?.payload) ?? server.opts.maxPayload;
  c.accountMaxSubs = minLimit(acc.maxSubscriptions, user.limits?.subs);
  c.armExpiry(user.expiresAt);
}

/** Moves an authenticated client into its account; false (the client is closed) when that fails. */
export function bindClient(server: ClientAuthHost, c: Client, user: AuthUser): boolean {
  const acc = server.accounts.resolve(user.account, server.auth);
  if (acc === undefined) {
    c.authViolation(`authentication error - account "${user.account}" not found`);
    return false;
  }
  const max = acc.limits.maxConnections;
  if (max !== undefined && max >= 0 && acc.numClients >= max) {
    server.logger.error(`${c.logPrefix} - ${AUTH_ERR.maxAccountConnections}`);
    c.sendErrAndClose(AUTH_ERR.maxAccountConnections, ClosedReason.MaxAccountConnectionsExceeded);
    return false;
  }
  c.account.numClients--;
  acc.numClients++;
  c.account = acc;
  applyUser(server, c, user);
  if (c.opts.protocol >= 1 && c.maxPayload !== server.opts.maxPayload) {
    // After the replies to what came with CONNECT, as nats-server's asynchronous INFO arrives.
    setImmediate(() => c.queueStr(server.infoWithMaxPayload(c, c.maxPayload)));
  }
  return true;
}

/**
 * After a reload: a client whose credentials no longer admit it (or admit it into another account) is
 * closed with 'Authorization Violation'; the others take their new permissions and lose subscriptions
 * those refuse (each with its -ERR, as nats-server does).
 */
export function reauthorize(server: ClientAuthHost, c: Client): void {
  const done = (o: AuthOutcome) => {
    if (c.closed) return;
    if (!o.ok) return c.authViolation(o.log);
    if (o.user.account !== c.account.name) return c.authViolation(`authentication error - account changed to "${o.user.account}"`);
    applyUser(server, c, o.user);
    const perms = c.perms;
    if (perms === null || !perms.restrictsSubscribe) return;
    for (const sub of [...c.subs.values()]) {
      if (perms.canSubscribe(sub.subject, sub.queue)) continue;
      c.removeSub(sub);
      c.sendErr(subscribeViolation(sub.subject, sub.queue));
    }
  };
  const out = server.authenticate(c);
  if (out instanceof Promise) void out.then(done);
  else done(out);
}

/** Operator mode: closes the clients of `account` whose user JWT the account now revokes. */
/** Closes the clients of an account whose JWT expired, as nats-server does (the account itself stays). */
export function closeAccountExpired(server: ClientAuthHost, a: Account): void {
  for (const c of [...server.clients.values()]) {
    if (!c.connected || c.account !== a) continue;
    server.logger.debug(`${c.logPrefix} - Account authentication expired`);
    c.sendErrAndClose(AUTH_ERR.accountExpired, ClosedReason.AuthenticationExpired);
  }
}

export function closeRevoked(server: ClientAuthHost, isRevoked: (c: Client) => boolean): void {
  for (const c of [...server.clients.values()]) {
    if (!c.connected || !isRevoked(c)) continue;
    server.logger.debug(`${c.logPrefix} - User authentication revoked`);
    c.sendErrAndClose(AUTH_ERR.userRevoked, ClosedReason.Revocation);
  }
}
