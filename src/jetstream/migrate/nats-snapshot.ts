/**
 * Snapshots that nats-server makes (`nats stream backup`: STREAM.SNAPSHOT chunks, saved as
 * stream.tar.s2) restored through tsnats's STREAM.RESTORE: an S2-compressed tar of the stream's
 * directory (meta.inf and meta.sum, msgs/<n>.blk with 2.9's msgs/<n>.idx or 2.10+'s msgs/index.db,
 * obs/<consumer>/...), read by the same readers as a store imported in place.
 *
 * The archive is held in memory while it is read (its blocks must be matched with their indexes, which
 * the tar holds in no guaranteed order): a restore needs about twice the stream's size in memory.
 */
import { s2Decompress } from "../../store/migrate/s2-stream.js";
import { readTar } from "../../store/migrate/tar-reader.js";
import { memoryFiles } from "../../store/migrate/files.js";
import { openNatsStream, type NatsStream } from "../../store/migrate/nats-stream.js";


/** Decompresses and unpacks the uploaded snapshot and opens it as a stream named `name`. */
export async function openNatsSnapshot(chunks: AsyncIterable<Buffer>, name: string): Promise<NatsStream> {
  const parts: Buffer[] = [];
  for await (const b of s2Decompress(chunks)) parts.push(b);
  const files = readTar(Buffer.concat(parts));
  return openNatsStream(memoryFiles(files, `snapshot of ${name}`), name);
}
