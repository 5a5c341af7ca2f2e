/**
 * `tsnats sub`: prints the messages on subjects as the nats CLI does, optionally in a queue group,
 * acknowledging JetStream deliveries with --ack; the JetStream flags read a stream instead.
 */
import type { Command } from "commander";
import type { Msg } from "@nats-io/transport-node";
import { log, parseIntFlag, withConnection } from "../runtime.js";
import { headerLines } from "../message-format.js";
import { CliError } from "../errors.js";
import { ackMetadata } from "../jetstream.js";
import { parseDuration } from "../format/units.js";
import { isStreamSub, subscribeStream, validateStreamSub, type StreamSubFlags } from "./sub-stream.js";

interface SubFlags extends StreamSubFlags {
  queue?: string;
  ack?: boolean;
}

function render(m: Msg, n: number, o: SubFlags): string {
  const body = new TextDecoder().decode(m.data);
  if (o.raw) return `${body}\n`;
  let out = `[#${n}] Received on "${m.subject}"${m.reply ? ` with reply "${m.reply}"` : ""}\n`;
  if (o.subjectsOnly) return out;
  const hs = headerLines(m.headers);
  if (hs.length > 0) out += hs.join("\n") + "\n\n";
  if (!o.headersOnly) out += `${body}\n\n`;
  return out;
}

export function subCommand(program: Command): void {
  program.command("sub").alias("subscribe").description("Generic subscription client")
    .argument("[subjects...]", "Subjects to subscribe to")
    .option("--queue <group>", "Subscribe to a named queue group")
    .option("-r, --raw", "Show the raw data received")
    .option("--count <n>", "Quit after receiving this many messages", parseIntFlag)
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
    .option("--wait <duration>", "Unsubscribe after this amount of time without any traffic")
    .action(async (subjects: string[], o: SubFlags, cmd: Command) => {
      const stream = isStreamSub(o);
      if (stream) validateStreamSub(subjects, o);
      else if (subjects.length === 0) throw new CliError("subject is required");
      if (o.terminateAtEnd && !stream) throw new CliError("--terminate-at-end is only supported for JetStream subscriptions");
      const idleMs = o.wait ? parseDuration(o.wait) / 1e6 : undefined;
      await withConnection(cmd, async (nc, s) => {
        if (stream) return subscribeStream(nc, s, subjects[0], o);
        const queue = o.queue ? { queue: o.queue } : {};
        if (!o.raw) {
          if (o.ack) log(`Subscribing on ${subjects[0]} with acknowledgement of JetStream messages`);
          else log(o.queue ? `Subscribing on ${subjects.join(", ")} in group ${o.queue}` : `Subscribing on ${subjects.join(", ")}`);
        }
        let received = 0;
        let idle: NodeJS.Timeout | undefined;
        const done = new Promise<void>((resolve, reject) => {
          const arm = () => {
            if (idleMs === undefined) return;
            clearTimeout(idle);
            idle = setTimeout(resolve, idleMs);
          };
          arm();
          const subs = subjects.map((s) => nc.subscribe(s, {
            ...queue,
            callback: (err, m) => {
              // The server refused the subscription (permissions): the client closes it and says why here.
              if (err) return reject(err);
              if (o.count !== undefined && received >= o.count) return;
              received++;
              process.stdout.write(render(m, received, o));
              // Only deliveries of a JetStream consumer carry $JS.ACK metadata; other replies are left alone.
              if (o.ack && ackMetadata(m.reply)) m.respond();
              if (o.count !== undefined && received >= o.count) {
                for (const x of subs) x.unsubscribe();
                resolve();
              } else arm();
            },
          }));
          process.once("SIGINT", () => resolve());
          process.once("SIGTERM", () => resolve());
        });
        await nc.flush();
        await Promise.race([done, nc.closed().then(() => undefined)]);
        clearTimeout(idle);
      });
    });
}
