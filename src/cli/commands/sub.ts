/**
 * `tsnats sub`: prints the messages on subjects as the nats CLI does, optionally in a queue group,
 * acknowledging JetStream deliveries with --ack; the JetStream flags read a stream instead. The output
 * is the messages (--raw, --dump, --translate shape them), a subject report (--report-subjects,
 * --report-subscriptions) or a rate graph (--graph).
 */
import { mkdirSync } from "node:fs";
import type { Command } from "commander";
import type { NatsConnection } from "@nats-io/transport-node";
import { log, parseIntFlag, withConnection } from "../runtime.js";
import { CliError } from "../errors.js";
import { ackMetadata } from "../jetstream.js";
import { parseDuration } from "../format/units.js";
import { showMessage, type ShownMessage } from "../sub-output.js";
import { CLEAR_SCREEN, SubjectReport } from "../sub-report.js";
import { chartArea, RateGraph } from "../sub-graph.js";
import { isStreamSub, subscribeStream, validateStreamSub, type MessageSink, type StreamSubFlags } from "./sub-stream.js";

interface SubFlags extends StreamSubFlags {
  queue?: string;
  ack?: boolean;
  reportSubjects?: boolean;
  reportSubscriptions?: boolean;
  reportTop: number;
  graph?: boolean;
}

function validate(subjects: string[], o: SubFlags, stream: boolean): void {
  if (stream) validateStreamSub(subjects, o);
  else if (subjects.length === 0) throw new CliError("subject is required");
  if (o.terminateAtEnd && !stream) throw new CliError("--terminate-at-end is only supported for JetStream subscriptions");
  if ((o.reportSubjects || o.reportSubscriptions) && o.reportTop < 1) throw new CliError("subject count must be at least one");
  if (o.graph && stream) throw new CliError("--graph is only supported for core NATS subscriptions");
  if (o.dump && o.dump !== "-") mkdirSync(o.dump, { recursive: true, mode: 0o700 });
}

/** Where messages go: printed, counted into the subject report, or counted into the graph. */
function sinkFor(o: SubFlags): { sink: MessageSink; redraw?: () => string } {
  if (o.reportSubjects || o.reportSubscriptions) {
    const report = new SubjectReport(o.reportTop);
    return {
      sink: (m, _title, _file, subscription) => report.add(o.reportSubscriptions && subscription ? subscription : m.subject, m.data.length),
      redraw: () => `${CLEAR_SCREEN}${report.render()}\n`,
    };
  }
  return { sink: (m, title, file, _sub, n) => process.stdout.write(showMessage(title, m, n, file, o)) };
}

