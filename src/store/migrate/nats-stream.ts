/**
 * One nats-server stream directory, read and verified:
 *
 *   meta.inf, meta.sum            config and creation time (meta-file.ts)
 *   msgs/<n>.blk                  message blocks (block-records.ts; 2.10+ may compress them, block-compression.ts)
 *   msgs/<n>.idx                  2.9: each block's index (block-index.ts)
 *   msgs/index.db                 2.10+: the whole stream's state in place of the .idx files (stream-state.ts)
 *   msgs/<n>.fss, thw.db, ...     per-subject summaries, TTL and schedule state: derived data, not read
 *   obs/<consumer>/meta.inf, meta.sum, o.dat   consumers (consumer-state.ts)
 *
 * Refused with a NatsStoreError naming the file: encrypted stores (meta.key, msgs/<n>.key), indexes that
 * do not match the blocks (nats-server did not stop cleanly: it writes them when it stops, and rebuilds
 * them on start), any damage.
 *
 * Invariants: messages() yields every live message once, in ascending sequence order, each checksum
 * verified, and its count per block equals the index's; nothing is yielded past a damaged record.
 */
import { ENCRYPTED_STORE, NatsStoreError } from "./errors.js";
import type { StoreFiles } from "./files.js";
import { CHECKSUM_SIZE, parseBlockIndex } from "./block-index.js";
import { blockRecords, type BlockRecord } from "./block-records.js";
import { uncompressedBlock } from "./block-compression.js";
import { parseStreamState, STREAM_STATE_FILE, type NatsStreamState } from "./stream-state.js";
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

/** A block file and what the stream's index says about it. */
interface Block {
  index: number;
  blk: string;
  msgs: number;
  firstSeq: number;
  lastSeq: number;
  deleted: ReadonlySet<number>;
  /** The checksum its last record must have, and the index that says so (2.10+ keeps it for the last block only). */
  tail: { checksum: Buffer; from: string } | undefined;
}

const BLK = /^(\d+)\.blk$/;
const BLOCK_KEY = /^\d+\.key$/;
const STOP_CLEANLY = "start nats-server on this store and stop it cleanly, then retry";

async function mustRead(files: StoreFiles, path: string, why: string): Promise<Buffer> {
  const b = await files.read(path);
  if (b === undefined) throw new NatsStoreError(files.describe(path), undefined, `missing (${why})`);
  return b;
}

/** 2.9: one `.idx` per block. */
async function blocksFromIndexFiles(files: StoreFiles, onDisk: number[]): Promise<Block[]> {
  const blocks: Block[] = [];
  for (const index of onDisk) {
    const idxPath = `msgs/${index}.idx`;
    const idx = parseBlockIndex(await mustRead(files, idxPath, "nats-server writes it when it stops: start nats-server on this store and stop it cleanly"), files.describe(idxPath));
    blocks.push({ index, blk: `msgs/${index}.blk`, msgs: idx.msgs, firstSeq: idx.firstSeq, lastSeq: idx.lastSeq, deleted: idx.deleted, tail: { checksum: idx.lastChecksum, from: idxPath } });
  }
  return blocks;
}

/** 2.10+: index.db, trusted as nats-server trusts it: only when no block was written after it. */
async function blocksFromStreamState(files: StoreFiles, onDisk: number[], stream: string): Promise<{ blocks: Block[]; state: NatsStreamState }> {
  const path = `msgs/${STREAM_STATE_FILE}`;
  const state = parseStreamState(await mustRead(files, path, "listed a moment ago"), files.describe(path), stream);
  const newest = onDisk.at(-1);
  if (newest !== undefined && newest > state.lastBlock) {
    throw new NatsStoreError(files.describe(path), undefined, `is older than msgs/${newest}.blk (nats-server did not stop cleanly): ${STOP_CLEANLY}`);
  }
  const present = new Set(onDisk);
  const blocks: Block[] = [];
  for (const b of state.blocks) {
    const last = b.index === state.lastBlock;
    // nats-server drops an emptied block from the state it loads, unless it is the last one.
    if (b.msgs === 0 && !last) continue;
    if (!present.has(b.index)) throw new NatsStoreError(files.describe(`msgs/${b.index}.blk`), undefined, `missing (${STREAM_STATE_FILE} lists it)`);
    blocks.push({ ...b, blk: `msgs/${b.index}.blk`, tail: last ? { checksum: state.lastChecksum, from: path } : undefined });
  }
  if (blocks.at(-1)?.index !== state.lastBlock) throw new NatsStoreError(files.describe(path), undefined, `names block ${state.lastBlock} as the last, which it does not list`);
  return { blocks, state };
}

