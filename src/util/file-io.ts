/** File writes and syncs shared by the message store and the consumer state store. */
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

