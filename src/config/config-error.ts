/**
 * Errors of the config layer. Every problem found in a file names where it is, as `file:line:col`,
 * the way nats-server prints it, so an operator can jump to it and tests can compare with nats-server.
 */

/** A place in a config file. `line` and `col` are 1-based. */
export interface ConfPos {
  file: string;
  line: number;
  col: number;
}

/**
 * `file:line:col` as nats-server prints it. nats-server counts columns from 0 on a file's first line and
 * from 1 on every other line (its lexer measures from the previous newline); we print the same numbers
 * so that messages match character for character.
 */
export function formatPos(pos: ConfPos): string {
  const col = pos.line === 1 ? pos.col - 1 : pos.col;
  return `${pos.file}:${pos.line}:${col}`;
}

export interface ConfProblem {
  pos?: ConfPos;
  message: string;
}

export function formatProblem(p: ConfProblem): string {
  return p.pos ? `${formatPos(p.pos)}: ${p.message}` : p.message;
}

/** One or more problems in a config file; `message` lists them one per line. */
export class ConfigError extends Error {
  readonly problems: readonly ConfProblem[];

  constructor(problems: ConfProblem | readonly ConfProblem[]) {
    const list = Array.isArray(problems) ? (problems as readonly ConfProblem[]) : [problems as ConfProblem];
    super(list.map(formatProblem).join("\n"));
    this.name = "ConfigError";
    this.problems = list;
  }

  /** Where the first problem is, if it has a place. */
  get pos(): ConfPos | undefined {
    return this.problems[0]?.pos;
  }
}
