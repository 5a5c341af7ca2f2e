/** What every command action shares: settings from the global flags, a connection, and log lines. */
import type { Command } from "commander";
import type { NatsConnection } from "@nats-io/transport-node";
import { resolveSettings, type ConnectionSettings, type GlobalFlags } from "./global-options.js";
import { open } from "./connect.js";

export function settingsOf(cmd: Command): ConnectionSettings {
  return resolveSettings(cmd.optsWithGlobals() as GlobalFlags);
}

/**
 * Runs `fn` on a fresh connection and closes it after, whatever `fn` did. A server error the client
 * reports only on its status stream (a publish the user may not make) fails the command after `fn`.
 */
export async function withConnection<T>(cmd: Command, fn: (nc: NatsConnection, s: ConnectionSettings) => Promise<T>): Promise<T> {
  const s = settingsOf(cmd);
  const nc = await open(s);
  let serverError: Error | undefined;
  void (async () => {
    for await (const st of nc.status()) if (st.type === "error" && !serverError) serverError = st.error;
  })();
  try {
    const result = await fn(nc, s);
    // Status events are queued as the server's reply is parsed; let the watcher above take them.
    await new Promise((r) => setImmediate(r));
    if (serverError) throw serverError;
    return result;
  } finally {
    await nc.close().catch(() => undefined);
  }
}

/** A progress line on stderr, prefixed with the time as the nats CLI's log lines are ("15:04:05 "). */
export function log(line: string): void {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  process.stderr.write(`${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${line}\n`);
}

/** A verb's own `--json` or the global one. */
export function wantsJson(o: { json?: boolean }, cmd: Command): boolean {
  return Boolean(o.json || cmd.optsWithGlobals()["json"]);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, "  ") + "\n");
}

/** Repeatable flags collect into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseIntFlag(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`expected an integer, got ${JSON.stringify(value)}`);
  return n;
}

export async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
