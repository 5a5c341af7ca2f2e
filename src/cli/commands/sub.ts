/** `tsnats sub`: prints the messages on subjects as the nats CLI does, optionally in a queue group. */
import type { Command } from "commander";
import type { Msg } from "@nats-io/transport-node";
import { log, parseIntFlag, withConnection } from "../runtime.js";
import { headerLines } from "../message-format.js";

interface SubFlags {
  queue?: string;
  raw?: boolean;
  count?: number;
  headersOnly?: boolean;
  subjectsOnly?: boolean;
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
    .argument("<subjects...>", "Subjects to subscribe to")
    .option("--queue <group>", "Subscribe to a named queue group")
    .option("-r, --raw", "Show the raw data received")
    .option("--count <n>", "Quit after receiving this many messages", parseIntFlag)
    .option("--headers-only", "Do not render any data, shows only headers")
    .option("--subjects-only", "Prints only the messages' subjects")
    .action(async (subjects: string[], o: SubFlags, cmd: Command) => {
      await withConnection(cmd, async (nc) => {
        const queue = o.queue ? { queue: o.queue } : {};
        if (!o.raw) {
          log(o.queue ? `Subscribing on ${subjects.join(", ")} in group ${o.queue}` : `Subscribing on ${subjects.join(", ")}`);
        }
        let received = 0;
        const done = new Promise<void>((resolve, reject) => {
          const subs = subjects.map((s) => nc.subscribe(s, {
            ...queue,
            callback: (err, m) => {
              // The server refused the subscription (permissions): the client closes it and says why here.
              if (err) return reject(err);
              if (o.count !== undefined && received >= o.count) return;
              received++;
              process.stdout.write(render(m, received, o));
              if (o.count !== undefined && received >= o.count) {
                for (const x of subs) x.unsubscribe();
                resolve();
              }
            },
          }));
          process.once("SIGINT", () => resolve());
          process.once("SIGTERM", () => resolve());
        });
        await nc.flush();
        await Promise.race([done, nc.closed().then(() => undefined)]);
      });
    });
}
