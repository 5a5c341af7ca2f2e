/**
 * What this server says in the leaf handshake, as nats-server 2.9.10 says it: the INFO a hub sends on
 * every accepted leaf connection (then again, with `connect_info`, the bound account and the leaf's
 * permissions, once its CONNECT is accepted), the CONNECT a leaf sends its hub, and the hub's check of
 * that CONNECT (credentials and the account they bind to).
 */
import { readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import type * as Nkeys from "@nats-io/nkeys";
import { checkSecret } from "../../auth/passwords.js";
import type { Permissions } from "../../auth/permissions.js";
import type { LeafNodeOptions, LeafRemote } from "../../config/leafnode-options.js";
import type { LeafConnect } from "../../protocol/leaf-connect.js";
import type { RouteInfo } from "../../protocol/route-info.js";
import { GLOBAL_ACCOUNT } from "../../util/global-account.js";
import { joinHostPort, splitGoHostPort } from "../../util/go-url.js";
import { lazyRequire } from "../../util/lazy-require.js";

const nkeys = lazyRequire<typeof Nkeys>("@nats-io/nkeys");

export interface LeafLocalServer {
  serverId: string;
  serverName: string;
  version: string;
  go: string;
  maxPayload: number;
  headers: boolean;
  jetstream: boolean;
  domain?: string;
  /** This server's cluster name, when it is in one. */
  cluster?: string;
}

/** `host:port` leaves are told to dial (INFO's `ip` and `leafnode_urls`): the advertised or listened address. */
export function leafUrl(o: LeafNodeOptions, listenPort: number): string {
  if (o.advertise) {
    const hp = splitGoHostPort(o.advertise.trim());
    const port = hp.ok && Number(hp.port) > 0 ? Number(hp.port) : listenPort;
    return joinHostPort(hp.ok ? hp.host : o.advertise.trim(), port);
  }
  return joinHostPort(anyToPublic(o.host), listenPort);
}

/** nats-server names one non-local address of this machine for a listener on every interface. */
function anyToPublic(host: string): string {
  if (host !== "0.0.0.0" && host !== "::" && host !== "") return host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === "IPv4") return a.address;
  }
  return "127.0.0.1";
}

/** The hub's INFO on an accepted leaf connection (before CONNECT). */
export function hubInfo(o: LeafNodeOptions, s: LeafLocalServer, listenPort: number, cid: number, nonce: string): RouteInfo {
  const url = leafUrl(o, listenPort);
  const sp = url.lastIndexOf(":");
  const info: RouteInfo = {
    serverId: s.serverId,
    serverName: s.serverName,
    version: s.version,
    proto: 1,
    go: s.go,
    host: url.slice(0, sp).replace(/^\[|\]$/g, ""),
    port: Number(url.slice(sp + 1)),
    headers: s.headers,
    authRequired: true,
    maxPayload: s.maxPayload,
    ip: url,
    clientId: cid,
    nonce,
    leafnodeUrls: [url],
    infoOnConnect: true,
  };
  if (s.jetstream) info.jetstream = true;
  if (s.domain) info.domain = s.domain;
  if (s.cluster) info.cluster = s.cluster;
  return info;
}

/** The leaf's CONNECT: credentials from the creds file (signing the hub's nonce) or the URL. */
export function leafConnect(remote: LeafRemote, url: URL, s: LeafLocalServer, nonce: string, overTls: boolean): LeafConnect {
  const c: LeafConnect = {
    version: s.version,
    tlsRequired: overTls,
    serverId: s.serverId,
    name: s.serverName,
    headers: s.headers,
  };
  if (s.domain) c.domain = s.domain;
  if (remote.hub) c.isHub = true;
  if (s.cluster) c.cluster = s.cluster;
  if (s.jetstream) c.jetstream = true;
  if (remote.denyImports.length > 0) c.denyPub = [...remote.denyImports];
  if (remote.credentials !== undefined) {
    const { jwt, seed } = readCreds(remote.credentials);
    c.jwt = jwt;
    c.sig = Buffer.from(nkeys().fromSeed(new TextEncoder().encode(seed)).sign(new TextEncoder().encode(nonce))).toString("base64url");
  } else if (url.username !== "") {
    c.user = decodeURIComponent(url.username);
    c.pass = decodeURIComponent(url.password);
  }
  return c;
}

/** A .creds file's user JWT and seed (the blocks between `-----...-----` lines). */
function readCreds(path: string): { jwt: string; seed: string } {
  const text = readFileSync(path, "utf8");
  const blocks = [...text.matchAll(/-{3,}[^\n]*-{3,}\r?\n\s*([^\s-][^\n]*?)\s*\r?\n\s*-{3,}[^\n]*-{3,}/g)].map((m) => m[1]!.trim());
  if (blocks.length < 2) throw new Error(`credentials file ${path} is malformed`);
  return { jwt: blocks[0]!, seed: blocks[1]! };
}

/** A leaf user's own permissions (as a client's, from the leaf's side: publish into the hub, receive from it). */
export type LeafAuthVerdict = { ok: true; account: string; permissions?: Permissions | null } | { ok: false };

/**
 * The hub's check of a leaf's credentials against `authorization`: a single user, or a users list, each
 * binding to its account (the global account when none is named). Without leaf authorization, undefined:
 * the server's client authentication decides (nats-server does the same).
 */
export function checkLeafAuth(o: LeafNodeOptions, c: LeafConnect): LeafAuthVerdict | Promise<LeafAuthVerdict> | undefined {
  if (o.username !== undefined) {
    if (c.user !== o.username) return { ok: false };
    return verdict(checkSecret(c.pass ?? "", o.password ?? ""), o.account ?? GLOBAL_ACCOUNT);
  }
  if (o.users.length > 0) {
    const u = o.users.find((x) => x.user === c.user);
    if (u === undefined) return { ok: false };
    return verdict(checkSecret(c.pass ?? "", u.password), u.account ?? GLOBAL_ACCOUNT);
  }
  return undefined;
}

function verdict(same: boolean | Promise<boolean>, account: string): LeafAuthVerdict | Promise<LeafAuthVerdict> {
  const of = (ok: boolean): LeafAuthVerdict => (ok ? { ok: true, account } : { ok: false });
  return typeof same === "boolean" ? of(same) : same.then(of);
}
