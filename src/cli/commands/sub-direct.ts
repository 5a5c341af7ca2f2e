/**
 * `sub` through direct gets, as the nats CLI reads a stream with --direct and, without a durable, every
 * work-queue or interest stream (a consumer there would take the messages away, or may not be made at
 * all): batches of `$JS.API.DIRECT.GET` from where the start flag says, asking again after a short pause
 * once caught up. Nothing is consumed or acknowledged. Needs allow_direct on the stream and a server with
 * batch direct gets (JetStream API level 1, NATS 2.11), as the nats CLI does.
 *
 * Unlike the nats CLI, the subject given filters the messages (it reads every subject), the next batch
 * starts after the last sequence received (not one further per message, which repeats messages after a
 * gap), and -T stops once nothing is pending (or nothing is there to read).
 */
import type { JetStreamManager, StoredMsg, StreamInfo } from "@nats-io/jetstream";
import { CliError } from "../errors.js";
import { log } from "../runtime.js";
import { humanDuration, localTime, parseDuration } from "../format/units.js";

/** The `sub` flags that say where JetStream reading starts and when it ends (direct or through a consumer). */
export interface StartFlags {
  startSequence?: number;
  all?: boolean;
  new?: boolean;
  last?: boolean;
  since?: string;
  lastPerSubject?: boolean;
  terminateAtEnd?: boolean;
  wait?: string;
  count?: number;
}

/** The `sub` flags direct reading follows. */
export interface DirectFlags extends StartFlags {
  raw?: boolean;
  dump?: string;
}

/** Messages asked for in one request (the server answers at most 1,024). */
const BATCH = 256;
/** How long to wait before asking again once every message was read. */
const POLL_MS = 250;

/** Refuses what the nats CLI refuses before reading a stream directly. */
export async function checkDirect(jsm: JetStreamManager, info: StreamInfo): Promise<void> {
  if (!info.config.allow_direct) throw new CliError(`cannot enable direct gets: allow_direct is not set to true for stream ${info.config.name}`);
  const account = await jsm.getAccountInfo();
  const level = (account.api as { level?: number }).level ?? 0;
  if (level < 1) throw new CliError("subscribing using direct get requires NATS Server 2.11");
}

/** Where reading starts: a sequence, a time, or the last message per subject first; and the log line. */
interface DirectStart {
  seq: number;
  startTime?: Date;
  lastPerSubject?: boolean;
  line?: string;
}

function startOf(o: DirectFlags, info: StreamInfo, shown: string): DirectStart {
  const st = info.state;
  const lead = `Subscribing to JetStream Stream (direct) holding messages with subject ${shown}`;
  if (o.startSequence) return { seq: o.startSequence, line: `${lead} starting with sequence ${o.startSequence}` };
  if (o.last) return { seq: st.last_seq, line: `${lead} starting with the last message received` };
  if (o.all) return { seq: st.first_seq, line: `${lead} starting with the first message received` };
  if (o.new) return { seq: st.last_seq + 1, line: `${lead} delivering any new messages received` };
  if (o.since) {
    const nanos = parseDuration(o.since);
    return { seq: st.last_seq + 1, startTime: new Date(Date.now() - nanos / 1e6), line: `${lead} starting with messages since ${humanDuration(nanos)}` };
  }
  if (o.lastPerSubject) return { seq: st.last_seq + 1, lastPerSubject: true, line: `${lead} for the last messages for each subject in the Stream` };
  return { seq: Math.max(1, st.first_seq) };
}

/** The title line of a directly read message. */
export function directTitle(m: StoredMsg, stream: string, n: number): string {
  return `[#${n}] Received JetStream message (direct): stream: ${stream} seq ${m.seq} / subject: ${m.subject} / time: ${localTime(m.time)}`;
}

/**
 * Hands each message to `handle` until it returns true, SIGINT/SIGTERM, --count, -T at the end or
 * --wait of quiet.
 */
export async function subscribeDirect(jsm: JetStreamManager, info: StreamInfo, subject: string | undefined, o: DirectFlags,
  handle: (m: StoredMsg) => boolean): Promise<void> {
  const stream = info.config.name;
  const filter = subject ?? ">";
  const start = startOf(o, info, subject ?? (info.config.subjects ?? []).join(", "));
  if (start.line && !o.raw && !o.dump) log(start.line);

  let stopped = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopped = true;
    wake?.();
  };
  const idleMs = o.wait ? parseDuration(o.wait) / 1e6 : undefined;
  let idle: NodeJS.Timeout | undefined;
  const arm = () => {
    if (idleMs === undefined) return;
    clearTimeout(idle);
    idle = setTimeout(stop, idleMs);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  arm();
  let received = 0;
  const take = (m: StoredMsg): void => {
    received++;
    if (handle(m) || (o.terminateAtEnd && m.pending === 0)) stop();
    else arm();
  };
  try {
    let next = start.seq;
    if (start.lastPerSubject) {
      const upTo = info.state.last_seq;
      if (upTo > 0) {
        for await (const m of await jsm.direct.getLastMessagesFor(stream, { multi_last: [filter], up_to_seq: upTo })) {
          take(m);
          if (stopped) break;
        }
      }
    }
    let startTime = start.startTime;
    while (!stopped) {
      const want = o.count !== undefined ? Math.min(BATCH, o.count - received) : BATCH;
      const opts = startTime ? { start_time: startTime, batch: want, next_by_subj: filter } : { seq: next, batch: want, next_by_subj: filter };
      startTime = undefined;
      let got = 0;
      try {
        for await (const m of await jsm.direct.getBatch(stream, opts)) {
          got++;
          next = m.seq + 1;
          take(m);
          if (stopped) break;
        }
      } catch (e) {
        if (!isNothingYet(e)) throw e;
      }
      if (got === 0 && o.terminateAtEnd) stop();
      if (got === 0 && !stopped) await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, POLL_MS);
      });
    }
  } finally {
    clearTimeout(idle);
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
}

/** nats-server 2.11+ ends a batch that finds no first message with 404 Message Not Found: nothing new yet. */
function isNothingYet(e: unknown): boolean {
  return e instanceof Error && e.name === "JetStreamStatusError" && (e as { code?: unknown }).code === 404;
}
