/**
 * The configuration flags of `consumer add` and `consumer edit`, declared once: edit offers the subset a
 * server lets change on a durable consumer (the nats CLI builds both verbs from one flag list the same
 * way), so a flag's spelling, help and default cannot differ between the two verbs.
 */
import type { Command } from "commander";
import { collect } from "./runtime.js";

interface FlagSpec {
  flags: string;
  description: string;
  /** Commander's default value, for flags whose value is read even when not given. */
  fallback?: string;
  /** Repeatable: each use adds to a list. */
  repeatable?: true;
  /** Offered by `consumer edit` too. */
  editable: boolean;
}

/** In `consumer add`'s help order. */
const CONSUMER_FLAGS: readonly FlagSpec[] = [
  { flags: "--target <subject>", description: "Push based delivery target subject", editable: false },
  { flags: "--pull", description: "Deliver messages in 'pull' mode", editable: false },
  { flags: "--deliver <policy>", description: "Start policy (all, new, last, subject, 1h, msg sequence)", editable: false },
  { flags: "--deliver-group <group>", description: "Delivers push messages only to subscriptions matching this group", editable: true },
  { flags: "--ack <policy>", description: "Acknowledgment policy (none, all, explicit)", editable: false },
  { flags: "--filter <subjects>", description: "Filter Stream by subjects", repeatable: true, editable: true },
  { flags: "--max-pending <n>", description: "Maximum pending Acks before consumers are paused", editable: true },
  { flags: "--max-deliver <tries>", description: "Maximum amount of times a message will be delivered", editable: true },
  { flags: "--backoff <mode>", description: "Backoff policy: linear, none, or a list of durations (1s,2s,5s)", editable: true },
  { flags: "--backoff-steps <n>", description: "Number of steps to use when creating the backoff policy", fallback: "10", editable: true },
  { flags: "--backoff-min <duration>", description: "The shortest backoff period that will be generated", fallback: "1m", editable: true },
  { flags: "--backoff-max <duration>", description: "The longest backoff period that will be generated", fallback: "20m", editable: true },
  { flags: "--wait <duration>", description: "Acknowledgment waiting time", editable: true },
  { flags: "--replay <policy>", description: "Replay Policy (instant, original)", editable: false },
  { flags: "--heartbeat <duration>", description: "Enable idle Push consumer heartbeats (-1 disable)", editable: true },
  { flags: "--flow-control", description: "Enable Push consumer flow control", editable: false },
  { flags: "--headers-only", description: "Deliver only headers and no bodies", editable: true },
  { flags: "--description <text>", description: "Sets a contextual description for the consumer", editable: true },
  { flags: "--inactive-threshold <duration>", description: "How long to allow an ephemeral consumer to be idle before removing it", editable: true },
  { flags: "--max-pull-batch <n>", description: "Maximum size batch size for a pull request", editable: true },
  { flags: "--config <file>", description: "JSON file to read configuration from", editable: true },
];

/** Declares on `cmd` the configuration flags of `consumer add`, or of `consumer edit` (the editable ones). */
export function addConsumerConfigFlags(cmd: Command, verb: "add" | "edit"): Command {
  for (const f of CONSUMER_FLAGS) {
    if (verb === "edit" && !f.editable) continue;
    if (f.repeatable) cmd.option(f.flags, f.description, collect);
    else if (f.fallback !== undefined) cmd.option(f.flags, f.description, f.fallback);
    else cmd.option(f.flags, f.description);
  }
  return cmd;
}
