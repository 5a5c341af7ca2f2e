/** `tsnats --version`: the bare version on stdout and exit 0, as `nats --version` prints it. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, PROJECT_ROOT, startServerProcess } from "../helpers/server-process.js";
import { TSNATS_VERSION } from "../../src/server/version.js";
import { runCli } from "./support.js";

test("--version prints the package's version, the one the server reports", async () => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
  const r = await runCli(["--version"]);
  assert.deepEqual(r, { code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  // The server keeps its own copy (INFO's `go`, the log banner): the two must not drift apart.
  assert.equal(TSNATS_VERSION, pkg.version);
});

test("its connections are named 'NATS CLI Version <version>', as the nats CLI names its own", async (t) => {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
  const mport = await freePort();
  const srv = await startServerProcess({ args: ["-m", String(mport)] });
  t.after(() => srv.stop());
  assert.equal((await runCli(["-s", srv.url, "pub", "v.x", "hi"])).code, 0);
  const connz = (await (await fetch(`http://127.0.0.1:${mport}/connz?state=closed`)).json()) as { connections: { name?: string }[] };
  // The other closed connection is the test helper's readiness probe, which sends no CONNECT.
  assert.deepEqual(connz.connections.map((c) => c.name).filter((n) => n !== undefined), [`NATS CLI Version ${pkg.version}`]);
});
