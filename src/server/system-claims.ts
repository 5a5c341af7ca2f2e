/**
 * Operator mode's account JWT distribution over the system account (what `nsc push` and `nsc pull`
 * use): `$SYS.REQ.ACCOUNT.<id>.CLAIMS.UPDATE` (also the legacy `$SYS.ACCOUNT.<id>.CLAIMS.UPDATE` and
 * `$SYS.REQ.CLAIMS.UPDATE`), `$SYS.REQ.ACCOUNT.<id>.CLAIMS.LOOKUP`, and for the directory resolver
 * `$SYS.REQ.CLAIMS.{LIST,PACK,DELETE}`. An accepted update takes effect at once: limits, exports and
 * imports change, and clients whose user the account now revokes are disconnected.
 */
import type { Account as AccountJwt, ClaimsData, Generic } from "@nats-io/jwt";
import { decodeJwt, isRevoked } from "../auth/jwt.js";
import type { Account } from "./account.js";
import type { AccountResolver } from "../auth/account-resolver.js";
import type { AccountRegistry } from "./accounts.js";
import type { Client } from "./client.js";
import { closeRevoked, type ClientAuthHost } from "./client-auth.js";
import type { InternalMessaging } from "./internal-messaging.js";

/** What the claim services need from the server. */
export interface ClaimsHost extends ClientAuthHost, InternalMessaging {
  /** Operator mode with a resolver: where account JWTs are kept. */
  readonly resolver: AccountResolver | undefined;
  readonly accounts: AccountRegistry;
  publish(from: Client | undefined, account: Account, subject: string, reply: string | undefined, payload: Buffer, hdrLen: number): number;
}

function text(payload: Buffer, hdrLen: number): string {
  return (hdrLen > 0 ? payload.subarray(hdrLen) : payload).toString("utf8").trim();
}

/** `serverInfo` makes the `server` object every reply carries. */
export function startClaimServices(server: ClaimsHost, serverInfo: () => Record<string, unknown>, sys: Account): void {
  const resolver = server.resolver;
  if (resolver === undefined) return;
  const respond = (reply: string | undefined, body: unknown) => {
    if (reply !== undefined) server.publishInternal(sys, reply, undefined, typeof body === "string" ? body : JSON.stringify(body));
  };
  const ok = (reply: string | undefined, account: string, message: string) =>
    respond(reply, { server: serverInfo(), data: { account, code: 200, message } });
  const fail = (reply: string | undefined, account: string, description: string) =>
    respond(reply, { server: serverInfo(), error: { account, code: 500, description } });

  const update = (expected: string | undefined, reply: string | undefined, jwt: string) => {
    let claims: ClaimsData<AccountJwt>;
    try {
      if (server.auth.trust === undefined) throw new Error("not in operator mode");
      claims = server.auth.trust.account(jwt);
    } catch (e) {
      return fail(reply, expected ?? "", `jwt validation failed: ${(e as Error).message}`);
    }
    const id = claims.sub;
    if (expected !== undefined && expected !== id) return fail(reply, expected, "subject does not match the account in the request");
    const current = server.auth.accountClaims(id);
    if (current !== undefined && current.iat > claims.iat) return fail(reply, id, "jwt update is older than the stored one");
    resolver.store(id, jwt).then(
      () => {
        applyUpdate(server, id, claims);
        ok(reply, id, "jwt updated");
      },
      (e: Error) => fail(reply, id, `jwt update failed: ${e.message}`),
    );
  };

  const onUpdate = (subject: string, reply: string | undefined, payload: Buffer, hdrLen: number) => {
    const toks = subject.split(".");
    update(toks[toks.length - 3], reply, text(payload, hdrLen));
  };
  server.subscribeInternal(sys, "$SYS.REQ.ACCOUNT.*.CLAIMS.UPDATE", onUpdate);
  server.subscribeInternal(sys, "$SYS.ACCOUNT.*.CLAIMS.UPDATE", onUpdate);
  server.subscribeInternal(sys, "$SYS.REQ.CLAIMS.UPDATE", (_s, reply, payload, hdrLen) => update(undefined, reply, text(payload, hdrLen)));

  server.subscribeInternal(sys, "$SYS.REQ.ACCOUNT.*.CLAIMS.LOOKUP", (subject, reply) => {
    const id = subject.split(".")[3]!;
    respond(reply, resolver.fetch(id) ?? "");
  });
  if (!resolver.isDirectory) return;

  server.subscribeInternal(sys, "$SYS.REQ.CLAIMS.LIST", (_s, reply) => respond(reply, { server: serverInfo(), data: resolver.list() }));
  server.subscribeInternal(sys, "$SYS.REQ.CLAIMS.PACK", (_s, reply) => {
    if (reply === undefined) return;
    for (const id of resolver.list()) respond(reply, `${id}|${resolver.fetch(id)}`);
    respond(reply, "");
  });
  server.subscribeInternal(sys, "$SYS.REQ.CLAIMS.DELETE", (_s, reply, payload, hdrLen) => {
    let accounts: string[];
    try {
      const c = decodeJwt<Generic & { accounts?: string[] }>(text(payload, hdrLen));
      if (server.auth.trust === undefined || !server.auth.trust.keys.has(c.iss)) throw new Error("not signed by a trusted operator");
      accounts = Array.isArray(c.nats.accounts) ? c.nats.accounts.filter((a): a is string => typeof a === "string") : [];
    } catch (e) {
      return fail(reply, "", `delete validation failed: ${(e as Error).message}`);
    }
    Promise.all(accounts.map((a) => resolver.delete(a))).then(
      () => {
        for (const a of accounts) closeRevoked(server, (c) => c.account.name === a);
        ok(reply, "", `deleted ${accounts.length} accounts`);
      },
      (e: Error) => fail(reply, "", e.message),
    );
  });
}

/** Applies a newly stored account JWT to a live account (if it is loaded) and drops revoked users. */
function applyUpdate(server: ClaimsHost, id: string, claims: ClaimsData<AccountJwt>): void {
  const a = server.accounts.get(id);
  if (a === undefined) return;
  server.accounts.applyClaims(a, claims);
  server.accounts.relink(server.auth);
  closeRevoked(server, (c) => c.account === a && c.user?.jwt !== undefined && isRevoked(a.revocations, c.user.name, c.user.jwt.issuedAt));
}
