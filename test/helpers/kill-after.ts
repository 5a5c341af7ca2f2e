/**
 * Crash tests' child processes: runs a node script that prints a line per acknowledged write, SIGKILLs it
 * at a chosen moment after its first line, and returns the whole lines it printed (a line cut by the
 * kill was never complete, so it acknowledged nothing).
 */
import { spawn } from "node:child_process";

export interface Killed {
  lines: string[];
  stderr: string;
}

export function runAndKill(script: string, args: string[], killAfterMs: number): Promise<Killed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let stderr = "";
    let armed = false;
    const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (!armed) {
        armed = true;
        setTimeout(() => child.kill("SIGKILL"), killAfterMs);
      }
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(killer);
      if (signal !== "SIGKILL") return reject(new Error(`${script} ended with ${code ?? signal}: ${stderr}`));
      const lines = out.slice(0, out.lastIndexOf("\n") + 1).split("\n").filter((l) => l.length > 0);
      resolve({ lines, stderr });
    });
  });
}
