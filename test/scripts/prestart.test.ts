/**
 * `npm start`'s preparation (scripts/prestart.mjs) installs and builds only when needed: in a scratch
 * project whose files have chosen times, with a stand-in `npm` on the PATH that records its calls.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PROJECT_ROOT } from "../helpers/server-process.js";

const SCRIPT = join(PROJECT_ROOT, "scripts/prestart.mjs");

function project(t: { after(fn: () => void): void }): { dir: string; prep: () => string[]; touch: (file: string, secondsAgo: number) => void } {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-prestart-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const bin = join(dir, ".fakebin");
  mkdirSync(bin);
  const log = join(dir, ".npm-calls");
  writeFileSync(join(bin, "npm"), `#!/bin/sh\necho "$*" >> "${log}"\n`);
  chmodSync(join(bin, "npm"), 0o755);
  const touch = (file: string, secondsAgo: number) => {
    const p = join(dir, file);
    mkdirSync(join(p, ".."), { recursive: true });
    if (!existsSync(p)) writeFileSync(p, "x");
    const t = Date.now() / 1000 - secondsAgo;
    utimesSync(p, t, t);
  };
  for (const [f, age] of [["package.json", 500], ["tsconfig.json", 500], ["package-lock.json", 400], ["node_modules/.package-lock.json", 300], ["src/a.ts", 200], ["dist/tsnats-server.cjs", 100]] as const) touch(f, age);
  const prep = () => {
    rmSync(log, { force: true });
    const r = spawnSync(process.execPath, [SCRIPT], { cwd: dir, encoding: "utf8", env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    assert.equal(r.status, 0, r.stderr);
    return existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [];
  };
  return { dir, prep, touch };
}

describe("npm start's preparation", () => {
  it("does nothing when the install and the build are current", (t) => {
    const p = project(t);
    assert.deepEqual(p.prep(), []);
  });
  it("builds when a source is newer than the build, and only builds", (t) => {
    const p = project(t);
    p.touch("src/deep/b.ts", 10);
    assert.deepEqual(p.prep(), ["run build"]);
  });
  it("builds when there is no build yet", (t) => {
    const p = project(t);
    rmSync(join(p.dir, "dist"), { recursive: true });
    assert.deepEqual(p.prep(), ["run build"]);
  });
  it("installs and builds when package-lock.json changed since the last install", (t) => {
    const p = project(t);
    p.touch("package-lock.json", 5);
    assert.deepEqual(p.prep(), ["install --no-audit --no-fund", "run build"]);
  });
  it("installs on a fresh clone (nothing installed)", (t) => {
    const p = project(t);
    rmSync(join(p.dir, "node_modules"), { recursive: true });
    assert.deepEqual(p.prep()[0], "install --no-audit --no-fund");
  });
});
