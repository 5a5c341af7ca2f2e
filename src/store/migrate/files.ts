/**
 * Where a nats-server stream directory is read from: the directory itself (a store being imported in
 * place) or the files of a snapshot archive held in memory (a `nats stream backup` restored through the
 * API). Paths are relative to the stream directory, with `/` separators.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

export interface StoreFiles {
  /** Names of the entries directly inside `dir` ("" for the stream directory); [] when it is missing. */
  list(dir: string): Promise<string[]>;
  /** A file's contents; undefined when it does not exist. */
  read(path: string): Promise<Buffer | undefined>;
  /** How errors name `path`. */
  describe(path: string): string;
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

/** The files of a stream directory on disk. */
export function dirFiles(root: string): StoreFiles {
  return {
    async list(dir) {
      try {
        return await readdir(join(root, dir));
      } catch (e) {
        if (isMissing(e)) return [];
        throw e;
      }
    },
    async read(path) {
      try {
        return await readFile(join(root, path));
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
    },
    describe: (path) => join(root, path),
  };
}

/** Files held in memory, keyed by relative path (an unpacked snapshot); `label` prefixes their names. */
export function memoryFiles(files: ReadonlyMap<string, Buffer>, label: string): StoreFiles {
  return {
    async list(dir) {
      const prefix = dir === "" ? "" : `${dir}/`;
      const names = new Set<string>();
      for (const p of files.keys()) {
        if (!p.startsWith(prefix)) continue;
        const rest = p.slice(prefix.length);
        if (rest !== "") names.add(rest.split("/")[0]!);
      }
      return [...names];
    },
    async read(path) {
      return files.get(path);
    },
    describe: (path) => `${label}:${path}`,
  };
}
