/**
 * Query parameters as nats-server decodes them (Go's strconv), with its 400 texts word for word.
 * An empty or absent parameter is the zero value; the first occurrence of a repeated one counts.
 */

/** A request nats-server refuses with 400 and this plain-text body. */
export class BadRequest extends Error {}

const TRUE = new Set(["1", "t", "T", "true", "TRUE", "True"]);
const FALSE = new Set(["0", "f", "F", "false", "FALSE", "False"]);

/** Go's %q for the common case; non-ASCII is escaped differently by Go, never mind. */
function quote(s: string): string {
  return JSON.stringify(s);
}

export function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name) ?? "";
  if (v === "" || FALSE.has(v)) return false;
  if (TRUE.has(v)) return true;
  throw new BadRequest(`Error decoding boolean for '${name}': strconv.ParseBool: parsing ${quote(v)}: invalid syntax`);
}

const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** Go's int (64-bit); values beyond 2^53 lose precision, which no offset or limit reaches. */
export function intParam(q: URLSearchParams, name: string): number {
  const v = q.get(name) ?? "";
  if (v === "") return 0;
  if (!/^[+-]?\d+$/.test(v)) throw new BadRequest(`Error decoding int for '${name}': strconv.Atoi: parsing ${quote(v)}: invalid syntax`);
  const n = BigInt(v);
  if (n > INT64_MAX || n < -INT64_MAX - 1n) {
    throw new BadRequest(`Error decoding int for '${name}': strconv.Atoi: parsing ${quote(v)}: value out of range`);
  }
  return Number(n);
}

export function uintParam(q: URLSearchParams, name: string): number {
  const v = q.get(name) ?? "";
  if (v === "") return 0;
  if (!/^\d+$/.test(v)) throw new BadRequest(`Error decoding uint64 for '${name}': strconv.ParseUint: parsing ${quote(v)}: invalid syntax`);
  if (BigInt(v) > UINT64_MAX) {
    throw new BadRequest(`Error decoding uint64 for '${name}': strconv.ParseUint: parsing ${quote(v)}: value out of range`);
  }
  return Number(v);
}

export interface SubsParam {
  /** Subjects only (`subs=1`). */
  list: boolean;
  /** Full subscription details (`subs=detail`). */
  detail: boolean;
}

/** `subs`: a boolean, or `detail` in any case. */
export function subsParam(q: URLSearchParams): SubsParam {
  if ((q.get("subs") ?? "").toLowerCase() === "detail") return { list: false, detail: true };
  return { list: boolParam(q, "subs"), detail: false };
}

export type ConnState = "open" | "closed" | "any";

/** `state`: open (default), closed, any or all, in any case. */
export function stateParam(q: URLSearchParams): ConnState {
  const v = q.get("state") ?? "";
  switch (v.toLowerCase()) {
    case "":
    case "open":
      return "open";
    case "closed":
      return "closed";
    case "any":
    case "all":
      return "any";
  }
  throw new BadRequest(`Error decoding state for ${v}`);
}

export const DEFAULT_LIST_SIZE = 1024;

export interface PageBounds {
  offset: number;
  limit: number;
}

/** nats-server's paging rules: a negative offset is 0, a limit of 0 or less is the default 1024. */
export function pageBounds(offset: number, limit: number): PageBounds {
  return { offset: Math.max(0, offset), limit: limit > 0 ? limit : DEFAULT_LIST_SIZE };
}

/** The items of one page; an offset past the end gives none. */
export function page<T>(items: readonly T[], b: PageBounds): T[] {
  return items.slice(Math.min(b.offset, items.length), Math.min(b.offset + b.limit, items.length));
}
