#!/usr/bin/env node
// The build's second step (after tsc): the two programs as single files.
// - The server: one CommonJS file, dist/tsnats-server.cjs, and V8's code cache for it, made by compiling
//   it once without running it, in a node process with the server's V8 flags (see bin/load-bundle.cjs).
// - The tsnats CLI: dist/cli/main.mjs (+ dist/cli/bench/worker.mjs, bench's worker thread), its npm
//   dependencies included: the @nats-io clients, commander and the rest are hundreds of small modules,
//   and loading them one by one took about half of each command's start.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { build } from "esbuild";
import { BUNDLE, serverNodeFlags } from "../bin/load-bundle.cjs";

const common = { bundle: true, platform: "node", target: "node20", logLevel: "warning" };
await Promise.all([
  build({
    ...common,
    entryPoints: ["dist/src/main.js"],
    format: "cjs",
    packages: "external",
    sourcemap: true,
    outfile: BUNDLE,
    // The sources are ES modules: strict, and util/lazy-require.ts resolves from import.meta.url.
    banner: { js: `"use strict"; const import_meta_url = require("node:url").pathToFileURL(__filename).href;` },
    define: { "import.meta.url": "import_meta_url" },
  }),
  build({
    ...common,
    entryPoints: ["dist/src/cli/main.js", "dist/src/cli/bench/worker.js"],
    format: "esm",
    outdir: "dist/cli",
    outExtension: { ".js": ".mjs" },
    // `tsnats --version` (src/cli/version.ts).
    define: { TSNATS_PACKAGE_VERSION: JSON.stringify(JSON.parse(readFileSync("package.json", "utf8")).version) },
    // CommonJS dependencies (commander, cli-table3) call require() for node's built-ins.
    banner: { js: 'import { createRequire as __tsnatsRequire } from "node:module"; const require = __tsnatsRequire(import.meta.url);' },
  }),
]);

const loader = new URL("../bin/load-bundle.cjs", import.meta.url).href;
const makeCache = `import { writeFileSync } from "node:fs";
import { CODE_CACHE, compileBundle } from ${JSON.stringify(loader)};
writeFileSync(CODE_CACHE, compileBundle(undefined).createCachedData());`;
const r = spawnSync(process.execPath, [...serverNodeFlags(), "--input-type=module", "-e", makeCache], { stdio: "inherit", env: { ...process.env, NODE_OPTIONS: "" } });
if (r.status !== 0) process.exit(r.status ?? 1);
