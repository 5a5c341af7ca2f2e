/**
 * /accountz (the account names, or one account's detail with `acc`) and /accstatz (per-account
 * connection and message counts, for accounts with connections unless `unused`).
 *
 * nats-server keeps message counters per account; tsnats sums its clients' counters, open ones and the
 * closed ones still in the ring, which is the same figure until the ring drops old connections.
 */
import type { Account } from "../server/account.js";
import type { Client } from "../server/client.js";
import { ClosedReason } from "../server/closed-reason.js";
import type { Server } from "../server/server.js";
import { findAccount, knownAccounts } from "./accounts.js";
import { json, type MonitorRequest, type Reply } from "./endpoint.js";
import { goNow, goTime } from "./format.js";
import { BadRequest, boolParam } from "./query.js";

// system_account is left out of both answers: tsnats has no system account.

export function accountz(req: MonitorRequest): Reply {
  req.count();
  const server = req.server;
  const name = req.query.get("acc") ?? "";
  const head = { server_id: server.id, now: goNow() };
  if (name === "") return json({ ...head, accounts: knownAccounts(server).map((a) => a.name) });
  const acc = findAccount(server, name);
  if (acc === undefined) throw new BadRequest(`Account ${name} does not exist`);
  return json({
    ...head,
    account_detail: {
      account_name: acc.name,
      // Accounts are created with the server and not updated since.
      update_time: goTime(server.start),
      expired: false,
      complete: true,
      jetstream_enabled: server.jetStreamEnabled,
      leafnode_connections: 0,
      client_connections: acc.numClients,
      subscriptions: acc.sublist.count,
      sublist_stats: acc.sublist.stats(),
    },
  });
}

const SLOW_CONSUMER = new Set<ClosedReason | undefined>([ClosedReason.SlowConsumerPendingBytes, ClosedReason.SlowConsumerWriteDeadline]);

export function accstatz(req: MonitorRequest): Reply {
  req.count();
  const unused = boolParam(req.query, "unused");
  const server = req.server;
  const accounts = knownAccounts(server).filter((a) => unused || a.numClients > 0);
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