async function readBlocks(files: StoreFiles, stream: string): Promise<{ blocks: Block[]; state: NatsStreamState | undefined }> {
  const names = await files.list("msgs");
  const key = names.find((n) => BLOCK_KEY.test(n));
  if (key !== undefined) {
    throw new NatsStoreError(files.describe(`msgs/${key}`), undefined, ENCRYPTED_STORE);
  }
  const onDisk = names.flatMap((n) => {
    const m = BLK.exec(n);
    return m ? [Number(m[1])] : [];
  }).sort((a, b) => a - b);
  if (names.includes(STREAM_STATE_FILE)) return blocksFromStreamState(files, onDisk, stream);
  return { blocks: await blocksFromIndexFiles(files, onDisk), state: undefined };
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
  const { blocks, state } = await readBlocks(files, name);
  let lastSeq = 0;
  let msgs = 0;
  let firstSeq = 0;
  for (const b of blocks) {
    lastSeq = Math.max(lastSeq, b.lastSeq);
    msgs += b.msgs;
    if (firstSeq === 0 && b.msgs > 0) firstSeq = b.firstSeq;
  }
  if (firstSeq === 0) firstSeq = lastSeq + 1;
  if (state !== undefined && (state.msgs !== msgs || state.lastSeq !== lastSeq || (msgs > 0 && state.firstSeq !== firstSeq))) {
    throw new NatsStoreError(files.describe(`msgs/${STREAM_STATE_FILE}`), undefined, `inconsistent: the stream holds ${state.msgs} messages in ${state.firstSeq}..${state.lastSeq}, its blocks ${msgs} in ${firstSeq}..${lastSeq}`);
  }
  const consumers = await readConsumers(files, name);

  async function* messages(): AsyncGenerator<BlockRecord> {
    let prev = 0;
    for (const b of blocks) {
      const file = files.describe(b.blk);
      const buf = await uncompressedBlock(await mustRead(files, b.blk, "listed a moment ago"), file);
      const tail = buf.length >= CHECKSUM_SIZE ? buf.subarray(buf.length - CHECKSUM_SIZE) : undefined;
      if (b.tail && !(buf.length === 0 && b.msgs === 0) && (tail === undefined || !tail.equals(b.tail.checksum))) {
        throw new NatsStoreError(files.describe(b.tail.from), undefined, `does not match ${b.blk} (nats-server did not stop cleanly, or a file is damaged): ${STOP_CLEANLY}`);
      }
      const live = (seq: number): boolean => seq >= b.firstSeq && seq <= b.lastSeq && !b.deleted.has(seq);
      let count = 0;
      for (const r of blockRecords(buf, file, name, b.index, live)) {
        if (!r.live) continue;
        if (r.seq <= prev) throw new NatsStoreError(file, r.offset, `sequence ${r.seq} after ${prev}`);
        prev = r.seq;
        count++;
        yield r;
      }
      if (count !== b.msgs) throw new NatsStoreError(file, undefined, `holds ${count} live messages, its index says ${b.msgs}`);
    }
  }

  return { name, config: meta.config, created: meta.created, firstSeq, lastSeq, msgs, consumers, messages };
}
