import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, jsServer, runCli, startCli, suiteCleanup, waitUntil, type CliResult } from "../support.js";

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

function fails(r: CliResult, stderr: RegExp): void {
  assert.equal(r.code, 1, `expected failure, got exit ${r.code}: ${r.stdout}`);
  assert.match(r.stderr, stderr);
}

function row(label: string, value: string): RegExp {
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`\\n +${esc(label)}: ${esc(value)}\\n`);
}

for (const impl of IMPLS) {
  describe(`object verbs against ${impl}`, () => {
    let srv: ServerProcess;
    const cleanup = suiteCleanup();
    const dir = mkdtempSync(join(tmpdir(), "tsnats-cli-obj-"));
    const cli = (args: string[], input?: string) => runCli(["-s", srv.url, ...args], input === undefined ? {} : { input });
    before(async () => {
      srv = await jsServer(cleanup, impl);
    });
    after(() => cleanup.run());

    test("add, put (file and stdin), ls, info, get, rm and the refusals without --force", async () => {
      const add = ok(await cli(["object", "add", "FILES", "--description", "docs", "--ttl", "2h", "--max-bucket-size", "10MB"]));
      assert.match(add.stdout, /^Information for Object Store Bucket FILES created \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n\nConfiguration:\n\n/);
      for (const [l, v] of [["Bucket Name", "FILES"], ["Description", "docs"], ["Replicas", "1"], ["TTL", "2h0m0s"],
        ["Sealed", "false"], ["Size", "0 B"], ["Maximum Bucket Size", "10 MiB"], ["Storage", "File"],
        ["Backing Store Kind", "JetStream"], ["JetStream Stream", "OBJ_FILES"]] as const) assert.match(add.stdout, row(l, v), l);

      const big = randomBytes(300 * 1024 + 7);
      const bigPath = join(dir, `big-${impl}.bin`);
      writeFileSync(bigPath, big);
      const put = ok(await cli(["object", "put", "FILES", bigPath, "--name", "big.bin", "-H", "Kind:blob", "--description", "random"]));
      assert.match(put.stdout, /^\nObject information for FILES > big\.bin\n\n/);
      assert.match(put.stdout, row("Size", "300 KiB"));
      assert.match(put.stdout, row("Chunks", "3"));
      assert.match(put.stdout, row("Description", "random"));
      assert.match(put.stdout, row("Digest", `SHA-256 ${createHash("sha256").update(big).digest("hex")}`));
      assert.match(put.stdout, row("Headers", "Kind: blob"));
      ok(await cli(["object", "put", "FILES", "--name", "notes/a.txt"], "hello object"));
      fails(await cli(["object", "put", "FILES"], "x"), /^tsnats: error: --name is required when reading from stdin\n$/);
      const again = await cli(["object", "put", "FILES", "--name", "notes/a.txt"], "replaced");
      fails(again, /^tsnats: error: Replace existing file FILES > notes\/a\.txt: cannot ask without a terminal, use --force\n$/);
      ok(await cli(["object", "put", "FILES", "--name", "notes/a.txt", "-f"], "replaced text"));

      const ls = ok(await cli(["object", "ls", "FILES"])).stdout;
      assert.match(ls, /│ +Bucket Contents +│/);
      assert.match(ls, /│ Name +│ Size +│ Time +│/);
      assert.match(ls, /│ big\.bin +│ 300 KiB │ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ │/);
      assert.match(ls, /│ notes\/a\.txt │ 13 B +│ [\dTZ:-]+ │/);
      assert.equal(ok(await cli(["object", "ls", "FILES", "--names"])).stdout, "big.bin\nnotes/a.txt\n");
      const listed = JSON.parse(ok(await cli(["object", "ls", "FILES", "--json"])).stdout) as { name: string; size: number; headers: object }[];
      assert.deepEqual(listed.map((i) => [i.name, i.size, i.headers]), [["big.bin", big.length, { Kind: ["blob"] }], ["notes/a.txt", 13, {}]]);
      const buckets = ok(await cli(["object", "ls"])).stdout;
      assert.match(buckets, /│ Bucket │ Description │ Created +│ Size +│ Last Update │/);
      assert.match(buckets, /│ FILES +│ docs +│ [\d: -]+ │ 30\d KiB │ [\d.]+m?s +│/);
      assert.equal(ok(await cli(["object", "ls", "-n"])).stdout, "FILES\n");

      const info = JSON.parse(ok(await cli(["object", "info", "FILES", "notes/a.txt", "--json"])).stdout) as { bucket: string; size: number; chunks: number };
      assert.deepEqual([info.bucket, info.size, info.chunks], ["FILES", 13, 1]);
      fails(await cli(["object", "info", "FILES", "nope"]), /^tsnats: error: nats: object not found: FILES > nope\n$/);

      const out = join(dir, `got-${impl}.bin`);
      const got = ok(await cli(["object", "get", "FILES", "big.bin", "-O", out]));
      assert.match(got.stdout, new RegExp(`^Wrote: 300 KiB to ${out.replace(/[.]/g, "\\.")} in [\\d.]+(ms|µs|s)\\n$`));
      assert.ok(readFileSync(out).equals(big), "the object's bytes come back unchanged");
      fails(await cli(["object", "get", "FILES", "big.bin", "-O", out]), /cannot ask without a terminal, use --force\n$/);
      const small = join(dir, `a-${impl}.txt`);
      ok(await cli(["object", "get", "FILES", "notes/a.txt", "-O", small]));
      assert.equal(readFileSync(small, "utf8"), "replaced text");

      fails(await cli(["object", "rm", "FILES", "big.bin"]), /^tsnats: error: Delete 300 KiB byte file FILES > big\.bin\?: cannot ask/);
      const rm = ok(await cli(["object", "rm", "FILES", "big.bin", "-f"]));
      assert.match(rm.stdout, /^Removed FILES > big\.bin\nInformation for Object Store Bucket FILES/);
      assert.equal(ok(await cli(["object", "ls", "FILES", "-n"])).stdout, "notes/a.txt\n");
      fails(await cli(["object", "get", "FILES", "big.bin", "-O", join(dir, "gone")]), /^tsnats: error: file has been deleted\n$/);
      ok(await cli(["object", "rm", "FILES", "-f"]));
      assert.equal(ok(await cli(["object", "ls"])).stdout, "No Object Store buckets found\n");
    });

    test("watch shows puts and deletes; seal makes the bucket read-only", async () => {
      ok(await cli(["object", "add", "SEALME"]));
      ok(await cli(["object", "put", "SEALME", "--name", "one"], "1"));
      const w = await startCli(["-s", srv.url, "object", "watch", "SEALME"], undefined);
      try {
        await waitUntil(() => w.stdout().includes("one"), 10_000, "the watch's history");
        ok(await cli(["object", "put", "SEALME", "--name", "two"], "22"));
        ok(await cli(["object", "rm", "SEALME", "one", "-f"]));
        await waitUntil(() => w.stdout().includes("DEL"), 10_000, "the delete");
      } finally {
        w.stop();
      }
      const r = await w.done;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.replace(/^\[[\d: -]+\]/gm, "[T]"),
        "[T] PUT SEALME > one: 1 B bytes in 1 chunks\n[T] PUT SEALME > two: 2 B bytes in 1 chunks\n[T] DEL SEALME > one\n");

      fails(await cli(["object", "seal", "SEALME"]), /^tsnats: error: Really seal Bucket SEALME, sealed buckets can not be unsealed or modified: cannot ask/);
      const seal = ok(await cli(["object", "seal", "SEALME", "-f"]));
      assert.match(seal.stdout, /^SEALME has been sealed\nInformation for Object Store Bucket SEALME/);
      assert.match(seal.stdout, row("Sealed", "true"));
      const blocked = await cli(["object", "put", "SEALME", "--name", "three"], "3");
      assert.equal(blocked.code, 1);
      assert.match(blocked.stderr, /^tsnats: error: could not put SEALME > three: .*seal/i);
    });
  });
}
