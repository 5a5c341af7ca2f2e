#!/usr/bin/env node
// The build's second step (after tsc): the server as one CommonJS file, dist/tsnats-server.cjs, and V8's
// code cache for it, made by compiling it once without running it (see bin/load-bundle.mjs for why).
import { writeFileSync } from "node:fs";
import { build } from "esbuild";
import { BUNDLE, CODE_CACHE, compileBundle } from "../bin/load-bundle.mjs";

await build({
  entryPoints: ["dist/src/main.js"],
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
  outfile: BUNDLE,
  // The sources are ES modules: strict, and util/lazy-require.ts resolves from import.meta.url.
  banner: { js: `"use strict"; const import_meta_url = require("node:url").pathToFileURL(__filename).href;` },
  define: { "import.meta.url": "import_meta_url" },
});
writeFileSync(CODE_CACHE, compileBundle(undefined).createCachedData());
