import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, jsServer, runCli, suiteCleanup, type CliResult } from "../support.js";

function ok(r: CliResult): CliResult {
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr}`);
  return r;
}

for (const impl of IMPLS) {
  describe(`stream backup and restore against ${impl}`, () => {
    let srv: ServerProcess;
    const cleanup = suiteCleanup();
    const cli = (args: string[]) => runCli(["-s", srv.url, ...args]);
    before(async () => {
      srv = await jsServer(cleanup, impl);
    });
    after(() => cleanup.run());

    test("a backup taken through the snapshot API restores the stream with its messages", async () => {
      ok(await cli(["stream", "add", "BK", "--subjects", "bk.>", "--storage", "file", "--description", "kept", "--defaults"]));
      ok(await cli(["pub", "bk.a", "msg {{Count}}", "--count", "300"]));
      ok(await cli(["pub", "bk.b", "last"]));
      const dir = join(mkdtempSync(join(tmpdir(), "tsnats-cli-backup-")), "bk");
      const b = ok(await cli(["stream", "backup", "BK", dir]));
      assert.match(b.stdout, /^Received [\d.]+ (B|KiB) compressed data in \S+\n$/);
      const meta = JSON.parse(readFileSync(join(dir, "backup.json"), "utf8")) as { config: { name: string; description: string }; state: { messages: number } };
      assert.equal(meta.config.name, "BK");
      assert.equal(meta.state.messages, 301);
      assert.ok(statSync(join(dir, "stream.tar.s2")).size > 0);

      const taken = await cli(["stream", "restore", dir]);
      assert.equal(taken.code, 1, "a stream of that name exists");
      assert.match(taken.stderr, /^tsnats: error: .*(already in use|exists).*\n$/i);

      ok(await cli(["stream", "rm", "BK", "-f"]));
      const r = ok(await cli(["stream", "restore", dir]));
      assert.match(r.stdout, new RegExp(`^Starting restore of Stream "BK" from file "${dir}"\\n\\nRestored stream "BK" in \\S+\\n\\n`));
      assert.match(r.stdout, /\n +Messages: 301\n/);
      assert.match(r.stdout, /\n +Description: kept\n/);
      const info = JSON.parse(ok(await cli(["stream", "info", "BK", "--json"])).stdout) as { state: { messages: number; last_seq: number } };
      assert.deepEqual([info.state.messages, info.state.last_seq], [301, 301]);
      const last = ok(await cli(["stream", "get", "BK", "301", "--json"])).stdout;
      assert.equal(Buffer.from((JSON.parse(last) as { data: string }).data, "base64").toString(), "last");
    });

    test("backup of a missing stream fails on one line and leaves no metadata", async () => {
      const dir = join(mkdtempSync(join(tmpdir(), "tsnats-cli-backup-")), "none");
      const r = await cli(["stream", "backup", "NOPE", dir]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^tsnats: error: stream not found \(10059\)\n$/);
      assert.equal(existsSync(join(dir, "backup.json")), false);
    });
  });
}
