/**
 * Loads a CommonJS package on first use instead of at start. For the packages only some configurations
 * need (nkeys, JWTs, bcrypt): a server that never sees one does not pay the memory of loading it, and the
 * callers stay synchronous (a dynamic import() would make every signature check a promise).
 */
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

export function lazyRequire<T>(specifier: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= load(specifier) as T);
}
