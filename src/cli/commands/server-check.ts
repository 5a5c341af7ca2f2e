/**
 * `tsnats server check connection|jetstream`: health checks for monitoring systems, printed as a Nagios
 * line (or JSON) and ending with the Nagios exit codes the nats CLI uses. A server that cannot be reached
 * is CRITICAL, never a usage error.
 */
import { Option, type Command } from "commander";
import { createInbox, type NatsConnection } from "@nats-io/transport-node";
import { settingsOf, printJson } from "../runtime.js";
import { open } from "../connect.js";
import { manager } from "../jetstream.js";
import type { ConnectionSettings } from "../global-options.js";
import { CheckResult } from "../check-result.js";
import { humanDuration, iBytes, parseDuration } from "../format/units.js";
import { CliExit, describeError } from "../errors.js";

interface FormatFlag {
  format: "nagios" | "json";
}

function report(r: CheckResult, o: FormatFlag, cmd: Command): void {
  if (o.format === "json" || cmd.optsWithGlobals()["json"]) printJson(r.json());
  else process.stdout.write(r.nagios() + "\n");
  if (r.exitCode !== 0) throw new CliExit(r.exitCode);
}

/** Connects for a check; a failure is recorded as CRITICAL and yields no connection. */
async function connectFor(r: CheckResult, s: ConnectionSettings): Promise<{ nc: NatsConnection; seconds: number } | undefined> {
  const started = performance.now();
  try {
    const nc = await open(s);
    return { nc, seconds: (performance.now() - started) / 1000 };
  } catch (e) {
    r.critical(`connection failed: ${describeError(e)}`);
    return undefined;
  }
}

const seconds = (text: string) => parseDuration(text) / 1e9;
const formatOption = () => new Option("--format <format>", "Render the check in a specific format").choices(["nagios", "json"]).default("nagios");

interface ConnectionFlags extends FormatFlag {
  connectWarn: string;
  connectCritical: string;
  rttWarn: string;
  rttCritical: string;
  reqWarn: string;
  reqCritical: string;
}

interface JetStreamFlags extends FormatFlag {
  memWarn: string;
  memCritical: string;
  storeWarn: string;
  storeCritical: string;
  streamsWarn: string;
  streamsCritical: string;
  consumersWarn: string;
  consumersCritical: string;
}

async function checkConnection(o: ConnectionFlags, s: ConnectionSettings): Promise<CheckResult> {
  const r = new CheckResult("Connection");
  const conn = await connectFor(r, s);
  if (!conn) return r;
  const { nc } = conn;
  try {
    const [cw, cc] = [seconds(o.connectWarn), seconds(o.connectCritical)];
    r.grade(conn.seconds, cw, cc, `connected to ${nc.getServer()} in ${humanDuration(conn.seconds * 1e9)}`);
    r.perf.push({ name: "connect_time", value: conn.seconds, unit: "s", warn: cw, crit: cc });

    const rtt = (await nc.rtt()) / 1000;
    const [rw, rc] = [seconds(o.rttWarn), seconds(o.rttCritical)];
    r.grade(rtt, rw, rc, `rtt time ${humanDuration(rtt * 1e9)}`);
    r.perf.push({ name: "rtt", value: rtt, unit: "s", warn: rw, crit: rc });

    // A request to a responder on this same connection: the full publish-route-deliver path through the server.
    const subject = createInbox(s.inbox_prefix);
    const sub = nc.subscribe(subject, { callback: (_e, m) => void m.respond(m.data) });
    const started = performance.now();
    await nc.request(subject, "check", { timeout: s.timeoutMs });
    const took = (performance.now() - started) / 1000;
    sub.unsubscribe();
    const [qw, qc] = [seconds(o.reqWarn), seconds(o.reqCritical)];
    r.grade(took, qw, qc, `round trip took ${took.toFixed(6)}s`);
    r.perf.push({ name: "request_time", value: took, unit: "s", warn: qw, crit: qc });
  } catch (e) {
    r.critical(describeError(e));
  } finally {
    await nc.close().catch(() => undefined);
  }
  return r;
}

