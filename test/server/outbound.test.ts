import { test } from "node:test";
import assert from "node:assert/strict";
import { Outbound, pooledSlabs } from "../../src/server/outbound.js";

const text = (parts: Buffer[]): string => Buffer.concat(parts).toString("latin1");

test("one turn comes out in order: protocol text, copied messages, a large payload by reference", () => {
  const o = new Outbound();
  const big = Buffer.alloc(40 * 1024, 0x61);
  o.str("INFO {}\r\n");
  o.message("MSG ", "a", "1", " 2\r\n", Buffer.from("hi"));
  o.message("MSG ", "b", "22", " r.x 40960\r\n", big);
  o.bytes(Buffer.from("PONG\r\n"));
  const expected = `INFO {}\r\nMSG a 1 2\r\nhi\r\nMSG b 22 r.x 40960\r\n${big.toString("latin1")}\r\nPONG\r\n`;
  assert.equal(o.size, expected.length);
  const parts = o.take();
  assert.equal(text(parts), expected);
  assert.ok(parts.includes(big), "the large payload is handed over as is, not copied");
  assert.equal(o.size, 0);
  assert.deepEqual(o.take(), []);
  o.written(true);
});

test("bytes of a flush not yet written are never overwritten by later turns", () => {
  const o = new Outbound();
  const payload = Buffer.alloc(1000, 0x62);
  const flushes: { parts: Buffer[]; expected: string }[] = [];
  // Well over one slab per turn and many turns in flight: slabs are shared by turns and replaced.
  for (let turn = 0; turn < 40; turn++) {
    let expected = "";
    for (let i = 0; i < 50 + turn * 7; i++) {
      const sid = `${turn}.${i}`;
      o.message("MSG ", "s", sid, " 1000\r\n", payload);
      expected += `MSG s ${sid} 1000\r\n${payload.toString("latin1")}\r\n`;
    }
    flushes.push({ parts: o.take(), expected });
    // Every third turn the socket finishes the oldest flush; its slabs go back to the shared pool.
    if (turn % 3 === 2) {
      const done = flushes.shift()!;
      assert.equal(text(done.parts), done.expected);
      o.written(true);
    }
  }
  for (const f of flushes) {
    assert.equal(text(f.parts), f.expected);
    o.written(true);
  }
});

test("an outbound with nothing in flight holds no slab; a failed write returns nothing to the pool", () => {
  const a = new Outbound();
  a.str("PING\r\n");
  a.take();
  const before = pooledSlabs();
  a.written(true);
  assert.equal(pooledSlabs(), before + 1, "the idle connection gave its slab back");

  const b = new Outbound();
  b.str("PING\r\n");
  b.take();
  const afterTake = pooledSlabs();
  assert.equal(afterTake, before, "the new outbound took the pooled slab");
  b.str("PONG\r\n");
  b.take();
  b.written(true);
  assert.equal(pooledSlabs(), afterTake, "a flush still in flight keeps the slab it shares");
  b.written(true);
  assert.equal(pooledSlabs(), afterTake + 1);

  const c = new Outbound();
  c.str("x".repeat(70 * 1024));
  c.str("y");
  c.take();
  c.written(false);
  assert.equal(pooledSlabs(), afterTake, "nothing comes back from a connection whose write failed");
});
