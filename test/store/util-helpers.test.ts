/** The generic helpers the store added to util/: ns timestamps and atomic file replacement. */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "../../src/util/atomic-file.js";
import { nanosToRfc3339, nowNanos, rfc3339ToNanos, NO_TIME } from "../../src/util/nanos.js";
import { tempDir } from "./helpers.js";

describe("nanos", () => {
  it("reads the clock in ns, close to Date.now()", () => {
    const ns = nowNanos();
    assert.ok(Number.isInteger(ns));
    assert.ok(Math.abs(ns / 1e6 - Date.now()) < 50);
  });

  it("formats like Go's RFC3339Nano and parses back", () => {
    assert.equal(nanosToRfc3339(NO_TIME), "0001-01-01T00:00:00Z");
    assert.equal(nanosToRfc3339(1_700_000_000_000_000_000), "2023-11-14T22:13:20Z");
    assert.equal(nanosToRfc3339(1_700_000_000_120_000_000), "2023-11-14T22:13:20.12Z");
    const ns = 1_795_243_983_231_817_216; // a float64-exact value
    assert.equal(nanosToRfc3339(ns), "2026-11-21T06:53:03.231817216Z");
    assert.equal(rfc3339ToNanos(nanosToRfc3339(ns)), ns);
    assert.equal(rfc3339ToNanos("2023-11-14T23:13:20.5+01:00"), 1_700_000_000_500_000_000);
    assert.throws(() => rfc3339ToNanos("yesterday"));
  });
});

describe("writeFileAtomic", () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("replaces a file's content and leaves no temp file behind", async () => {
    const path = join(dir, "meta.json");
    writeFileSync(path, "old");
    await writeFileAtomic(path, JSON.stringify({ v: 2 }));
    assert.equal(readFileSync(path, "utf8"), '{"v":2}');
    await writeFileAtomic(join(dir, "new.bin"), Buffer.from([1, 2, 3]));
    assert.deepEqual(readdirSync(dir).sort(), ["meta.json", "new.bin"]);
  });

  it("fails without touching the target when the directory is missing", async () => {
    await assert.rejects(writeFileAtomic(join(dir, "no", "such.json"), "x"));
  });
});
