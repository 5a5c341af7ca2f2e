/**
 * Promise wrappers over node:fs callbacks for the file store's hot path (write, fdatasync): they run in
 * libuv's thread pool, so the event loop keeps going while the disk works, and they avoid FileHandle's
 * per-call overhead.
 */
import fs from "node:fs";

/**
 * Writes buf[off, off+len) at file position pos into the page cache, synchronously. A batch is a few
 * KB to a few hundred KB: copying it into the page cache takes microseconds, far less than the thread
 * pool round trip an asynchronous write costs; only the fdatasync, which waits for the device, runs
 * off the event loop.
 */
export function pwriteAllSync(fd: number, buf: Buffer, off: number, len: number, pos: number): void {
  while (len > 0) {
    const n = fs.writeSync(fd, buf, off, len, pos);
    off += n;
    len -= n;
    pos += n;
  }
}

export function fdatasync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
}

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
