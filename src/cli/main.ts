/**
 * `tsnats`: the nats CLI's verbs on the official @nats-io clients. commander parses the command line;
 * every failure ends as one `tsnats: error: ...` line on stderr and exit status 1, as the nats CLI does.
 */
import { Command, CommanderError } from "commander";
import { addGlobalOptions } from "./global-options.js";
import { CliExit, describeError, EXIT_FAILURE } from "./errors.js";
import { contextCommand } from "./commands/context.js";
import { pubCommand } from "./commands/pub.js";
import { subCommand } from "./commands/sub.js";
import { replyCommand, reqCommand } from "./commands/request.js";
import { streamCommand } from "./commands/stream.js";
import { consumerCommand } from "./commands/consumer.js";
import { kvCommand } from "./commands/kv.js";
import { objectCommand } from "./commands/object.js";
import { serverCommand } from "./commands/server.js";
import { accountCommand } from "./commands/account.js";
import { benchCommand } from "./commands/bench.js";
import { CLI_VERSION } from "./version.js";

function program(): Command {
  const p = new Command("tsnats")
    .description("NATS Utility: the nats CLI's verbs for tsnats and any NATS server")
    .option("--json", "Produce JSON output where the command supports it")
    .version(CLI_VERSION, "--version", "Show application version.")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "tsnats: error: ")) });
  addGlobalOptions(p);
  for (const add of [contextCommand, pubCommand, subCommand, reqCommand, replyCommand, streamCommand,
    consumerCommand, kvCommand, objectCommand, serverCommand, accountCommand, benchCommand]) add(p);
  // Subcommands inherit the parent's error handling so usage errors exit 1, not commander's process.exit.
  const inherit = (c: Command) => {
    for (const sub of c.commands) {
      sub.exitOverride().showHelpAfterError().configureOutput(p.configureOutput());
      inherit(sub);
    }
  };
  inherit(p);
  return p;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv, { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : EXIT_FAILURE;
    if (err instanceof CliExit) return err.code;
    process.stderr.write(`tsnats: error: ${describeError(err)}\n`);
    return EXIT_FAILURE;
  }
}

process.exitCode = await main(process.argv.slice(2));
