/**
 * Checks nats-server makes when a server starts (not under `-t`): combinations of options that are each
 * valid alone.
 */
import type { Options } from "./options.js";
import { noAuthUserError } from "./no-auth-user-check.js";
import { websocketErrors } from "./validate-websocket.js";

const PAYLOAD_WARN_BYTES = 8 * 1024 * 1024;

export interface Validation {
  /** Each refuses startup; nats-server prints them as `nats-server: <error>`. */
  errors: string[];
  warnings: string[];
}

export function validateOptions(o: Options): Validation {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (o.maxPayload > o.maxPending)
    errors.push(`max_payload (${o.maxPayload}) cannot be higher than max_pending (${o.maxPending})`);
  if (o.noAuthUser !== undefined) {
    const err = noAuthUserError(o, o.noAuthUser);
    if (err !== undefined) errors.push(err);
  }
  // A clustered JetStream server joins the meta group under its name, in a cluster that must be named.
  if (o.jetstream.enabled && o.cluster && o.cluster.port !== 0) {
    if (o.serverName === "") errors.push("jetstream cluster requires `server_name` to be set");
    else if (o.cluster.name === undefined || o.cluster.name === "") errors.push("jetstream cluster requires `cluster.name` to be set");
  }
  errors.push(...websocketErrors(o));
  if (o.maxPayload > PAYLOAD_WARN_BYTES)
    warnings.push("Maximum payloads over 8.00 MB are generally discouraged and could lead to poor performance");
  return { errors, warnings };
}
