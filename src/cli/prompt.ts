/**
 * Questions asked on a terminal, with @inquirer/prompts: confirmations, the next page, and the values a
 * command needs but was not given. Without a terminal nothing is asked; callers fall back to defaults
 * or to an error, as the nats CLI does.
 */
import { confirm, input, select } from "@inquirer/prompts";
import { CliError } from "./errors.js";

/** A person is there to answer: both stdin and stdout are a terminal. */
export function interactive(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

/** Ctrl-C while a question is open ends the command like any other failure, on one line. */
async function asked<T>(q: Promise<T>): Promise<T> {
  try {
    return await q;
  } catch (e) {
    if (e instanceof Error && e.name === "ExitPromptError") throw new CliError("interrupted");
    throw e;
  }
}

export function askYesNo(message: string, dflt: boolean): Promise<boolean> {
  return asked(confirm({ message, default: dflt }));
}

export function askText(message: string, dflt?: string, validate?: (v: string) => string | true): Promise<string> {
  return asked(input({ message, ...(dflt !== undefined ? { default: dflt } : {}), ...(validate ? { validate } : {}) }));
}

export function askChoice(message: string, choices: string[], dflt?: string): Promise<string> {
  return asked(select({ message, choices: choices.map((c) => ({ name: c, value: c })), ...(dflt !== undefined ? { default: dflt } : {}) }));
}

/** Fails at once, before connecting, when a needed value is missing and nobody can be asked for it. */
export function askable(value: string | undefined, name: string): void {
  if (!value && !interactive()) throw new CliError(`missing required argument '${name}'`);
}

/**
 * A positional value the command needs: given, asked for on a terminal (from `choices` when there
 * are some), or, without a terminal, commander's own error for a missing argument. With `none`, an
 * empty list of choices is that error instead of a question.
 */
export async function required(value: string | undefined, name: string, message: string, choices?: () => Promise<string[]>, none?: string): Promise<string> {
  if (value) return value;
  askable(value, name);
  const options = choices ? await choices() : [];
  if (options.length > 0) return askChoice(message, options);
  if (none) throw new CliError(none);
  return askText(message, undefined, (v) => (v.trim() ? true : `${message} is required`));
}
