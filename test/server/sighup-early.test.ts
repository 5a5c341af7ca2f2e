/**
 * A SIGHUP right after start must not kill the server (nats-server 2.9.10 survives one at 0.05 s). tsnats
 * keeps one that arrives while it starts and reloads once running. The window that remains is Node's own
 * start, before any JavaScript runs (a few tens of ms on an idle machine): Node resets inherited signal
 * dispositions, so nothing outside can cover it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { describe, it } from "node:test";
import { connect } from "@nats-io/transport-node";
import { freePort, NATS_SERVER_BIN, natsServerAvailable, tempFile, TSNATS_BIN, type Impl } from "../helpers/server-process.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];

/** Starts `impl`, sends SIGHUP when `when` resolves, and reports whether it then serves a client. */
async function hupEarly(impl: Impl, when: (out: () => string) => Promise<void>): Promise<{ alive: boolean; out: string }> {
  const port = await freePort();
  const conf = tempFile("hup.conf", `port: ${port}\nnet: 127.0.0.1\n`);
  const child = spawn(impl === "tsnats" ? TSNATS_BIN : NATS_SERVER_BIN, ["-c", conf], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (out += d.toString()));
  let exited = false;
  child.once("exit", () => (exited = true));
  try {
    await when(() => out);
    process.kill(child.pid!, "SIGHUP");
    const deadline = Date.now() + 8000;
    for (;;) {
      if (exited) return { alive: false, out };
      try {
        const nc = await connect({ servers: `127.0.0.1:${port}`, reconnect: false, timeout: 1000 });
        await nc.flush();
        await nc.close();
        // It serves; give a kept HUP's reload a moment to be logged.
        await new Promise((r) => setTimeout(r, 200));
        return { alive: !exited, out };
      } catch {
        if (Date.now() > deadline) return { alive: false, out };
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    if (!exited) process.kill(child.pid!, "SIGKILL");
  }
}

describe("SIGHUP while starting", () => {
  for (const impl of IMPLS) {
    it(`${impl}: survives a SIGHUP 0.3 s after start`, async () => {
      const r = await hupEarly(impl, () => new Promise((res) => setTimeout(res, 300)));
      assert.ok(r.alive, r.out);
      assert.match(r.out, /Reloaded server configuration/);
    });
  }
  it("tsnats: survives a SIGHUP as soon as it logs, and reloads once running", async () => {
    const r = await hupEarly("tsnats", async (out) => {
      while (!out().includes("Starting nats-server")) await new Promise((res) => setTimeout(res, 1));
    });
    assert.ok(r.alive, r.out);
    assert.match(r.out, /Trapped "hangup" signal[\s\S]*Reloaded server configuration/);
  });
});
