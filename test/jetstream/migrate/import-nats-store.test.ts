/**
 * Switching binaries on the same data: a store written by nats-server 2.9.10 (streams with many
 * subjects, interior deletes, purges, several blocks, a KV bucket, consumers with acked, pending and
 * redelivered messages), then tsnats started on the same directory. Every message, header, sequence
 * and time, every stream state, every consumer's delivered/ack floor/pending and the KV values must be
 * what nats-server reported; nats-server's files must be kept untouched; damaged or unsupported
 * files must be reported with their name (and offset) and leave the stream alone.
 */
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { natsServerAvailable, startServerProcess, type ServerProcess } from "../../helpers/server-process.js";
import { writeNatsServerStore, type RecordedStore } from "../../store/migrate/nats-server-store.js";
import { checkAll, checkStream } from "./compare.js";
import { stream210Files } from "../../store/migrate/fixtures.js";

const SKIP = natsServerAvailable() ? false : "nats-server is not installed";
const ACC = "$G";

/** Hash of every file under `dir`, by relative path. */
function treeHash(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of readdirSync(dir, { recursive: true }).map(String).sort()) {
    const p = join(dir, rel);
    if (statSync(p).isFile()) out.set(rel, createHash("sha256").update(readFileSync(p)).digest("hex"));
  }
  return out;
}

function copyStore(src: string): string {
  const dst = mkdtempSync(join(tmpdir(), "tsnats-import-"));
  cpSync(src, dst, { recursive: true });
  return dst;
}

const streamsDir = (sd: string): string => join(sd, "jetstream", ACC, "streams");
const backupDir = (sd: string): string => join(sd, "jetstream", ACC, "nats-server-store", "streams");

async function startTsnats(sd: string): Promise<{ srv: ServerProcess; nc: NatsConnection; jsm: JetStreamManager }> {
  const srv = await startServerProcess({ args: ["-js", "-sd", sd] });
  const nc = await connect({ servers: srv.url });
  return { srv, nc, jsm: await jetstreamManager(nc) };
}

