/** Runs a server binary to completion, for invocations that must fail at once or only check a config. */
import { spawn } from "node:child_process";
import { NATS_SERVER_BIN, TSNATS_BIN, type Impl } from "./server-process.js";

export interface BinaryRun {
  status: number | null;
  /** stdout and stderr together. */
  out: string;
}

/** Runs `impl` with `args`; kills it (SIGKILL, by its PID) if it is still running after `timeoutMs`. */
export function runBinary(impl: Impl, args: string[], timeoutMs = 10_000): Promise<BinaryRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(impl === "tsnats" ? TSNATS_BIN : NATS_SERVER_BIN, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => process.kill(child.pid!, "SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("exit", (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}
