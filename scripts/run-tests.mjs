#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner.
// Node 20's `--test` takes no globs, so the files are listed here. Extra arguments narrow the run:
// `npm test -- protocol` runs the files whose path contains "protocol".
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const root = "dist/test";
const filters = process.argv.slice(2);
const files = readdirSync(root, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".test.js"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort()
  .map((f) => join(root, f));
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}
// Two files at a time: most test time is waiting (elections, timeouts, child servers starting), and
// node's default of cores - 1 runs them one by one on a 2-core machine. Tests pick their own ports and
// network namespaces per process, so files running side by side do not meet.
const r = spawnSync(process.execPath, ["--test", "--test-concurrency=2", "--test-reporter=spec", ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