describe("importing a nats-server 2.9 store", { skip: SKIP }, () => {
  let rec: RecordedStore;
  const dirs: string[] = [];
  const servers: ServerProcess[] = [];
  const keep = (d: string): string => (dirs.push(d), d);
  before(async () => {
    rec = await writeNatsServerStore();
    dirs.push(rec.dir);
  });
  after(async () => {
    for (const s of servers) await s.stop("SIGKILL");
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test("tsnats started on the directory serves every message, consumer and KV value nats-server had", async () => {
    const sd = keep(copyStore(rec.dir));
    const original = treeHash(streamsDir(rec.dir));
    const { srv, nc, jsm } = await startTsnats(sd);
    servers.push(srv);
    try {
      await checkAll(jsm, nc, rec);
      assert.match(srv.output(), /imported nats-server stream '\$G > ORDERS' \(383 messages, sequences 3\.\.400, 3 consumers\)/);
      // The backup holds nats-server's files exactly as they were.
      assert.deepEqual(treeHash(backupDir(sd)), original);
      assert.deepEqual(readdirSync(streamsDir(sd)).sort(), ["EMPTY", "KV_cfg", "ORDERS", "SMALL"]);

      // The imported consumer carries on: the next message after its last delivery, acks move the floor.
      const js = jetstream(nc);
      const worker = await js.consumers.get("ORDERS", "worker");
      const w = rec.consumers.find((c) => c.name === "worker")!;
      const orders = rec.streams.find((s) => s.name === "ORDERS")!;
      const expected = orders.msgs.find((m) => m.seq > w.delivered.stream_seq)!.seq;
      const next = await worker.next({ expires: 2000 });
      assert.ok(next !== null);
      assert.equal(next.seq, expected);
      await next.ackAck();
      const ci = await jsm.consumers.info("ORDERS", "worker");
      assert.equal(ci.delivered.stream_seq, expected);
      assert.equal(ci.delivered.consumer_seq, w.delivered.consumer_seq + 1);
      assert.equal(ci.num_ack_pending, w.numAckPending);
      // A new publish continues the sequence.
      const ack = await js.publish("orders.1.new", "after the switch");
      assert.equal(ack.seq, 401);
      await nc.close();
    } finally {
      await srv.stop();
    }

    // A second start reads tsnats's own store: nothing is imported again, the state is the same.
    const again = await startTsnats(sd);
    servers.push(again.srv);
    try {
      assert.doesNotMatch(again.srv.output(), /imported nats-server stream/);
      const si = await again.jsm.streams.info("ORDERS");
      assert.equal(si.state.last_seq, 401);
      assert.equal(si.state.messages, 384);
      await checkStream(again.jsm, rec.streams.find((s) => s.name === "SMALL")!);
      await again.nc.close();
    } finally {
      await again.srv.stop();
    }
  });

  test("an import interrupted after its copy was complete is finished; an incomplete one is redone", async () => {
    // Build a complete tsnats copy once, then recreate the states a crash leaves.
    const done = keep(copyStore(rec.dir));
    const first = await startTsnats(done);
    await first.nc.close();
    await first.srv.stop();

    // Crash after step 2 (nats-server's directory moved away, the staging directory not yet renamed).
    const finished = keep(copyStore(done));
    renameSync(join(streamsDir(finished), "ORDERS"), join(streamsDir(finished), ".nats-import-ORDERS"));
    const a = await startTsnats(finished);
    servers.push(a.srv);
    try {
      assert.match(a.srv.output(), /finished the interrupted import of nats-server stream '\$G > ORDERS'/);
      await checkStream(a.jsm, rec.streams.find((s) => s.name === "ORDERS")!);
      await a.nc.close();
    } finally {
      await a.srv.stop();
    }

    // Crash during step 1: a staging directory without meta.json next to nats-server's directory.
    const redo = keep(copyStore(rec.dir));
    cpSync(join(streamsDir(done), "SMALL", "msgs"), join(streamsDir(redo), ".nats-import-SMALL", "msgs"), { recursive: true });
    const b = await startTsnats(redo);
    servers.push(b.srv);
    try {
      assert.match(b.srv.output(), /imported nats-server stream '\$G > SMALL'/);
      assert.ok(!existsSync(join(streamsDir(redo), ".nats-import-SMALL")));
      await checkStream(b.jsm, rec.streams.find((s) => s.name === "SMALL")!);
      await b.nc.close();
    } finally {
      await b.srv.stop();
    }
  });

  /** Damages a copy of the store, starts tsnats, checks the report and that the stream's files stay. */
  async function refused(damage: (streams: string) => void, stream: string, report: RegExp): Promise<void> {
    const sd = keep(copyStore(rec.dir));
    damage(streamsDir(sd));
    const before = treeHash(join(streamsDir(sd), stream));
    const { srv, nc, jsm } = await startTsnats(sd);
    servers.push(srv);
    try {
      assert.match(srv.output(), report);
      await assert.rejects(jsm.streams.info(stream), /stream not found/);
      // The other streams moved over; this one's files are exactly as they were, nothing staged.
      assert.deepEqual(treeHash(join(streamsDir(sd), stream)), before);
      assert.ok(!existsSync(join(streamsDir(sd), `.nats-import-${stream}`)));
      assert.ok(!existsSync(join(backupDir(sd), stream)));
      for (const s of rec.streams) if (s.name !== stream) assert.equal((await jsm.streams.info(s.name)).state.messages, s.messages);
      await nc.close();
    } finally {
      await srv.stop();
    }
  }

  test("a damaged message record is reported with its file and offset", async () => {
    let offset = 0;
    await refused(
      (streams) => {
        const blk = join(streams, "SMALL", "msgs", "2.blk");
        const buf = readFileSync(blk);
        // The tenth record of block 2: all records of SMALL are the same size.
        const rl = buf.readUInt32LE(0) & 0x7fffffff;
        offset = 9 * rl;
        buf[offset + 40] ^= 0x20;
        writeFileSync(blk, buf);
      },
      "SMALL",
      new RegExp(`cannot import nats-server stream '\\$G > SMALL': .*SMALL/msgs/2\\.blk:(\\d+): checksum mismatch in the record of sequence \\d+`),
    );
    assert.ok(offset > 0);
  });

  test("a truncated block, a bad meta.sum, a damaged consumer state, an encrypted store, a damaged index.db are refused by name", async () => {
    await refused(
      (streams) => {
        const blk = join(streams, "KV_cfg", "msgs", "1.blk");
        const buf = readFileSync(blk);
        writeFileSync(blk, buf.subarray(0, buf.length - 5));
      },
      "KV_cfg",
      /KV_cfg\/msgs\/1\.idx: does not match msgs\/1\.blk/,
    );
    await refused((streams) => writeFileSync(join(streams, "EMPTY", "meta.sum"), "0000000000000000"), "EMPTY", /EMPTY\/meta\.inf: checksum [0-9a-f]{16} does not match meta\.sum/);
    await refused(
      (streams) => {
        const dat = join(streams, "ORDERS", "obs", "worker", "o.dat");
        writeFileSync(dat, readFileSync(dat).subarray(0, 20));
      },
      "ORDERS",
      /ORDERS\/obs\/worker\/o\.dat:\d+: truncated/,
    );
    await refused((streams) => writeFileSync(join(streams, "SMALL", "meta.key"), "key"), "SMALL", /SMALL\/meta\.key: the store is encrypted/);
    // A 2.10+ state file beside 2.9's files is read as the 2.10+ layout, and this one is damaged.
    await refused((streams) => writeFileSync(join(streams, "SMALL", "msgs", "index.db"), "x"), "SMALL", /SMALL\/msgs\/index\.db:0: too short \(1 bytes\)/);
  });
});

describe("importing a nats-server 2.10+ stream (files written by the test from the format)", () => {
  test("index.db, a compressed block, deletes, erased records and tombstones move over", async () => {
    const sd = mkdtempSync(join(tmpdir(), "tsnats-import-210-"));
    try {
      for (const [rel, buf] of stream210Files("S210")) {
        const p = join(streamsDir(sd), "S210", rel);
        mkdirSync(join(p, ".."), { recursive: true });
        writeFileSync(p, buf);
      }
      const { srv, nc, jsm } = await startTsnats(sd);
      try {
        assert.match(srv.output(), /imported nats-server stream '\$G > S210' \(3 messages, sequences 1\.\.6, 0 consumers\)/);
        const si = await jsm.streams.info("S210");
        assert.deepEqual([si.state.messages, si.state.first_seq, si.state.last_seq, si.state.num_deleted, si.config.compression], [3, 1, 6, 3, "s2"]);
        const five = await jsm.streams.getMessage("S210", { seq: 5 });
        assert.deepEqual([five!.subject, five!.string(), five!.header?.get("X")], ["s.d", "five", "y"]);
        assert.equal(await jsm.streams.getMessage("S210", { seq: 2 }), null);
        await nc.close();
      } finally {
        await srv.stop();
      }
    } finally {
      rmSync(sd, { recursive: true, force: true });
    }
  });
});