export function subCommand(program: Command): void {
  program.command("sub").alias("subscribe").description("Generic subscription client")
    .argument("[subjects...]", "Subjects to subscribe to")
    .option("--queue <group>", "Subscribe to a named queue group")
    .option("-r, --raw", "Show the raw data received")
    .option("--translate <command>", "Translate the message data by running it through the given command before output")
    .option("--count <n>", "Quit after receiving this many messages", parseIntFlag)
    .option("--dump <directory>", "Dump received messages to files, 1 file per message. Specify - for null terminated STDOUT for use with xargs -0")
    .option("--headers-only", "Do not render any data, shows only headers")
    .option("--subjects-only", "Prints only the messages' subjects")
    .option("--ack", "Acknowledge JetStream message that have the correct metadata")
    .option("--durable <name>", "Use a durable consumer (requires JetStream)")
    .option("--stream <stream>", "Subscribe to a specific stream (required JetStream)")
    .option("--start-sequence <seq>", "Starts at a specific Stream sequence (requires JetStream)", parseIntFlag)
    .option("--all", "Delivers all messages found in the Stream (requires JetStream)")
    .option("--new", "Delivers only future messages (requires JetStream)")
    .option("--last", "Delivers the most recent and all future messages (requires JetStream)")
    .option("--since <duration>", "Delivers messages received since a duration like 1d3h5m2s(requires JetStream)")
    .option("--last-per-subject", "Deliver the most recent messages for each subject in the Stream (requires JetStream)")
    .option("-T, --terminate-at-end", "Stops consuming messages from JetStream once all messages were received")
    .option("--direct", "Subscribe using batched direct gets instead of a durable consumer (requires JetStream)")
    .option("--wait <duration>", "Unsubscribe after this amount of time without any traffic")
    .option("--report-subjects", "Subscribes to subject patterns and builds a de-duplicated report of active subjects receiving data")
    .option("--report-subscriptions", "Subscribes to subject patterns and builds a de-duplicated report of active subscriptions receiving data")
    .option("--report-top <n>", "Number of subjects to show when doing 'report-subjects'", parseIntFlag, 10)
    .option("--graph", "Graph the rate of messages received")
    .action(async (subjects: string[], o: SubFlags, cmd: Command) => {
      const stream = isStreamSub(o);
      validate(subjects, o, stream);
      const screen = process.stdout.isTTY ? { columns: process.stdout.columns, rows: process.stdout.rows } : undefined;
      const graph = o.graph ? new RateGraph(subjects) : undefined;
      if (graph) chartArea(screen);
      const { sink, redraw } = graph
        ? { sink: ((_m, _t, _f, subscription) => graph.add(subscription ?? "")) as MessageSink, redraw: () => `${CLEAR_SCREEN}${graph.tick(screen!)}` }
        : sinkFor(o);
      const ticker = redraw ? setInterval(() => process.stdout.write(redraw()), 1000) : undefined;
      try {
        await withConnection(cmd, async (nc, s) => {
          if (stream) return subscribeStream(nc, s, subjects[0], o, sink);
          // Said once the server has the subscriptions, so a message sent after the line is received.
          const ready = () => {
            if (o.raw || o.dump) return;
            if (o.ack) log(`Subscribing on ${subjects[0]} with acknowledgement of JetStream messages`);
            else log(o.queue ? `Subscribing on ${subjects.join(", ")} in group ${o.queue}` : `Subscribing on ${subjects.join(", ")}`);
          };
          await subscribeCore(nc, subjects, o, sink, ready);
        });
      } finally {
        clearInterval(ticker);
      }
      // The last state of the report, so a run ended by --count or --wait shows it whole.
      if (redraw && !graph) process.stdout.write(redraw());
    });
}

async function subscribeCore(nc: NatsConnection, subjects: string[], o: SubFlags, sink: MessageSink, ready: () => void): Promise<void> {
  const idleMs = o.wait ? parseDuration(o.wait) / 1e6 : undefined;
  const queue = o.queue ? { queue: o.queue } : {};
  let received = 0;
  let idle: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve, reject) => {
    const arm = () => {
      if (idleMs === undefined) return;
      clearTimeout(idle);
      idle = setTimeout(resolve, idleMs);
    };
    arm();
    const subs = subjects.map((subject) => nc.subscribe(subject, {
      ...queue,
      callback: (err, m) => {
        // The server refused the subscription (permissions): the client closes it and says why here.
        if (err) return reject(err);
        if (o.count !== undefined && received >= o.count) return;
        received++;
        const meta = ackMetadata(m.reply);
        const shown: ShownMessage = { subject: m.subject, reply: m.reply, headers: m.headers, data: m.data, ...(meta ? { stream: meta.stream } : {}) };
        const title = `[#${received}] Received on "${m.subject}"${m.reply ? ` with reply "${m.reply}"` : ""}`;
        sink(shown, title, String(meta ? meta.streamSeq : received), subject, received);
        // Only deliveries of a JetStream consumer carry $JS.ACK metadata; other replies are left alone.
        if (o.ack && meta) m.respond();
        if (o.count !== undefined && received >= o.count) {
          for (const x of subs) x.unsubscribe();
          resolve();
        } else arm();
      },
    }));
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  // A refused subscription rejects `done` while the flush is still out: handled here, thrown below.
  done.catch(() => undefined);
  await nc.flush();
  ready();
  await Promise.race([done, nc.closed().then(() => undefined)]);
  clearTimeout(idle);
}
