/**
 * `tsnats-server`: nats-server's command line. Flags -> options -> a running server, and the signals an
 * operator sends: TERM/INT stop, HUP reloads the config file, USR2 enters lame duck mode, USR1 reopens the log.
 * This process is the server itself (benchmarks and signals address its PID): it never forks.
 */
import { readFileSync } from "node:fs";
import { FlagError, parseFlags, usage, type FlagResult } from "./config/flags.js";
import { resolveOptions } from "./config/resolve.js";
import { validateOptions } from "./config/validate.js";
import type { Options } from "./config/options.js";
import { Logger } from "./util/logger.js";
import { runServer, type RunningServer } from "./index.js";
import { hasPlainTextPasswords, PLAIN_TEXT_PASSWORDS_WARNING } from "./auth/password-warning.js";
import { StartError } from "./server/start-error.js";
import { NATS_VERSION } from "./server/version.js";
import { reloadProblems } from "./config/reload.js";
import { loadTlsSettings } from "./tls/context.js";
import { tuneV8ForServer } from "./v8-tuning.js";

function loggerOptions(o: Options) {
  return { debug: o.debug, trace: o.trace, logtime: o.logtime, logtimeUTC: o.logtimeUTC, logFile: o.logFile };
}

function fail(text: string): never {
  process.stderr.write(`nats-server: ${text}\n`);
  process.exit(1);
}

const SIGNALS: Record<string, NodeJS.Signals> = {
  stop: "SIGKILL",
  quit: "SIGINT",
  term: "SIGTERM",
  reopen: "SIGUSR1",
  reload: "SIGHUP",
  ldm: "SIGUSR2",
};

/** `--signal cmd[=pid|pidfile]`: nats-server sends the signal to the running server and exits. */
function sendSignal(cmd: string, target: string | undefined, pidFile: string | undefined): never {
  const sig = SIGNALS[cmd];
  if (sig === undefined) fail(`unknown signal "${cmd}"`);
  const ref = target ?? pidFile;
  if (ref === undefined) fail("no pid or pid file given for the signal");
  const pid = /^\d+$/.test(ref) ? Number(ref) : Number(readFileSync(ref, "utf8").trim());
  try {
    process.kill(pid, sig);
  } catch (e) {
    fail(`could not send ${sig} to ${pid}: ${(e as Error).message}`);
  }
  process.exit(0);
}

async function main(): Promise<void> {
  // A SIGHUP while the server starts must not kill it (nats-server survives one 0.05 s after start): it
  // is noted, and the config is reloaded once the server runs. bin/tsnats-server ignores one that comes
  // even earlier, while this module loads, when there is no config read yet to reload.
  let earlyHup = false;
  const keepHup = () => void (earlyHup = true);
  process.on("SIGHUP", keepHup);
  tuneV8ForServer();
  let flags: FlagResult;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (e) {
    // Go's flag package: the error on stderr, the usage on stdout, and nats-server's exit code.
    if (e instanceof FlagError && e.showUsage) {
      process.stderr.write(`${e.message}\n`);
      process.stdout.write(usage());
      process.exit(e.exitCode);
    }
    fail((e as Error).message);
  }
  const action = flags.action;
  if (action.kind === "version") {
    process.stdout.write(`nats-server: v${NATS_VERSION}\n`);
    process.exit(0);
  }
  if (action.kind === "help" || action.kind === "help_tls") {
    process.stdout.write(usage(action.kind));
    process.exit(0);
  }
  let resolved: ReturnType<typeof resolveOptions>;
  try {
    resolved = resolveOptions(flags);
  } catch (e) {
    fail((e as Error).message);
  }
  if (action.kind === "signal") sendSignal(action.command, action.target, resolved.options.pidFile);
  const checked = validateOptions(resolved.options);
  if (checked.errors.length > 0) fail(checked.errors.join("\n"));
  // Like nats-server, certificate files are read when the options are, so -t catches them too.
  for (const tls of [resolved.options.tls, resolved.options.cluster?.tls]) {
    if (!tls) continue;
    try {
      loadTlsSettings(tls);
    } catch (e) {
      fail((e as Error).message);
    }
  }
  const warnings = [...resolved.warnings, ...checked.warnings];
  if (action.kind === "test") {
    // Under -t nats-server treats warnings as errors.
    if (warnings.length > 0) fail(warnings.join("\n"));
    process.stderr.write(`nats-server: configuration file ${flags.configFile ?? ""} is valid\n`);
    process.exit(0);
  }
  let opts = resolved.options;
  const logger = new Logger(loggerOptions(opts));
  for (const w of warnings) logger.warn(w);

  // A stop signal that comes while the server starts (after its pid and ports files are written) is
  // kept and acted on once it has started, so the files are removed; the default action would kill the
  // process and leave them.
  let earlyStop: NodeJS.Signals | undefined;
  const keep = (sig: NodeJS.Signals) => void (earlyStop ??= sig);
  process.on("SIGINT", keep);
  process.on("SIGTERM", keep);
  let running: RunningServer;
  try {
    running = await runServer(opts, logger);
  } catch (e) {
    if (e instanceof StartError) logger.fatal(e.message);
    else logger.fatal(`Error listening on port: ${opts.host}:${opts.port}, ${JSON.stringify(String((e as Error).message))}`);
    process.exit(1);
  }
  const server = running.server;
  const stop = async (code: number) => {
    await server.shutdown();
    logger.close();
    process.exit(code);
  };
  const onInterrupt = () => {
    logger.info("Trapped \"interrupt\" signal");
    void stop(0);
  };
  const onTerminate = () => {
    if (server.lameDuck) return;
    logger.info("Trapped \"terminated\" signal");
    void stop(0);
  };
  process.off("SIGINT", keep);
  process.off("SIGTERM", keep);
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onTerminate);
  if (earlyStop === "SIGINT") onInterrupt();
  else if (earlyStop === "SIGTERM") onTerminate();
  process.on("SIGUSR1", () => {
    logger.reopen();
    logger.info("Reopened log file");
  });
  process.on("SIGUSR2", () => {
    void server.enterLameDuck().then(() => stop(0));
  });
  const onHup = () => {
    logger.info("Trapped \"hangup\" signal");
    try {
      const next = resolveOptions(flags);
      const problems = reloadProblems(opts, next.options);
      if (problems.length > 0) throw new Error(`config reload not supported for ${problems.join(", ")}`);
      for (const w of next.warnings) logger.warn(w);
      if (hasPlainTextPasswords(next.options)) logger.warn(PLAIN_TEXT_PASSWORDS_WARNING);
      // Applied by the server first: certificates that cannot be read leave everything as it was.
      server.reload(next.options);
      opts = next.options;
      logger.configure(loggerOptions(opts));
      logger.info("Reloaded server configuration");
    } catch (e) {
      logger.error(`Failed to reload server configuration: ${(e as Error).message}`);
    }
  };
  process.off("SIGHUP", keepHup);
  process.on("SIGHUP", onHup);
  if (earlyHup) onHup();
}

void main();
