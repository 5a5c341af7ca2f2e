/** Every server's connections (CONNZ through the system services), for the connection and account reports. */
import type { NatsConnection } from "@nats-io/transport-node";
import type { ConnectionSettings } from "./global-options.js";
import { sysRequestMany } from "./sys-request.js";

export interface ServerHeader { name: string; id?: string; cluster?: string }

export interface ConnInfo {
  cid: number; kind?: string; name?: string; ip: string; port: number; account?: string; uptime: string; start: string;
  in_msgs: number; out_msgs: number; in_bytes: number; out_bytes: number; subscriptions: number; subscriptions_list?: string[]; reason?: string;
}

interface ConnzAnswer { server: ServerHeader; data?: { connections?: ConnInfo[] } }

/** A connection with the server that reported it. */
export interface ConnRow extends ConnInfo { server: ServerHeader }

/** At most `top` connections from each server (of `account` only, when given); `servers` > 0 stops after that many answers. */
export async function fetchConnections(nc: NatsConnection, s: ConnectionSettings, top: number, account: string | undefined, servers: number): Promise<ConnRow[]> {
  const answers = await sysRequestMany<ConnzAnswer>(nc, s, "$SYS.REQ.SERVER.PING.CONNZ",
    { subscriptions: true, auth: true, limit: top, ...(account ? { acc: account } : {}) }, servers);
  return answers.flatMap((a) => (a.msg.data?.connections ?? []).map((c) => ({ ...c, subscriptions: c.subscriptions ?? 0, server: a.msg.server })));
}
