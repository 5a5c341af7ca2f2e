/** `tsnats req` and `tsnats reply`: one request and its reply, or a service answering requests. */
import type { Command } from "commander";
import { collect, log, parseIntFlag, readStdin, withConnection } from "../runtime.js";
import { expandTemplate, headerLines, parseHeaders } from "../message-format.js";

function rtt(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)}µs` : `${Number(ms.toFixed(3))}ms`;
}

export function reqCommand(program: Command): void {
  program.command("req").alias("request").description("Generic request-reply request utility")
    .argument("<subject>", "Subject to send the request to")
    .argument("[body]", "Message body")
    .option("-H, --header <K:V>", "Adds headers to the message using K:V format", collect, [])
    .option("-r, --raw", "Show just the output received")
    .option("--count <n>", "Send multiple requests", parseIntFlag, 1)
    .option("--no-templates", "Disable template functions in the body and subject")
    .action(async (subject: string, body: string | undefined, o: { header: string[]; raw?: boolean; count: number; templates: boolean }, cmd: Command) => {
      let text = body;
      if (text === undefined && !process.stdin.isTTY) {
        if (!o.raw) log("Reading payload from STDIN");
        text = Buffer.from(await readStdin()).toString("utf8");
      }
      await withConnection(cmd, async (nc, s) => {
        for (let i = 1; i <= o.count; i++) {
          const subj = o.templates ? expandTemplate(subject, i) : subject;
          const data = o.templates ? expandTemplate(text ?? "", i) : (text ?? "");
          const h = parseHeaders(o.header);
          if (!o.raw) log(`Sending request on "${subj}"`);
          const started = performance.now();
          const m = await nc.request(subj, data, { timeout: s.timeoutMs, ...(h ? { headers: h } : {}) });
          const took = performance.now() - started;
          if (o.raw) {
            process.stdout.write(new TextDecoder().decode(m.data) + "\n");
            continue;
          }
          log(`Received with rtt ${rtt(took)}`);
          const hs = headerLines(m.headers);
          for (const line of hs) log(line);
          if (hs.length > 0) process.stderr.write("\n");
          process.stdout.write(new TextDecoder().decode(m.data) + "\n");
          if (i < o.count) process.stdout.write("\n");
        }
      });
    });
}

export function replyCommand(program: Command): void {
  program.command("reply").description("Generic service reply utility")
    .argument("<subject>", "Subject to subscribe to")
    .argument("[body]", "Reply body")
    .option("--echo", "Echo back what is received")
    .option("-q, --queue <group>", "Queue group name", "NATS-RPLY-22")
    .option("-H, --header <K:V>", "Adds headers to the message using K:V format", collect, [])
    .option("--count <n>", "Quit after receiving this many messages", parseIntFlag)
    .action(async (subject: string, body: string | undefined, o: { echo?: boolean; queue: string; header: string[]; count?: number }, cmd: Command) => {
      const echo = o.echo || body === undefined;
      if (body === undefined && !o.echo) log("No body or command supplied, enabling echo mode");
      await withConnection(cmd, async (nc) => {
        let n = 0;
        const done = new Promise<void>((resolve, reject) => {
          const sub = nc.subscribe(subject, {
            queue: o.queue,
            callback: (err, m) => {
              if (err) return reject(err);
              n++;
              log(`[#${n}] Received on subject "${m.subject}":`);
              for (const line of headerLines(m.headers)) log(line);
              process.stdout.write(`\n${new TextDecoder().decode(m.data)}\n`);
              const h = parseHeaders(o.header);
              const data = echo ? m.data : new TextEncoder().encode(expandTemplate(body!, n));
              m.respond(data, h ? { headers: h } : undefined);
              if (o.count !== undefined && n >= o.count) {
                sub.unsubscribe();
                resolve();
              }
            },
          });
          process.once("SIGINT", () => resolve());
          process.once("SIGTERM", () => resolve());
        });
        await nc.flush();
        log(`Listening on "${subject}" in group "${o.queue}"`);
        await Promise.race([done, nc.closed().then(() => undefined)]);
        await nc.flush();
      });
    });
}
