/**
 * The server bundle starts from V8's code cache (bin/load-bundle.cjs, made by scripts/bundle.mjs): a
 * fresh node process, as bin/tsnats-server runs, must find the cache and V8 must accept it. A build that
 * changed the wrapper or the bundle without the cache would silently cost every start its parse again.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { PROJECT_ROOT } from "../helpers/server-process.js";

test("a fresh node process compiles the server bundle from its code cache", async () => {
  const loader = pathToFileURL(join(PROJECT_ROOT, "bin/load-bundle.cjs")).href;
  const probe = `import { readFileSync } from "node:fs";
import { CODE_CACHE, compileBundle } from ${JSON.stringify(loader)};
process.stdout.write(String(compileBundle(readFileSync(CODE_CACHE)).cachedDataRejected));`;
  // With the V8 flags of bin/tsnats-server's shebang, as the server runs.
  const { serverNodeFlags } = (await import(loader)) as { serverNodeFlags(): string[] };
  const r = spawnSync(process.execPath, [...serverNodeFlags(), "--input-type=module", "-e", probe], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "false");
});
