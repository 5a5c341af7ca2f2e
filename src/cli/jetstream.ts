/** The JetStream manager and client a command uses, with the domain, API prefix and timeout flags applied. */
import type { NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { ConnectionSettings } from "./global-options.js";

function jsOptions(s: ConnectionSettings) {
  return {
    timeout: s.timeoutMs,
    ...(s.jetstream_domain ? { domain: s.jetstream_domain } : {}),
    ...(s.jetstream_api_prefix ? { apiPrefix: s.jetstream_api_prefix } : {}),
  };
}

export function manager(nc: NatsConnection, s: ConnectionSettings): Promise<JetStreamManager> {
  // checkAPI off: the nats CLI reports the first real API error rather than a probe's.
  return jetstreamManager(nc, { ...jsOptions(s), checkAPI: false });
}

export function client(nc: NatsConnection, s: ConnectionSettings): JetStreamClient {
  return jetstream(nc, jsOptions(s));
}

/** Every stream's name, sorted, for choosing one on a terminal. */
export async function streamNames(jsm: JetStreamManager): Promise<string[]> {
  const names: string[] = [];
  for await (const n of jsm.streams.names()) names.push(n);
  return names.sort();
}

/** Every consumer's name on a stream, sorted, for choosing one on a terminal. */
export async function consumerNames(jsm: JetStreamManager, stream: string): Promise<string[]> {
  const names: string[] = [];
  for await (const c of jsm.consumers.list(stream)) names.push(c.name);
  return names.sort();
}

/** The `$JS.API` subject prefix the settings address (a domain or an explicit prefix changes it). */
export function apiPrefix(s: ConnectionSettings): string {
  if (s.jetstream_api_prefix) return s.jetstream_api_prefix;
  return s.jetstream_domain ? `$JS.${s.jetstream_domain}.API` : "$JS.API";
}

/** The delivery details a JetStream message's reply subject carries ($JS.ACK...). */
export interface AckMetadata {
  stream: string;
  consumer: string;
  delivered: number;
  streamSeq: number;
  consumerSeq: number;
  pending: number;
}

/** Parses `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<ts>.<pending>` (and the v2 form with domain and account hash). */
export function ackMetadata(reply: string | undefined): AckMetadata | undefined {
  if (!reply?.startsWith("$JS.ACK.")) return undefined;
  const t = reply.split(".");
  // v1 has 9 tokens; v2 inserts domain and account hash after $JS.ACK (and may append a token).
  const at = t.length === 9 ? 2 : t.length >= 11 ? 4 : -1;
  if (at < 0) return undefined;
  return {
    stream: t[at]!, consumer: t[at + 1]!, delivered: Number(t[at + 2]), streamSeq: Number(t[at + 3]),
    consumerSeq: Number(t[at + 4]), pending: Number(t[at + 6]),
  };
}
