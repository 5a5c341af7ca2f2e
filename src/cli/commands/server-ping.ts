/** `tsnats server ping`: how long each server takes to answer $SYS.REQ.SERVER.PING (needs a system user). */
import type { Command } from "commander";
import { createInbox, type Msg } from "@nats-io/transport-node";
import { withConnection } from "../runtime.js";
import { humanDuration } from "../format/units.js";
import { CliError } from "../errors.js";

/** The parts of a STATSZ answer the ping shows. */
interface PingAnswer {
  server: { name: string; id: string };
  statsz: { active_servers?: number };
}

/** Go's `%-60s`: the name padded so the rtt column lines up. */
const NAME_WIDTH = 60;

function summary(times: number[]): string {
  if (times.length === 0) return "\n---- ping statistics ----\nno responses received\n";
  const max = Math.max(...times);
  const min = Math.min(...times);
  const avg = times.reduce((a, b) => a + b, 0) / times.length;
  return `\n---- ping statistics ----\n${times.length} replies max: ${max.toFixed(2)} min: ${min.toFixed(2)} avg: ${avg.toFixed(2)}\n`;
}

export function addServerPingVerb(srv: Command): void {
  srv.command("ping").description("Ping all servers")
    .argument("[expect]", "How many servers to expect")
    .option("--id", "Include the Server ID in the output")
    .action(async (expectArg: string | undefined, o: { id?: boolean }, cmd: Command) => {
      await withConnection(cmd, async (nc, s) => {
        // Without an expected count, the first answer's count of active servers sets it, as in the nats CLI.
        let expect = expectArg ? Number(expectArg) : 0;
        const times: number[] = [];
        const inbox = createInbox(s.inbox_prefix);
        const started = performance.now();
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => finish(), s.timeoutMs);
          const sub = nc.subscribe(inbox, { callback: (err, m: Msg) => {
            if (err) return finish(err);
            const status = m.headers?.code;
            if (status) {
              return finish(new CliError(`${status} status from $SYS.REQ.SERVER.PING, ensure a system account is used with appropriate permissions`));
            }
            const answer = m.json<PingAnswer>();
            const ms = performance.now() - started;
            times.push(Math.floor(ms));
            if (expect === 0 && (answer.statsz.active_servers ?? 0) > 0 && times.length === 1) expect = answer.statsz.active_servers!;
            const name = answer.server.name.padEnd(NAME_WIDTH);
            process.stdout.write(`${o.id ? `${answer.server.id} ` : ""}${name} rtt=${humanDuration(ms * 1e6)}\n`);
            if (times.length === expect) finish();
          } });
          function finish(err?: Error): void {
            clearTimeout(timer);
            sub.unsubscribe();
            if (err) reject(err);
            else resolve();
          }
          process.once("SIGINT", () => finish());
          nc.publish("$SYS.REQ.SERVER.PING", "", { reply: inbox });
        });
        process.stdout.write(summary(times));
        if (expect !== 0 && expect !== times.length) process.stdout.write(`\nMissing ${expect - times.length} server(s)\n`);
      });
    });
}
