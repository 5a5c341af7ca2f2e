/** `tsnats pub`: publishes one or more messages, the body from an argument or stdin, with templates. */
import type { Command } from "commander";
import { collect, log, parseIntFlag, readStdin, withConnection } from "../runtime.js";
import { expandTemplate, parseHeaders } from "../message-format.js";
import { parseDuration } from "../format/units.js";

interface PubFlags {
  header: string[];
  reply?: string;
  count: number;
  sleep?: string;
  quiet?: boolean;
  templates: boolean;
  forceStdin?: boolean;
}

export function pubCommand(program: Command): void {
  program.command("pub").alias("publish").description("Generic data publish utility")
    .argument("<subject>", "Subject to publish to")
    .argument("[body]", "Message body")
    .option("-H, --header <K:V>", "Adds headers to the message using K:V format", collect, [])
    .option("--reply <subject>", "Sets a custom reply to subject")
    .option("--count <n>", "Publish multiple messages", parseIntFlag, 1)
    .option("--sleep <duration>", "When publishing multiple messages, sleep between publishes")
    .option("-q, --quiet", "Show just the output received")
    .option("--no-templates", "Disable template functions in the body and subject")
    .option("--force-stdin", "Force reading from stdin")
    .action(async (subject: string, body: string | undefined, o: PubFlags, cmd: Command) => {
      let text = body;
      if (text === undefined && (o.forceStdin || !process.stdin.isTTY)) {
        if (!o.quiet) log("Reading payload from STDIN");
        text = Buffer.from(await readStdin()).toString("utf8");
      }
      const sleepMs = o.sleep ? parseDuration(o.sleep) / 1e6 : 0;
      await withConnection(cmd, async (nc) => {
        for (let i = 1; i <= o.count; i++) {
          const subj = o.templates ? expandTemplate(subject, i) : subject;
          const data = o.templates ? expandTemplate(text ?? "", i) : (text ?? "");
          const payload = new TextEncoder().encode(data);
          const h = parseHeaders(o.header);
          nc.publish(subj, payload, { ...(h ? { headers: h } : {}), ...(o.reply ? { reply: o.reply } : {}) });
          if (!o.quiet) log(`Published ${payload.length} bytes to "${subj}"`);
          if (sleepMs > 0 && i < o.count) await new Promise((r) => setTimeout(r, sleepMs));
        }
        // A publish is only known to have left when a round trip after it has completed.
        await nc.flush();
      });
    });
}