async function checkJetStream(o: JetStreamFlags, s: ConnectionSettings): Promise<CheckResult> {
  const r = new CheckResult("JetStream");
  const conn = await connectFor(r, s);
  if (!conn) return r;
  try {
    const info = await (await manager(conn.nc, s)).getAccountInfo().catch((e: unknown) => {
      throw new Error(`JetStream not available: ${describeError(e)}`);
    });
    const usage = [
      { name: "memory", used: info.memory, limit: info.limits.max_memory, warn: o.memWarn, crit: o.memCritical, show: iBytes, unit: "B" },
      { name: "storage", used: info.storage, limit: info.limits.max_storage, warn: o.storeWarn, crit: o.storeCritical, show: iBytes, unit: "B" },
      { name: "streams", used: info.streams, limit: info.limits.max_streams, warn: o.streamsWarn, crit: o.streamsCritical, show: String, unit: "" },
      { name: "consumers", used: info.consumers, limit: info.limits.max_consumers, warn: o.consumersWarn, crit: o.consumersCritical, show: String, unit: "" },
    ];
    for (const u of usage) {
      const [warn, crit] = [Number(u.warn), Number(u.crit)];
      // Without a limit (-1 or 0) there is no percentage to grade.
      const pct = u.limit > 0 ? (u.used * 100) / u.limit : 0;
      const limit = u.limit > 0 ? u.show(u.limit) : "unlimited";
      r.grade(u.limit > 0 ? pct : -1, warn, crit, `${u.name} ${u.show(u.used)} of ${limit}${u.limit > 0 ? ` (${pct.toFixed(1)}%)` : ""}`);
      r.perf.push({ name: u.name, value: u.used, unit: u.unit });
      r.perf.push({ name: `${u.name}_pct`, value: Number(pct.toFixed(4)), unit: "%", warn, crit });
    }
  } catch (e) {
    r.critical(describeError(e));
  } finally {
    await conn.nc.close().catch(() => undefined);
  }
  return r;
}

export function addServerCheckVerbs(srv: Command): void {
  const check = srv.command("check").description("Health check for NATS servers, for monitoring systems (Nagios exit codes)");

  check.command("connection").alias("conn").description("Checks basic server connection")
    .option("--connect-warn <duration>", "Warning threshold to allow for establishing connections", "500ms")
    .option("--connect-critical <duration>", "Critical threshold to allow for establishing connections", "1s")
    .option("--rtt-warn <duration>", "Warning threshold to allow for server RTT", "500ms")
    .option("--rtt-critical <duration>", "Critical threshold to allow for server RTT", "1s")
    .option("--req-warn <duration>", "Warning threshold to allow for full round trip test", "500ms")
    .option("--req-critical <duration>", "Critical threshold to allow for full round trip test", "1s")
    .addOption(formatOption())
    .action(async (o: ConnectionFlags, cmd: Command) => report(await checkConnection(o, settingsOf(cmd)), o, cmd));

  check.command("jetstream").alias("js").description("Checks JetStream usage against the account's limits")
    .option("--mem-warn <pct>", "Warning threshold for memory use, in percent of the limit", "75")
    .option("--mem-critical <pct>", "Critical threshold for memory use, in percent of the limit", "90")
    .option("--store-warn <pct>", "Warning threshold for storage use, in percent of the limit", "75")
    .option("--store-critical <pct>", "Critical threshold for storage use, in percent of the limit", "90")
    .option("--streams-warn <pct>", "Warning threshold for streams, in percent of the limit (-1 off)", "-1")
    .option("--streams-critical <pct>", "Critical threshold for streams, in percent of the limit (-1 off)", "-1")
    .option("--consumers-warn <pct>", "Warning threshold for consumers, in percent of the limit (-1 off)", "-1")
    .option("--consumers-critical <pct>", "Critical threshold for consumers, in percent of the limit (-1 off)", "-1")
    .addOption(formatOption())
    .action(async (o: JetStreamFlags, cmd: Command) => report(await checkJetStream(o, settingsOf(cmd)), o, cmd));
}
