/**
 * What launchers and client test harnesses read from the process: `-v`, the pid file, the ports file,
 * and the readiness lines on stderr.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { freePort } from "../helpers/server-process.js";
import { IMPL, SERVER_BIN, reportedVersion, serverFor, versionAtLeast, waitUntil, within } from "./support.js";

test(`-v prints "nats-server: v<major>.<minor>.<patch>" and exits 0 [${IMPL}]`, () => {
  const { stdout, version, status } = reportedVersion();
  assert.match(stdout, /^nats-server: v\d+\.\d+\.\d+\n?$/);
  assert.equal(status, 0);
  if (IMPL === "tsnats") assert.ok(versionAtLeast(version!, [2, 11, 0]), `tsnats reports ${stdout.trim()}`);
});

for (const flag of ["-P", "--pid"]) {
  test(`${flag} writes the process id to the pid file [${IMPL}]`, async (t) => {
    const file = join(mkdtempSync(join(tmpdir(), "tsnats-pid-")), "server.pid");
    const srv = await serverFor(t, { args: [flag, file] });
    await waitUntil(() => existsSync(file) && readFileSync(file, "utf8").length > 0, 5000, "the pid file");
    assert.match(readFileSync(file, "utf8"), /^\d+\n?$/);
    assert.equal(Number(readFileSync(file, "utf8").trim()), srv.pid);
  });
}

test(`--ports_file_dir writes <exe>_<pid>.ports with the client and monitoring URLs [${IMPL}]`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-ports-"));
  const http = await freePort();
  const srv = await serverFor(t, { args: ["--ports_file_dir", dir, "-m", String(http)] });
  const file = join(dir, `${basename(SERVER_BIN)}_${srv.pid}.ports`);
  // Launchers wait for the file about 5 s.
  await waitUntil(() => existsSync(file), 5000, file).catch((e: Error) => {
    throw new Error(`${e.message}; ${dir} holds [${readdirSync(dir).join(", ")}]`);
  });
  const ports = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
  assert.deepEqual(ports.nats, [`nats://127.0.0.1:${srv.port}`]);
  assert.deepEqual(ports.monitoring, [`http://127.0.0.1:${http}`]);
  await srv.stop("SIGINT");
  assert.equal(existsSync(file), false, "the ports file is removed on shutdown");
});

test(`stderr says where it listens and that it is ready [${IMPL}]`, async () => {
  const port = await freePort();
  const child = spawn(SERVER_BIN, ["-a", "127.0.0.1", "-p", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((res) => child.once("exit", res));
  try {
    await waitUntil(() => stderr.includes("Server is ready\n") || child.exitCode !== null, 10_000, "Server is ready");
    const listening = stderr.indexOf(`Listening for client connections on 127.0.0.1:${port}\n`);
    assert.ok(listening >= 0, stderr);
    assert.ok(listening < stderr.indexOf("Server is ready\n"), `listening comes before ready:\n${stderr}`);
  } finally {
    child.kill("SIGKILL");
    await within(exited, 5000, "the server to die");
  }
});
