// Runs the server's bundle (dist/tsnats-server.cjs, built by `npm run build` from dist/src/main.js) as a
// script compiled with V8's code cache (dist/tsnats-server.cjs.cache, written by the same build). Client
// test harnesses start a server per test: parsing the 1 MB bundle took about a fifth of the CPU time of
// every start. Node 20 has no compile cache for modules (module.enableCompileCache is Node 22), so the
// bundle is CommonJS, wrapped and compiled here as Node wraps a CommonJS module.
//
// The cache is made at build time, before anything runs: the server later changes a V8 flag
// (v8-tuning.ts), and V8 refuses a cache made under other flags. V8 also refuses one made by another
// Node version or for other source; the bundle then compiles as usual, only slower.
//
// CommonJS, as bin/tsnats-server is (bin/package.json): an ES module entry point costs a start node's ES
// module loader, and an ES import of node:fs builds its namespace, which loads node's streams.
"use strict";
const { readFileSync } = require("node:fs");
const { createRequire } = require("node:module");
const { dirname, join } = require("node:path");
const vm = require("node:vm");

const BUNDLE = join(__dirname, "../dist/tsnats-server.cjs");
exports.BUNDLE = BUNDLE;
const CODE_CACHE = `${BUNDLE}.cache`;
exports.CODE_CACHE = CODE_CACHE;

/**
 * The V8 flags bin/tsnats-server's shebang gives node (`#!/usr/bin/env -S [NAME=VALUE ...] node <flags>`):
 * V8 accepts a code cache only from a process with the same flags, so the build makes it under them.
 */
exports.serverNodeFlags = function serverNodeFlags() {
  const shebang = readFileSync(join(__dirname, "tsnats-server"), "utf8").split("\n", 1)[0];
  const m = /^#!\/usr\/bin\/env -S (\w+=\S+ )*node(?<flags>( --\S+)*)$/.exec(shebang);
  if (m === null) throw new Error(`bin/tsnats-server: unexpected shebang ${shebang}`);
  return m.groups.flags.split(" ").filter(Boolean);
};

/** The bundle compiled (not run), with the code cache when it is given and V8 accepts it. */
function compileBundle(cachedData) {
  const source = readFileSync(BUNDLE, "utf8");
  return new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: BUNDLE,
    cachedData,
  });
}

exports.compileBundle = compileBundle;

exports.runBundle = function runBundle() {
  let cachedData;
  try {
    cachedData = readFileSync(CODE_CACHE);
  } catch {
    // No cache (a build without it): compiled from source.
  }
  const wrapper = compileBundle(cachedData).runInThisContext();
  const module = { exports: {} };
  wrapper(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
};
