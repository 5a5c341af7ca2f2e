/**
 * The parsed config file: every value keeps its kind (nats-server tells ints from floats, and strings
 * from numbers) and its position, and every map entry the position of its key, so the options layer
 * can report `file:line:col: unknown field "x"`.
 */
import type { ConfPos } from "./config-error.js";

export type ConfValue =
  | { kind: "string"; value: string; pos: ConfPos }
  | { kind: "int"; value: number; pos: ConfPos }
  | { kind: "float"; value: number; pos: ConfPos }
  | { kind: "bool"; value: boolean; pos: ConfPos }
  | { kind: "datetime"; value: Date; pos: ConfPos }
  | { kind: "array"; value: ConfValue[]; pos: ConfPos }
  | { kind: "map"; value: ConfMap; pos: ConfPos };

export type ConfKind = ConfValue["kind"];

export interface ConfEntry {
  /** The key as written (lookups by the options layer ignore case, like nats-server). */
  key: string;
  keyPos: ConfPos;
  value: ConfValue;
  /** Set when a `$name` reference read this entry: a variable, not an option, so never "unknown". */
  usedAsVariable: boolean;
}

/** Keys in file order; a repeated key replaces the earlier entry. */
export type ConfMap = Map<string, ConfEntry>;

/** Plain JavaScript data for a value (maps become objects), for sections kept raw. */
export function toPlain(v: ConfValue): unknown {
  switch (v.kind) {
    case "array":
      return v.value.map(toPlain);
    case "map":
      return mapToPlain(v.value);
    default:
      return v.value;
  }
}

export function mapToPlain(m: ConfMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, e] of m) out[k] = toPlain(e.value);
  return out;
}
