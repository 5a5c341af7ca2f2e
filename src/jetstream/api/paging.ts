/** Paged list requests (`{"offset": n}`) as nats-server reads them. */
import { jsError } from "../errors.js";

/** The request's offset: a non-negative integer, 0 when absent; a wrong type is invalid JSON. */
export function offsetOf(req: Record<string, unknown>): number {
  const v = req["offset"];
  if (v === undefined || v === null) return 0;
  if (typeof v !== "number" || !Number.isInteger(v)) throw jsError("JSInvalidJSONErr");
  return Math.max(0, v);
}

export function optString(req: Record<string, unknown>, key: string): string | undefined {
  const v = req[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw jsError("JSInvalidJSONErr");
  return v;
}

export function optBool(req: Record<string, unknown>, key: string): boolean {
  const v = req[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw jsError("JSInvalidJSONErr");
  return v;
}

export function optInt(req: Record<string, unknown>, key: string, min = 0): number | undefined {
  const v = req[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min) throw jsError("JSInvalidJSONErr");
  return v;
}
