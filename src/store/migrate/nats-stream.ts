/**
 * One nats-server stream directory (2.9 layout), read and verified:
 *
 *   meta.inf, meta.sum            config and creation time (meta-file.ts)
 *   msgs/<n>.blk, msgs/<n>.idx    message blocks and their indexes (block-records.ts, block-index.ts)
 *   msgs/<n>.fss                  per-subject summaries: derived data, not read
 *   obs/<consumer>/meta.inf, meta.sum, o.dat   consumers (consumer-state.ts)
 *
 * Refused with a NatsStoreError naming the file: encrypted stores (meta.key), the 2.10+ layout
 * (msgs/index.db, compression), a block index that does not match its block (nats-server did not stop
 * cleanly: a block index is written on stop, and nats-server rebuilds it on start), any damage.
 *
 * Invariants: messages() yields every live message once, in ascending sequence order, each checksum
 * verified, and its count per block equals the block index's; nothing is yielded past a damaged record.
 */
import { NatsStoreError } from "./errors.js";
import type { StoreFiles } from "./files.js";
import { CHECKSUM_SIZE, parseBlockIndex, type BlockIndex } from "./block-index.js";
import { blockRecords, type BlockRecord } from "./block-records.js";
import { parseConsumerState, type NatsConsumerState } from "./consumer-state.js";
import { readMeta } from "./meta-file.js";

export interface NatsConsumer {
  name: string;
  /** Consumer config as nats-server wrote it (API JSON names). */
  config: Record<string, unknown>;
  created: number;
  state: NatsConsumerState;
}

export interface NatsStream {
  name: string;
  /** Stream config as nats-server wrote it (API JSON names). */
  config: Record<string, unknown>;
  created: number;
  /** First live sequence, lastSeq + 1 when there is none. */
  firstSeq: number;
  lastSeq: number;
  msgs: number;
  consumers: NatsConsumer[];
  /** Live messages in sequence order, verified; throws NatsStoreError at the first damage. */
  messages(): AsyncGenerator<BlockRecord>;
}

interface Block {
  index: number;
  blk: string;
  idx: BlockIndex;
}

const BLK = /^(\d+)\.blk$/;

async function mustRead(files: StoreFiles, path: string, why: string): Promise<Buffer> {
  const b = await files.read(path);
  if (b === undefined) throw new NatsStoreError(files.describe(path), undefined, `missing (${why})`);
  return b;
}

async function readBlocks(files: StoreFiles): Promise<Block[]> {
  const names = await files.list("msgs");
  if (names.includes("index.db")) {
    throw new NatsStoreError(files.describe("msgs/index.db"), undefined, "a nats-server 2.10+ store (index.db): only the 2.9 layout can be imported; move the stream with nats stream backup on nats-server 2.9 or a stream restore");
  }
  const blocks: Block[] = [];
  for (const n of names) {
    const m = BLK.exec(n);
    if (!m) continue;
    const index = Number(m[1]);
    const blk = `msgs/${n}`;
    const idxPath = `msgs/${index}.idx`;
    const idx = parseBlockIndex(await mustRead(files, idxPath, "nats-server writes it when it stops: start nats-server on this store and stop it cleanly"), files.describe(idxPath));
    blocks.push({ index, blk, idx });
  }
  return blocks.sort((a, b) => a.index - b.index);
}

async function readConsumers(files: StoreFiles, stream: string): Promise<NatsConsumer[]> {
  const out: NatsConsumer[] = [];
  for (const dirName of (await files.list("obs")).sort()) {
    const dir = `obs/${dirName}`;
    const meta = await readMeta(files, dir, (json) => `${stream}/${typeof json.Name === "string" ? json.Name : dirName}`);
    const name = meta.name ?? dirName;
    const dat = await files.read(`${dir}/o.dat`);
    // A consumer that never delivered may have no state file yet.
    const state = dat === undefined ? { delivered: { consumer: 0, stream: 0 }, ackFloor: { consumer: 0, stream: 0 }, pending: [], redelivered: new Map<number, number>() } : parseConsumerState(dat, files.describe(`${dir}/o.dat`));
    out.push({ name, config: meta.config, created: meta.created, state });
  }
  return out;
}

/** Reads a stream directory's metadata, block indexes and consumers; messages() reads the blocks. */
export async function openNatsStream(files: StoreFiles, expectedName?: string): Promise<NatsStream> {
  const meta = await readMeta(files, "", (json) => (typeof json.name === "string" ? json.name : ""));
  const rawName = meta.config.name;
  if (typeof rawName !== "string" || rawName === "") throw new NatsStoreError(files.describe("meta.inf"), undefined, "no stream name");
  const name = rawName;
  if (expectedName !== undefined && name !== expectedName) throw new NatsStoreError(files.describe("meta.inf"), undefined, `names stream '${name}' but sits in directory '${expectedName}'`);
  const compression = meta.config.compression;
  if (compression !== undefined && compression !== "none" && compression !== "") {
    throw new NatsStoreError(files.describe("meta.inf"), undefined, `compressed stream (${String(compression)}): only uncompressed 2.9-layout stores can be imported`);
  }
  const blocks = await readBlocks(files);
  let lastSeq = 0;
  let msgs = 0;
  let firstSeq = 0;
  for (const b of blocks) {
    lastSeq = Math.max(lastSeq, b.idx.lastSeq);
    msgs += b.idx.msgs;
    if (firstSeq === 0 && b.idx.msgs > 0) firstSeq = b.idx.firstSeq;
  }
  if (firstSeq === 0) firstSeq = lastSeq + 1;
  const consumers = await readConsumers(files, name);

  async function* messages(): AsyncGenerator<BlockRecord> {
    let prev = 0;
    for (const b of blocks) {
      const buf = await mustRead(files, b.blk, "listed a moment ago");
      const file = files.describe(b.blk);
      const { idx } = b;
      const tail = buf.length >= CHECKSUM_SIZE ? buf.subarray(buf.length - CHECKSUM_SIZE) : undefined;
      if (!(buf.length === 0 && idx.msgs === 0) && (tail === undefined || !tail.equals(idx.lastChecksum))) {
        throw new NatsStoreError(files.describe(`msgs/${b.index}.idx`), undefined, `does not match ${b.blk} (nats-server did not stop cleanly, or a file is damaged): start nats-server on this store and stop it cleanly, then retry`);
      }
      const live = (seq: number): boolean => seq >= idx.firstSeq && seq <= idx.lastSeq && !idx.deleted.has(seq);
      let count = 0;
      for (const r of blockRecords(buf, file, name, b.index, live)) {
        if (!r.live) continue;
        if (r.seq <= prev) throw new NatsStoreError(file, r.offset, `sequence ${r.seq} after ${prev}`);
        prev = r.seq;
        count++;
        yield r;
      }
      if (count !== idx.msgs) throw new NatsStoreError(file, undefined, `holds ${count} live messages, its index says ${idx.msgs}`);
    }
  }

  return { name, config: meta.config, created: meta.created, firstSeq, lastSeq, msgs, consumers, messages };
}
