/**
 * What the parent tells a benchmark worker to do, and what the worker reports back. Shared by the
 * command (which plans the run) and the worker threads (which run one client each).
 */
import type { ConnectionSettings } from "../global-options.js";
import type { Sample } from "./sample.js";

/** How JetStream subscribers read: an ordered consumer each, or a share of one durable pull or push consumer. */
export type JsConsumerMode = "ordered" | "pull" | "push";

export interface JsJob {
  stream: string;
  consumer: string;
  mode: JsConsumerMode;
  /** Wait for every publish's ack before the next (else publish --pubbatch at a time, then wait). */
  syncPub: boolean;
  pubBatch: number;
  /** Messages per pull request, or the push consumer's max ack pending per subscriber. */
  consumerBatch: number;
  timeoutMs: number;
}

export interface WorkerJob {
  role: "pub" | "sub";
  settings: ConnectionSettings;
  /** The subject subscribers use and publishers publish on (the base subject with --multisubject). */
  subject: string;
  /** With --multisubject, publishers append their message's number modulo this (0: no modulo). */
  multiSubjectMax?: number;
  msgs: number;
  /** This client's first message number within the whole run (multisubject numbering). */
  offset: number;
  size: number;
  js?: JsJob;
}

export type WorkerMessage = { type: "ready" } | { type: "progress"; msgs: number } | { type: "done"; sample: Sample } | { type: "error"; message: string };

/** The subject of message number `n`: the base subject, or with --multisubject one token more. */
export function publishSubject(job: Pick<WorkerJob, "subject" | "multiSubjectMax">, n: number): string {
  if (job.multiSubjectMax === undefined) return job.subject;
  return `${job.subject}.${job.multiSubjectMax === 0 ? n : n % job.multiSubjectMax}`;
}

/** What subscribers subscribe to: the subject, or with --multisubject every subject one token below it. */
export function subscribeSubject(job: Pick<WorkerJob, "subject" | "multiSubjectMax">): string {
  return job.multiSubjectMax === undefined ? job.subject : `${job.subject}.*`;
}

/** Messages per client as the nats CLI splits them: even shares, the remainder spread over the first ones. */
export function msgsPerClient(msgs: number, clients: number): number[] {
  if (clients <= 0) return [];
  const base = Math.floor(msgs / clients);
  return Array.from({ length: clients }, (_, i) => base + (i < msgs % clients ? 1 : 0));
}

/** Where each client's numbering starts, given the shares. */
export function offsets(shares: number[]): number[] {
  let at = 0;
  return shares.map((n) => ((at += n), at - n));
}
