/** `tsnats --version`: the bare version on stdout and exit 0, as `nats --version` prints it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../helpers/server-process.js";
import { TSNATS_VERSION } from "../../src/server/version.js";
import { runCli } from "./support.js";

test("--version prints the package's version, the one the server reports", async () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
  const r = await runCli(["--version"]);
  assert.deepEqual(r, { code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  // The server keeps its own copy (INFO's `go`, the log banner): the two must not drift apart.
  assert.equal(TSNATS_VERSION, pkg.version);
});
