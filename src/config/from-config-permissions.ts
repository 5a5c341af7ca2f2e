/**
 * A `permissions` block: `publish`/`subscribe` (aliases `pub`/`sub`, `import`/`export`) as a subject, a
 * list, or `{allow, deny}`; `allow_responses` as `true` or `{max, expires}`. Subjects are checked the way
 * nats-server checks them; a subscribe entry may carry a queue group after a space ("foo.> workers").
 */
import type { ConfEntry, ConfValue } from "./conf-tree.js";
import { goTypeName, kindName, type FieldReader } from "./field-reader.js";
import type { PermissionsSpec, SubjectPermissionSpec } from "./options.js";
import { isValidSubject } from "../subjects/validate.js";
import { parseGoDuration } from "../util/duration.js";

/** nats-server's defaults for `allow_responses: true`. */
export const DEFAULT_RESPONSE_MAX_MSGS = 1;
export const DEFAULT_RESPONSE_EXPIRES_MS = 2 * 60 * 1000;

const PUBLISH = new Set(["publish", "pub", "import"]);
const SUBSCRIBE = new Set(["subscribe", "sub", "export"]);
const RESPONSES = new Set(["allow_responses", "publish_allow_responses"]);

export function readPermissions(e: ConfEntry, r: FieldReader): PermissionsSpec | undefined {
  const map = r.map(e);
  if (!map) return undefined;
  const spec: PermissionsSpec = {};
  for (const f of map.values()) {
    const k = f.key.toLowerCase();
    if (PUBLISH.has(k)) spec.publish = subjectPermission(f, r, false);
    else if (SUBSCRIBE.has(k)) spec.subscribe = subjectPermission(f, r, true);
    else if (RESPONSES.has(k)) spec.responses = responses(f, r);
    else r.error(f.keyPos, `Unknown field "${f.key}" parsing permissions`);
  }
  return spec;
}

function subjectPermission(e: ConfEntry, r: FieldReader, queues: boolean): SubjectPermissionSpec | undefined {
  const v = e.value;
  if (v.kind !== "map") {
    const allow = subjects(v, r, queues);
    return allow === undefined ? undefined : { allow };
  }
  const out: SubjectPermissionSpec = {};
  for (const f of v.value.values()) {
    const k = f.key.toLowerCase();
    if (k !== "allow" && k !== "deny") {
      r.error(f.keyPos, `Unknown field name "${f.key}" parsing subject permissions, only 'allow' or 'deny' are permitted`);
      continue;
    }
    const list = subjects(f.value, r, queues);
    if (list !== undefined) out[k] = list;
  }
  return out;
}

function subjects(v: ConfValue, r: FieldReader, queues: boolean): string[] | undefined {
  const items = v.kind === "array" ? v.value : [v];
  const out: string[] = [];
  for (const item of items) {
    if (item.kind !== "string")
      return r.error(undefined, `Expected subject permissions to be a subject, or array of subjects, got ${goTypeName(item)}`);
    // nats-server names no position for this one.
    if (!validPermissionSubject(item.value, queues)) return r.error(undefined, `subject "${item.value}" is not a valid subject`);
    out.push(item.value);
  }
  return out;
}

/** A subject, or for subscribe permissions "subject queue" (one space, both parts valid). */
export function validPermissionSubject(s: string, queues: boolean): boolean {
  const parts = s.split(" ");
  if (parts.length === 1) return isValidSubject(s);
  return queues && parts.length === 2 && isValidSubject(parts[0]!) && isValidSubject(parts[1]!);
}

function responses(e: ConfEntry, r: FieldReader): PermissionsSpec["responses"] {
  const v = e.value;
  if (v.kind === "bool") return v.value ? { maxMsgs: DEFAULT_RESPONSE_MAX_MSGS, expiresMs: DEFAULT_RESPONSE_EXPIRES_MS } : undefined;
  if (v.kind !== "map") return r.error(e.keyPos, `Expected allow_responses to be a boolean or a map, got ${kindName(v)}`);
  const out = { maxMsgs: DEFAULT_RESPONSE_MAX_MSGS, expiresMs: DEFAULT_RESPONSE_EXPIRES_MS };
  for (const f of v.value.values()) {
    const k = f.key.toLowerCase();
    if (k === "max" || k === "max_msgs" || k === "max_messages" || k === "max_responses") {
      const n = r.int(f);
      if (n !== undefined) out.maxMsgs = n;
    } else if (k === "expires" || k === "expiration" || k === "ttl") {
      const d = f.value;
      if (d.kind === "int") out.expiresMs = d.value * 1000;
      else if (d.kind === "string") {
        try {
          out.expiresMs = parseGoDuration(d.value);
        } catch (err) {
          r.error(f.keyPos, `error parsing ${f.key}: ${(err as Error).message}`);
        }
      } else r.error(f.keyPos, `invalid value for "${f.key}": expected a duration`);
    } else r.error(f.keyPos, `Unknown field "${f.key}" parsing permissions`);
  }
  return out;
}
