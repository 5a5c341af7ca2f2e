import { test } from "node:test";
import assert from "node:assert/strict";
import { digitCount, MAX_DIGITS_VALUE, putDigits } from "../../src/util/decimal.js";

test("putDigits writes String(v) for values up to 2^31 - 1, and pads to the length asked", () => {
  const values = [0, 1, 9, 10, 99, 100, 101, 999, 1000, 65535, 99999, 100000, 123456789, 999999999, 1e9, MAX_DIGITS_VALUE];
  for (let i = 0; i < 2000; i++) values.push(Math.floor(Math.random() * MAX_DIGITS_VALUE));
  const b = Buffer.alloc(32, 0x2e);
  for (const v of values) {
    const n = digitCount(v);
    assert.equal(n, String(v).length, `digitCount(${v})`);
    assert.equal(putDigits(b, 3, v, n), 3 + n);
    assert.equal(b.toString("latin1", 3, 3 + n), String(v));
    assert.equal(b[2], 0x2e, "nothing written before pos");
  }
  assert.equal(putDigits(b, 0, 42, 9), 9);
  assert.equal(b.toString("latin1", 0, 9), "000000042");
});
