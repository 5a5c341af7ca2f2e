#!/usr/bin/env node
// `npm start`'s preparation: installs the dependencies only when package-lock.json changed since the last
// install (or nothing is installed), and builds only when a source, package.json or tsconfig.json is newer
// than the build. A second `npm start` goes straight to the server.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

/** The newest modification time under `dir` (files only). */
function newest(dir) {
  let t = 0;
  for (const f of readdirSync(dir, { recursive: true })) {
    const p = join(dir, String(f));
    const s = statSync(p);
    if (s.isFile() && s.mtimeMs > t) t = s.mtimeMs;
  }
  return t;
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// npm writes node_modules/.package-lock.json on every install: it is the time of the last one.
if (mtime("node_modules/.package-lock.json") < mtime("package-lock.json")) {
  if (Number(process.versions.node.split(".")[0]) < 22) {
    console.error("note: on Node 20 npm warns EBADENGINE for @nats-io/nuid, which the official clients pin; it runs on Node 20 (tsnats's tests run there).");
  }
  run("npm", ["install", "--no-audit", "--no-fund"]);
}
const built = mtime("dist/tsnats-server.cjs");
if (built === 0 || Math.max(newest("src"), mtime("package.json"), mtime("tsconfig.json"), mtime("package-lock.json")) > built) {
  run("npm", ["run", "build"]);
}
