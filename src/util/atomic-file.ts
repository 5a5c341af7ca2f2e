/**
 * Durable file replacement: a reader sees either the old content or the new one, never a mix, also
 * after a crash or power loss. Steps: write a temp file next to the target, fsync it, rename it over
 * the target, fsync the directory (so that the rename itself is on disk).
 */
import { closeSync, fsyncSync, openSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { dirname, join, basename } from "node:path";

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await open(tmp, "w");
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fsyncDir(dirname(path));
}

/** Makes entries created, renamed or removed in `dir` durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncDir, synchronously (where a group opens its files at start). */
export function fsyncDirSync(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
