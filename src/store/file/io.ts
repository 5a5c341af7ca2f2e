/**
 * Promise wrappers over node:fs callbacks for the file store's hot path (write, fdatasync): they run in
 * libuv's thread pool, so the event loop keeps going while the disk works, and they avoid FileHandle's
 * per-call overhead.
 */
import fs from "node:fs";

export { fdatasync, pwriteAllSync } from "../../util/file-io.js";

export function fsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
}

export function ftruncate(fd: number, len: number): Promise<void> {
  return new Promise((resolve, reject) => fs.ftruncate(fd, len, (err) => (err ? reject(err) : resolve())));
}

export function close(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.close(fd, (err) => (err ? reject(err) : resolve())));
}

/** Synchronous positional read of exactly len bytes (fewer only at end of file). */
export function preadSync(fd: number, len: number, pos: number): Buffer {
  const buf = Buffer.allocUnsafe(len);
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, buf, got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got === len ? buf : buf.subarray(0, got);
}
