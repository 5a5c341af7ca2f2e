/**
 * `tsnats sub` on a JetStream stream, as the nats CLI does it: an ephemeral consumer without acks, or a
 * named durable (created if missing; its ack policy decides whether messages are acknowledged), started
 * where --all/--new/--last/--since/--last-per-subject/--start-sequence say; with --direct, and on
 * work-queue and interest streams unless a durable is named, direct gets instead (sub-direct.ts).
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { Consumer, ConsumerConfig, DeliverPolicy, JsMsg, PushConsumer, StoredMsg } from "@nats-io/jetstream";
import { client, manager } from "../jetstream.js";
import type { ConnectionSettings } from "../global-options.js";
import { log } from "../runtime.js";
import { humanDuration, parseDuration } from "../format/units.js";
import { consumeUntil, jsTitle } from "../js-consume.js";
import { CliError, describeError } from "../errors.js";
import type { OutputFlags, ShownMessage } from "../sub-output.js";
import { checkDirect, directTitle, subscribeDirect, type StartFlags } from "./sub-direct.js";

export interface StreamSubFlags extends OutputFlags, StartFlags {
  stream?: string;
  durable?: string;
  direct?: boolean;
}

/**
 * Takes the n-th message with its title line and --dump file name; `subscription` is the subject
 * subscribed to that matched it (core subscriptions only).
 */
export type MessageSink = (m: ShownMessage, title: string, fileName: string, subscription: string | undefined, n: number) => void;

/** The flags that make `sub` a JetStream subscription (the nats CLI's list; --ack alone does not). */
export function isStreamSub(o: StreamSubFlags): boolean {
  return Boolean(o.startSequence || o.durable || o.all || o.new || o.last || o.since || o.lastPerSubject || o.stream || o.direct);
}

type StartConfig = Pick<ConsumerConfig, "deliver_policy"> & Partial<Pick<ConsumerConfig, "opt_start_seq" | "opt_start_time">>;

/** Where the consumer starts, and the line the nats CLI logs for it (none when no start flag is given). */
function startOf(o: StreamSubFlags, subject: string): { cfg: StartConfig; line?: string } {
  const at = (p: string) => p as DeliverPolicy;
  if (o.startSequence) return { cfg: { deliver_policy: at("by_start_sequence"), opt_start_seq: o.startSequence }, line: `Subscribing to subject ${subject} starting at sequence ${o.startSequence}` };
  if (o.last) return { cfg: { deliver_policy: at("last") }, line: `Subscribing to subject ${subject} from last received message` };
  if (o.all) return { cfg: { deliver_policy: at("all") }, line: `Subscribing to subject ${subject} from first received message` };
  if (o.new) return { cfg: { deliver_policy: at("new") }, line: `Subscribing to subject ${subject} for new messages` };
  if (o.since) {
    const nanos = parseDuration(o.since);
    const start = new Date(Date.now() - nanos / 1e6).toISOString();
    return { cfg: { deliver_policy: at("by_start_time"), opt_start_time: start }, line: `Subscribing to subject ${subject} since ${humanDuration(nanos)}` };
  }
  if (o.lastPerSubject) return { cfg: { deliver_policy: at("last_per_subject") }, line: `Subscribing to subject ${subject} for last message per subject` };
  return { cfg: { deliver_policy: at("all") } };
}

export function validateStreamSub(subjects: string[], o: StreamSubFlags & { queue?: string }): void {
  if (subjects.length > 0 && o.durable) throw new CliError("cannot specify both subjects and a durable consumer");
  if (subjects.length === 0 && !o.stream) throw new CliError("subject is required");
  if (subjects.length > 1) throw new CliError("streams subscribe support only 1 subject");
  if (o.queue) throw new CliError("queue group subscriptions are not supported with JetStream");
  if (o.direct && o.durable) throw new CliError("cannot use direct get when a durable name is supplied");
}

export async function subscribeStream(nc: NatsConnection, s: ConnectionSettings, subject: string | undefined, o: StreamSubFlags, sink: MessageSink): Promise<void> {
  const jsm = await manager(nc, s);
  const js = client(nc, s);
  const stream = o.stream ?? await jsm.streams.find(subject!).catch(() => {
    throw new CliError(`no stream found with subject: ${subject}`);
  });
  const info = await jsm.streams.info(stream).catch((e: unknown) => {
    throw new CliError(`could not load Stream ${stream}: ${describeError(e)}`);
  });
  let received = 0;
  const retention = info.config.retention as string;
  if (!o.durable && (o.direct || retention === "workqueue" || retention === "interest")) {
    await checkDirect(jsm, info);
    return subscribeDirect(jsm, info, subject, o, (m: StoredMsg) => {
      received++;
      sink({ subject: m.subject, headers: m.header, data: m.data, stream }, directTitle(m, stream, received), String(m.seq), undefined, received);
      return o.count !== undefined && received >= o.count;
    });
  }
  const shown = subject ?? ">";
  const start = startOf(o, shown);
  const base: Partial<ConsumerConfig> = {
    ack_policy: "none" as ConsumerConfig["ack_policy"],
    headers_only: Boolean(o.headersOnly || o.subjectsOnly),
    // As the nats CLI: without a subject the filter is ">" (deliver last per subject needs one on 2.9).
    filter_subject: shown,
    ...start.cfg,
  };
  let consumer: Consumer | PushConsumer;
  let ack = false;
  let ephemeral: string | undefined;
  if (o.durable) {
    const existing = await jsm.consumers.info(stream, o.durable).catch(() => undefined);
    const ci = existing ?? await jsm.consumers.add(stream, { ...base, durable_name: o.durable }).catch((e: unknown) => {
      throw new CliError(`failed to create durable consumer "${o.durable}": ${describeError(e)}`);
    });
    if ((ci.config.filter_subjects?.length ?? 0) > 1) throw new CliError("cannot subscribe to multi filter consumers");
    ack = ci.config.ack_policy !== "none";
    if (ci.config.deliver_subject) {
      log(`Subscribing to JetStream Stream "${stream}" using existing push consumer "${o.durable}"`);
      consumer = await js.consumers.getPushConsumer(stream, o.durable);
    } else {
      if (existing) log(`Subscribing to JetStream Stream "${stream}" using existing pull consumer "${o.durable}"`);
      else if (start.line && !o.raw && !o.dump) log(start.line);
      consumer = await js.consumers.get(stream, o.durable);
    }
  } else {
    if (start.line && !o.raw && !o.dump) log(start.line);
    const created = await jsm.consumers.add(stream, base).catch((e: unknown) => {
      throw new CliError(`failed to create consumer: ${describeError(e)}`);
    });
    ephemeral = created.name;
    consumer = js.consumers.getConsumerFromInfo(created);
  }
  const handle = (m: JsMsg): boolean => {
    received++;
    const shown = { subject: m.subject, headers: m.headers, data: m.data, stream };
    sink(shown, jsTitle(m, received), String(m.info.streamSequence), undefined, received);
    if (ack) m.ack();
    return (o.count !== undefined && received >= o.count) || Boolean(o.terminateAtEnd && m.info.pending === 0);
  };
  try {
    await consumeUntil(consumer, handle, {
      ...(o.wait ? { idleMs: parseDuration(o.wait) / 1e6 } : {}),
      ...(o.count !== undefined ? { total: o.count } : {}),
    });
    if (ack) await nc.flush();
  } finally {
    // The server would drop an idle ephemeral consumer by itself after a while; tidy up at once.
    if (ephemeral) await jsm.consumers.delete(stream, ephemeral).catch(() => undefined);
  }
}
