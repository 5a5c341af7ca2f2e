/**
 * Loads a CommonJS package or a Node built-in on first use instead of at start. For what only some
 * configurations need (nkeys, JWTs, node:tls): a server that never uses one does not pay the memory of
 * loading it, and the callers stay synchronous (a dynamic import() would make every signature check, and
 * the server's constructor, a promise).
 */
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

export function lazyRequire<T>(specifier: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= load(specifier) as T);
}
