/**
 * The JetStream side of `bench --js` before and after the clients run, as the nats CLI does it: the
 * "benchstream" stream defined (or checked to match) on the bench subject, optionally purged, and the
 * shared durable pull or push consumer defined for the run and deleted after it.
 */
import type { NatsConnection } from "@nats-io/transport-node";
import type { ConsumerConfig, StreamConfig } from "@nats-io/jetstream";
import { manager } from "../jetstream.js";
import type { ConnectionSettings } from "../global-options.js";
import { log } from "../runtime.js";
import { CliError, describeError } from "../errors.js";
import type { JsJob } from "./job.js";

export const DEFAULT_STREAM = "benchstream";
export const DEFAULT_CONSUMER = "natscli-bench";

export interface JsPlan extends JsJob {
  subscribeSubject: string;
  storage: "file" | "memory";
  replicas: number;
  maxBytes: number;
  purge: boolean;
  pubs: number;
  subs: number;
}

/** What to remove after the run, on a connection of its own (the setup's is closed by then). */
export type JsCleanup = (nc: NatsConnection) => Promise<void>;

/** Defines what the run needs; returns what to remove after it. */
export async function prepareJs(nc: NatsConnection, s: ConnectionSettings, p: JsPlan): Promise<JsCleanup> {
  const jsm = await manager(nc, { ...s, timeoutMs: p.timeoutMs });
  if (p.stream === DEFAULT_STREAM) {
    const cfg: Partial<StreamConfig> = {
      name: p.stream, subjects: [p.subscribeSubject], retention: "limits" as StreamConfig["retention"],
      discard: "new" as StreamConfig["discard"], storage: p.storage as StreamConfig["storage"], num_replicas: p.replicas,
      max_bytes: p.maxBytes, duplicate_window: 2 * 60 * 1e9,
    };
    await jsm.streams.add(cfg as StreamConfig).catch((e: unknown) => {
      throw new CliError(`${describeError(e)}. If you want to delete and re-define the stream use \`nats stream delete ${p.stream}\`.`);
    });
  } else if (p.mode !== "ordered" && p.subs > 0) {
    log(`Using stream: ${p.stream}`);
  }
  if (p.purge) {
    log("Purging the stream");
    await jsm.streams.purge(p.stream).catch((e: unknown) => {
      throw new CliError(`Error purging stream ${p.stream}: ${describeError(e)}`);
    });
  }
  if (p.subs === 0 || p.mode === "ordered" || p.consumer !== DEFAULT_CONSUMER) return async () => undefined;
  const base: Partial<ConsumerConfig> = {
    durable_name: p.consumer, deliver_policy: "all" as ConsumerConfig["deliver_policy"],
    ack_policy: "explicit" as ConsumerConfig["ack_policy"], replay_policy: "instant" as ConsumerConfig["replay_policy"],
  };
  const cfg: Partial<ConsumerConfig> = p.mode === "pull"
    ? { ...base, max_ack_pending: Math.max(10_000, p.subs * p.consumerBatch) }
    : { ...base, deliver_subject: `${p.consumer}-DELIVERY`, deliver_group: `${p.consumer}-GROUP`, max_ack_pending: p.consumerBatch * p.subs };
  await jsm.consumers.add(p.stream, cfg).catch((e: unknown) => {
    throw new CliError(`Error creating the ${p.mode === "pull" ? "pull" : "durable push"} consumer: ${describeError(e)}`);
  });
  log(`Defined durable explicitly acked ${p.mode} consumer: ${p.consumer}`);
  return async (later) => {
    await (await manager(later, s)).consumers.delete(p.stream, p.consumer).catch((e: unknown) => {
      log(`Error deleting the ${p.mode} consumer on stream ${p.stream}: ${describeError(e)}`);
    });
    log(`Deleted durable consumer: ${p.consumer}`);
  };
}
