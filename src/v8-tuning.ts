/**
 * V8 settings for the server process. Only the `tsnats-server` command applies them: an embedded
 * server leaves its host process's V8 alone.
 *
 * --interrupt-budget is how much bytecode a function runs before V8 weighs optimizing it (default
 * 67584). A server process starts cold, and a client doing synchronous requests (one JetStream publish
 * in flight) was answered from unoptimized code for its first few thousand requests: measured with
 * 5000 synchronous publishes after a 500-message warm-up (sync_interval set, 5 reps), p99 1456 us at
 * the default against 631 us at 16000 (nats-server 546 us), and 0.82 against 1.00 of nats-server's
 * rate. Once warm, the cost per message is the same (in-process publish benchmark), so throughput
 * runs see no difference beyond their noise.
 *
 * A budget the operator gives node (a flag or NODE_OPTIONS) is left as it is.
 */
import { setFlagsFromString } from "node:v8";

const INTERRUPT_BUDGET = 16000;

export function tuneV8ForServer(): void {
  const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) => a.includes("--interrupt-budget"));
  // Takes effect for code V8 has not yet counted: the modules are loaded, but no hot path has run yet.
  if (!given) setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
}
