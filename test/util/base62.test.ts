import { test } from "node:test";
import assert from "node:assert/strict";
import { nuid, randomBase62 } from "../../src/util/base62.js";

test("randomBase62 gives the asked length in base-62 digits only", () => {
  for (const n of [0, 1, 4, 8, 64]) assert.match(randomBase62(n), new RegExp(`^[0-9A-Za-z]{${n}}$`));
});

test("nuid gives 22 base-62 digits, different each time", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 1000; i++) {
    const id = nuid();
    assert.match(id, /^[0-9A-Za-z]{22}$/);
    seen.add(id);
  }
  assert.equal(seen.size, 1000);
});

test("every base-62 digit turns up", () => {
  const chars = new Set(randomBase62(20000));
  assert.equal(chars.size, 62);
});
