/**
 * Confirmation for destructive verbs, as the nats CLI asks it. Without a terminal there is nobody to
 * ask, so the verb needs --force (the nats CLI likewise cannot prompt then).
 */
import { createInterface } from "node:readline/promises";
import { CliError } from "./errors.js";

export async function confirm(question: string, force: boolean | undefined): Promise<boolean> {
  if (force) return true;
  if (!process.stdin.isTTY) throw new CliError(`${question}: cannot ask without a terminal, use --force`);
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(`? ${question} (y/N) `)).trim());
  } finally {
    rl.close();
  }
}
