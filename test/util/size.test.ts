import { test } from "node:test";
import assert from "node:assert/strict";
import { parseStorageSize, sizeSuffixMultiplier } from "../../src/util/size.js";

test("conf size suffixes: single letter decimal, b/i/ib binary, any case", () => {
  assert.equal(sizeSuffixMultiplier("k"), 1000);
  assert.equal(sizeSuffixMultiplier("K"), 1000);
  assert.equal(sizeSuffixMultiplier("kb"), 1024);
  assert.equal(sizeSuffixMultiplier("KI"), 1024);
  assert.equal(sizeSuffixMultiplier("KiB"), 1024);
  assert.equal(sizeSuffixMultiplier("m"), 1e6);
  assert.equal(sizeSuffixMultiplier("MB"), 1024 ** 2);
  assert.equal(sizeSuffixMultiplier("g"), 1e9);
  assert.equal(sizeSuffixMultiplier("gib"), 1024 ** 3);
  assert.equal(sizeSuffixMultiplier("t"), 1e12);
  assert.equal(sizeSuffixMultiplier("tb"), 1024 ** 4);
  assert.equal(sizeSuffixMultiplier("p"), 1e15);
  assert.equal(sizeSuffixMultiplier("e"), 1e18);
  assert.equal(sizeSuffixMultiplier("eib"), 2 ** 60);
  for (const bad of ["", "x", "kx", "kbb", "b", "ib", "bk"]) assert.equal(sizeSuffixMultiplier(bad), undefined, bad);
});

test("JetStream size strings take a binary K/M/G/T suffix", () => {
  assert.equal(parseStorageSize("1K"), 1024);
  assert.equal(parseStorageSize("512M"), 512 * 1024 ** 2);
  assert.equal(parseStorageSize("1G"), 1024 ** 3);
  assert.equal(parseStorageSize("2t"), 2 * 1024 ** 4);
  for (const bad of ["1024", "1GB", "1Gi", "1Z", "G", "-1G", "1.5G"]) assert.equal(parseStorageSize(bad), undefined, bad);
});
