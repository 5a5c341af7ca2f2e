/**
 * The monitoring data behind the system account's requests (`$SYS.REQ.SERVER.PING.<X>`,
 * `$SYS.REQ.SERVER.<id>.<X>`, `$SYS.REQ.ACCOUNT.<acc>.<X>`): system.ts receives them, wraps the answer as
 * `{"server":…,"data":…}` and asks this provider for `data`. The request body holds the endpoint's options
 * as JSON with nats-server's field names (ConnzOptions, SubszOptions...), and the answer comes from the
 * same code the HTTP endpoints use — without HTTP's quirks (/subsz always answers the whole Subsz) and
 * without counting in `http_req_stats`.
 *
 * Options of the wrong JSON type and requests nats-server answers with an error give undefined, which
 * system.ts answers with an error reply.
 */
import type { MonitorProvider } from "../server/system.js";
import type { Server } from "../server/server.js";
import { accountInfo } from "./account-info.js";
import { accountzData } from "./accountz.js";
import { connzData, type ConnzOptions } from "./connz.js";
import type { MonitorState } from "./endpoint.js";
import { healthStatus } from "./healthz.js";
import { jszAccount, jszInfo, type JszOptions } from "./jsz.js";
import { BadRequest, type ConnState } from "./query.js";
import { gatewayzData, routezData } from "./routez.js";
import { leafzData } from "./leafz.js";
import { subszData, type SubszOptions } from "./subsz.js";
import { varzData } from "./varz.js";

type Json = Record<string, unknown>;

export function systemMonitor(server: Server, state: MonitorState): MonitorProvider {
  return (endpoint, options, account) => {
    try {
      return account === undefined ? serverData(server, state, endpoint, options) : accountData(server, account, endpoint, options);
    } catch (e) {
      if (!(e instanceof BadRequest)) server.logger.error(`Error answering $SYS ${endpoint} request: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      return undefined;
    }
  };
}

function serverData(server: Server, state: MonitorState, endpoint: string, o: Json): unknown {
  switch (endpoint) {
    case "VARZ":
      return varzData(server, state);
    case "CONNZ":
      return connzData(server, connzOptions(o));
    case "SUBSZ":
      return subszData(server, subszOptions(o));
    case "ACCOUNTZ":
      return accountzData(server, str(o, "account"));
    case "JSZ":
      return jszInfo(server, jszOptions(o));
    case "HEALTHZ":
      return healthStatus(server);
    case "ROUTEZ":
      return routezData(server);
    case "GATEWAYZ":
      return gatewayzData(server);
    case "LEAFZ":
      return leafzData(server, o.subscriptions === true, typeof o.account === "string" ? o.account : "");
  }
  return undefined;
}

/** `$SYS.REQ.ACCOUNT.<acc>.<X>`: the same data, narrowed to the account (which system.ts found). */
function accountData(server: Server, account: string, endpoint: string, o: Json): unknown {
  switch (endpoint) {
    case "CONNZ":
      return connzData(server, { ...connzOptions(o), acc: account });
    case "SUBSZ":
      return subszData(server, { ...subszOptions(o), subscriptions: true, account });
    case "LEAFZ":
      return leafzData(server, o.subscriptions === true, account);
    case "JSZ":
      return jszAccount(server, account, jszOptions(o));
    case "INFO": {
      const acc = server.accounts.get(account);
      return acc && accountInfo(server, acc);
    }
  }
  return undefined;
}

const CONN_STATES: readonly ConnState[] = ["open", "closed", "any"];

function connzOptions(o: Json): ConnzOptions {
  const state = CONN_STATES[int(o, "state")];
  if (state === undefined) throw new BadRequest("state: not a ConnState");
  return {
    sort: str(o, "sort"),
    auth: bool(o, "auth"),
    subs: { list: bool(o, "subscriptions"), detail: bool(o, "subscriptions_detail") },
    offset: int(o, "offset"),
    limit: int(o, "limit"),
    cid: int(o, "cid"),
    state,
    user: str(o, "user"),
    acc: str(o, "acc"),
  };
}

function subszOptions(o: Json): SubszOptions {
  return { subscriptions: bool(o, "subscriptions"), offset: int(o, "offset"), limit: int(o, "limit"), account: str(o, "account"), test: str(o, "test") };
}

function jszOptions(o: Json): JszOptions {
  const account = str(o, "account");
  return {
    accounts: bool(o, "accounts"),
    streams: bool(o, "streams"),
    consumers: bool(o, "consumer"),
    config: bool(o, "config"),
    leaderOnly: bool(o, "leader_only"),
    offset: int(o, "offset"),
    limit: int(o, "limit"),
    ...(account !== "" && { account }),
  };
}

// Go's json.Unmarshal into the options struct: an absent field is the zero value, a field of another
// type fails the request.

function bool(o: Json, name: string): boolean {
  const v = o[name] ?? false;
  if (typeof v !== "boolean") throw new BadRequest(`${name}: not a boolean`);
  return v;
}

function int(o: Json, name: string): number {
  const v = o[name] ?? 0;
  if (typeof v !== "number" || !Number.isInteger(v)) throw new BadRequest(`${name}: not an integer`);
  return v;
}

function str(o: Json, name: string): string {
  const v = o[name] ?? "";
  if (typeof v !== "string") throw new BadRequest(`${name}: not a string`);
  return v;
}
