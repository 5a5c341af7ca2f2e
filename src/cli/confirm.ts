/**
 * Confirmation for destructive verbs, as the nats CLI asks it. Without a terminal there is nobody to
 * ask, so the verb needs --force (the nats CLI likewise cannot prompt then).
 */
import { CliError } from "./errors.js";
import { askYesNo, interactive } from "./prompt.js";

export async function confirm(question: string, force: boolean | undefined): Promise<boolean> {
  if (force) return true;
  if (!interactive()) throw new CliError(`${question}: cannot ask without a terminal, use --force`);
  return askYesNo(question, false);
}
