/**
 * Typed reads of config entries for the options layer. Problems are collected rather than thrown, so
 * that one run reports every bad field (nats-server lists them all, one per line).
 */
import { ConfigError, formatProblem, type ConfPos, type ConfProblem } from "./config-error.js";
import type { ConfEntry, ConfMap, ConfValue } from "./conf-tree.js";
import { DurationError, parseGoDuration } from "../util/duration.js";

const KIND_NAMES: Record<ConfValue["kind"], string> = {
  string: "a string",
  int: "an integer",
  float: "a float",
  bool: "a boolean",
  datetime: "a datetime",
  array: "an array",
  map: "a map",
};

export function kindName(v: ConfValue): string {
  return KIND_NAMES[v.kind];
}

/** Go's %T of a value nats-server's config parser produced, for the messages that print it. */
export function goTypeName(v: ConfValue): string {
  const GO: Record<ConfValue["kind"], string> = {
    string: "string",
    int: "int64",
    float: "float64",
    bool: "bool",
    datetime: "time.Time",
    array: "[]interface {}",
    map: "map[string]interface {}",
  };
  return GO[v.kind];
}

export class FieldReader {
  readonly problems: ConfProblem[] = [];
  readonly warnings: string[] = [];

  error(pos: ConfPos | undefined, message: string): undefined {
    this.problems.push({ pos, message });
    return undefined;
  }

  warn(pos: ConfPos, message: string): void {
    this.warnings.push(formatProblem({ pos, message }));
  }

  /** Throws every collected problem at once. */
  throwIfAny(): void {
    if (this.problems.length > 0) throw new ConfigError(this.problems);
  }

  private wrongKind(e: ConfEntry, wanted: string): undefined {
    return this.error(e.keyPos, `invalid value for "${e.key}": expected ${wanted}, got ${kindName(e.value)}`);
  }

  string(e: ConfEntry): string | undefined {
    return e.value.kind === "string" ? e.value.value : this.wrongKind(e, "a string");
  }

  int(e: ConfEntry): number | undefined {
    return e.value.kind === "int" ? e.value.value : this.wrongKind(e, "an integer");
  }

  bool(e: ConfEntry): boolean | undefined {
    return e.value.kind === "bool" ? e.value.value : this.wrongKind(e, "a boolean");
  }

  map(e: ConfEntry): ConfMap | undefined {
    return e.value.kind === "map" ? e.value.value : this.wrongKind(e, "a map");
  }

  /** A string, or an array of strings (nats-server takes both forms for lists such as server_tags). */
  stringList(e: ConfEntry): string[] | undefined {
    const v = e.value;
    if (v.kind === "string") return [v.value];
    if (v.kind !== "array") return this.wrongKind(e, "a string or an array of strings");
    const out: string[] = [];
    for (const item of v.value) {
      if (item.kind !== "string") return this.error(item.pos, `invalid value in "${e.key}": expected a string, got ${kindName(item)}`);
      out.push(item.value);
    }
    return out;
  }

  /**
   * A Go duration string. When `intSecondsWarns`, a bare integer is taken as seconds with nats-server's
   * "should be converted to a duration" warning; otherwise an integer is an error.
   */
  duration(e: ConfEntry, intSecondsWarns: boolean): number | undefined {
    const v = e.value;
    if (v.kind === "int" && intSecondsWarns) {
      this.warn(e.keyPos, `invalid use of field "${e.key}": ${e.key} should be converted to a duration`);
      return v.value * 1000;
    }
    if (v.kind !== "string") return this.wrongKind(e, intSecondsWarns ? "a duration string or seconds" : "a duration string");
    try {
      return parseGoDuration(v.value);
    } catch (err) {
      if (err instanceof DurationError) return this.error(e.keyPos, `error parsing ${e.key}: ${err.message}`);
      throw err;
    }
  }

  unknown(e: ConfEntry): void {
    // A key that served as a `$variable` is a variable, not a misspelt option.
    if (!e.usedAsVariable) this.error(e.keyPos, `unknown field "${e.key}"`);
  }
}

export type FieldHandler<T> = (e: ConfEntry, r: FieldReader, target: T) => void;

/** Dispatches each entry of a map to its handler by lower-cased key; anything else is an unknown field. */
export function readFields<T>(map: ConfMap, handlers: Record<string, FieldHandler<T>>, r: FieldReader, target: T): void {
  for (const e of map.values()) {
    const handler = Object.hasOwn(handlers, e.key.toLowerCase()) ? handlers[e.key.toLowerCase()] : undefined;
    if (handler) handler(e, r, target);
    else r.unknown(e);
  }
}
