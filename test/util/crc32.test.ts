import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { crc32 as zlibCrc32 } from "node:zlib";
import { crc32 } from "../../src/util/crc32.js";

test("crc32 equals zlib's for every length around the table step and the native cut-over, at any offset and seed", () => {
  const buf = randomBytes(4096);
  for (let len = 0; len <= 1100; len++) {
    const start = (len * 37) % 1000;
    const seed = len % 3 === 0 ? 0 : (len * 2654435761) >>> 0;
    assert.equal(crc32(buf, start, start + len, seed), zlibCrc32(buf.subarray(start, start + len), seed), `length ${len}`);
  }
});

test("crc32 chains like zlib: the crc of a then b is crc32(b) seeded with crc32(a)", () => {
  const buf = randomBytes(3000);
  for (const cut of [0, 1, 7, 8, 9, 200, 511, 512, 2999, 3000]) {
    assert.equal(crc32(buf, cut, buf.length, crc32(buf, 0, cut)), zlibCrc32(buf), `cut at ${cut}`);
  }
  assert.equal(crc32(Buffer.from("123456789"), 0, 9), 0xcbf43926, "the standard check value");
});
