/**
 * JetStream API errors as nats-server sends them: `{"code":…,"err_code":…,"description":…}`. Handlers
 * throw an ApiError; the router turns it into the `error` member of the response.
 */
import { JS_ERRORS, type JsErrorName } from "./errors-table.js";

export type { JsErrorName } from "./errors-table.js";

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly errCode: number,
    readonly description: string,
  ) {
    super(description);
    this.name = "ApiError";
  }

  /** As Go's `omitempty`: an error without a JetStream code (a raft refusal's 503) has no err_code. */
  toJSON(): { code: number; err_code?: number; description: string } {
    return this.errCode === 0 ? { code: this.code, description: this.description } : { code: this.code, err_code: this.errCode, description: this.description };
  }
}

/**
 * The error named `name`, its `{x}` placeholders filled from `args`. A placeholder without a value is
 * dropped with the `: ` before it, which gives 2.9.10's wording (`invalid JSON` rather than `invalid JSON: …`).
 */
export function jsError(name: JsErrorName, args: Record<string, string | number> = {}): ApiError {
  const [code, errCode, template] = JS_ERRORS[name];
  const description = template
    .replace(/(: )?\{(\w+)\}/g, (_m, sep: string | undefined, key: string) => (key in args ? `${sep ?? ""}${args[key]}` : ""));
  return new ApiError(code, errCode, description);
}

/** The F-errors whose whole description is free text (`{err}`). */
export function jsErrorText(name: JsErrorName, err: string): ApiError {
  return jsError(name, { err });
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
