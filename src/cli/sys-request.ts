/**
 * Requests to the servers' system services ($SYS.REQ.SERVER...), which only a system account user may
 * make: every server that hears a PING answers, so answers are collected until `expect` have come or
 * none has come for a moment after the last.
 */
import { errors, type NatsConnection } from "@nats-io/transport-node";
import type { ConnectionSettings } from "./global-options.js";
import { CliError } from "./errors.js";

/** How long after the last answer the collection stops when the number of servers is not known. */
const STALL_MS = 300;

export const NO_SYSTEM_RESULTS = "no results received, ensure the account used has system privileges and appropriate permissions";

export interface SysAnswer<T> {
  msg: T;
  /** Milliseconds from the request to this answer. */
  rttMs: number;
}

export async function sysRequestMany<T>(nc: NatsConnection, s: ConnectionSettings, subject: string, body: unknown = "", expect = 0): Promise<SysAnswer<T>[]> {
  const started = performance.now();
  const out: SysAnswer<T>[] = [];
  try {
    const replies = await nc.requestMany(subject, typeof body === "string" ? body : JSON.stringify(body), {
      maxWait: s.timeoutMs,
      ...(expect > 0 ? { strategy: "count" as never, maxMessages: expect } : { strategy: "stall" as never, stall: STALL_MS }),
    });
    for await (const m of replies) {
      if (m.data.length === 0) continue;
      out.push({ msg: m.json<T>(), rttMs: performance.now() - started });
    }
  } catch (e) {
    // No responders: nobody in this account answers $SYS requests, i.e. not a system user.
    if (!(e instanceof errors.NoRespondersError)) throw e;
  }
  if (out.length === 0) throw new CliError(NO_SYSTEM_RESULTS);
  return out;
}
