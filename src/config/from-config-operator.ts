/**
 * Operator (decentralised JWT) mode: `operator` (JWT files or inline JWTs), `trusted_keys`, `resolver`
 * (`MEMORY` or `MEM`, `URL(...)` or a `{type: full|cache, dir, ...}` block) and `resolver_preload`.
 * The JWTs are only read here; the auth layer verifies them.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import type { ConfEntry } from "./conf-tree.js";
import { kindName, type FieldReader } from "./field-reader.js";
import { isValidPublicOperatorKey } from "./nkey-check.js";
import type { OptionsPatch, ResolverOptions } from "./options.js";

/** The first JWT in a text (a bare token, or nsc's armoured `-----BEGIN NATS ... JWT-----` block). */
export function extractJwt(text: string): string | undefined {
  const m = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(text);
  return m?.[0];
}

function readJwtSource(e: ConfEntry, source: string, r: FieldReader): string | undefined {
  if (source.startsWith("eyJ")) return extractJwt(source) ?? r.error(e.keyPos, `error parsing operator JWT: invalid JWT`);
  let path = source;
  if (!existsSync(path) && !isAbsolute(path)) {
    const near = join(dirname(e.keyPos.file), path);
    if (existsSync(near)) path = near;
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : (err as Error).message;
    return r.error(e.keyPos, `error parsing operator JWT: open ${source}: ${why}`);
  }
  return extractJwt(text) ?? r.error(e.keyPos, `error parsing operator JWT: no JWT found in ${source}`);
}

export function readOperator(e: ConfEntry, r: FieldReader, patch: OptionsPatch): void {
  const sources = r.stringList(e);
  if (!sources) return;
  const jwts: string[] = [];
  for (const s of sources) {
    const jwt = readJwtSource(e, s, r);
    if (jwt !== undefined) jwts.push(jwt);
  }
  patch.operatorJwts = jwts;
}

export function readTrustedKeys(e: ConfEntry, r: FieldReader, patch: OptionsPatch): void {
  const keys = r.stringList(e);
  if (!keys) return;
  for (const k of keys) if (!isValidPublicOperatorKey(k)) r.error(e.keyPos, `trust key "${k}" required to be a valid public operator nkey`);
  patch.trustedKeys = keys;
}

const DEFAULT_DIR_LIMIT = 1000;

function resolverDefaults(type: ResolverOptions["type"]): ResolverOptions {
  return { type, allowDelete: false, hardDelete: false, limit: DEFAULT_DIR_LIMIT };
}

export function readResolver(e: ConfEntry, r: FieldReader, patch: OptionsPatch): void {
  const v = e.value;
  if (v.kind === "string") {
    const text = v.value.trim();
    // nats-server takes both spellings (its pattern is unanchored, so it even takes any text containing
    // "mem"; tsnats takes the two words only, so that a typo is not silently a memory resolver).
    if (/^(MEM|MEMORY)$/i.test(text)) patch.resolver = resolverDefaults("memory");
    else {
      const m = /^URL\((.*)\)$/i.exec(text);
      if (!m) return void r.error(e.keyPos, `error parsing resolver: unsupported value ${JSON.stringify(text)}`);
      patch.resolver = { ...resolverDefaults("url"), url: m[1]!.trim() };
    }
    return;
  }
  if (v.kind !== "map") return void r.error(e.keyPos, `error parsing resolver: expected a string or a map, got ${kindName(v)}`);
  const out = resolverDefaults("full");
  let typeSeen = false;
  for (const f of v.value.values()) {
    switch (f.key.toLowerCase()) {
      case "type": {
        const t = r.string(f)?.toLowerCase();
        if (t === "full" || t === "cache") out.type = t;
        else if (t !== undefined) r.error(f.keyPos, `error parsing resolver: type ${JSON.stringify(t)} must be full or cache`);
        typeSeen = true;
        break;
      }
      case "dir":
        out.dir = r.string(f);
        break;
      case "allow_delete":
        out.allowDelete = r.bool(f) ?? false;
        break;
      case "hard_delete":
        out.hardDelete = r.bool(f) ?? false;
        break;
      case "limit":
        out.limit = r.int(f) ?? DEFAULT_DIR_LIMIT;
        break;
      case "ttl":
        out.ttlMs = r.duration(f, false);
        break;
      case "interval":
        out.intervalMs = r.duration(f, false);
        break;
      case "timeout":
        out.timeoutMs = r.duration(f, false);
        break;
      default:
        r.unknown(f);
    }
  }
  if (!typeSeen) r.error(e.keyPos, "error parsing resolver: type is required");
  if (out.dir === undefined) out.dir = ".";
  patch.resolver = out;
}

export function readResolverPreload(e: ConfEntry, r: FieldReader, patch: OptionsPatch): void {
  const m = r.map(e);
  if (!m) return;
  const out: Record<string, string> = {};
  for (const f of m.values()) {
    const s = r.string(f);
    if (s !== undefined) out[f.key] = s.trim();
  }
  patch.resolverPreload = out;
}
