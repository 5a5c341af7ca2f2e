/**
 * /accountz (the account names, or one account's detail with `acc`) and /accstatz (per-account
 * connection and message counts, for accounts with connections unless `unused`). Every account the
 * server has is listed: `$G`, the system account, configured ones and, in operator mode, those in use.
 *
 * nats-server keeps message counters per account; tsnats sums its clients' counters, open ones and the
 * closed ones still in the ring, which is the same figure until the ring drops old connections.
 */
import type { Account } from "../server/account.js";
import type { Client } from "../server/client.js";
import { ClosedReason } from "../server/closed-reason.js";
import type { Server } from "../server/server.js";
import { accountInfo } from "./account-info.js";
import { json, type MonitorRequest, type Reply } from "./endpoint.js";
import { goNow } from "./format.js";
import { BadRequest, boolParam } from "./query.js";

export function accountz(req: MonitorRequest): Reply {
  req.count();
  return json(accountzData(req.server, req.query.get("acc") ?? ""));
}

/** The list of accounts, or with `account` its detail; throws BadRequest for an unknown account. */
export function accountzData(server: Server, account: string): Record<string, unknown> {
  const head: Record<string, unknown> = { server_id: server.id, now: goNow() };
  const sys = server.accounts.system;
  if (sys !== undefined) head.system_account = sys.name;
  if (account === "") return { ...head, accounts: [...server.accounts.accounts.keys()] };
  const acc = server.accounts.get(account);
  if (acc === undefined) throw new BadRequest(`Account ${account} does not exist`);
  return { ...head, account_detail: accountInfo(server, acc) };
}

const SLOW_CONSUMER = new Set<ClosedReason | undefined>([ClosedReason.SlowConsumerPendingBytes, ClosedReason.SlowConsumerWriteDeadline]);

export function accstatz(req: MonitorRequest): Reply {
  req.count();
  const unused = boolParam(req.query, "unused");
  const server = req.server;
  const accounts = [...server.accounts.accounts.values()].filter((a) => unused || a.numClients > 0);
  return json({ server_id: server.id, now: goNow(), account_statz: accounts.map((a) => accountStat(server, a)) });
}

function accountStat(server: Server, acc: Account): Record<string, unknown> {
  const members = (c: Client) => c.account === acc;
  const clients = [...server.clients.values(), ...server.closed].filter(members);
  const sum = (f: (c: Client) => number) => clients.reduce((n, c) => n + f(c), 0);
  return {
    acc: acc.name,
    conns: acc.numClients,
    leafnodes: 0,
    total_conns: acc.numClients,
    sent: { msgs: sum((c) => c.outMsgs), bytes: sum((c) => c.outBytes) },
    received: { msgs: sum((c) => c.inMsgs), bytes: sum((c) => c.inBytes) },
    slow_consumers: server.closed.filter((c) => members(c) && SLOW_CONSUMER.has(c.closeReason)).length,
  };
}
