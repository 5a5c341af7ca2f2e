/**
 * A JetStream cluster of real server processes, one per namespace of a FaultNet: tsnats
 * (`bin/tsnats-server`) or the reference nats-server, each with a config file holding `server_name`,
 * `listen`, `http`, `cluster { name, listen, routes }` and `jetstream { store_dir }`. The faults on
 * processes live here: SIGKILL and restart, SIGSTOP/SIGCONT; faults on the network are the FaultNet's.
 *
 * Invariants:
 * - a process is addressed by its pid only (`ip netns exec` execs the server in place, so the child's
 *   pid is the server's), never by name;
 * - a node's store directory and ports survive its restarts (same namespace, same address), so a
 *   restart is the same server coming back;
 * - `stopAll()` leaves no process behind, paused ones included (SIGKILL ends a stopped process too);
 *   an exit hook kills those a crashed test left.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { NATS_SERVER_BIN, TSNATS_BIN, type Impl } from "../helpers/server-process.js";
import type { FaultNet } from "./netns.js";

export const CLIENT_PORT = 4222;
export const CLUSTER_PORT = 6222;
export const MONITOR_PORT = 8222;
/** Kept of each process's output, for failure reports. */
const OUTPUT_TAIL = 256 * 1024;

export interface FaultNode {
  readonly index: number;
  readonly name: string;
  readonly ip: string;
  readonly clientUrl: string;
  readonly monitorUrl: string;
  /** `jetstream.store_dir`. */
  readonly storeDir: string;
  readonly confFile: string;
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
  gone: boolean;
  paused: boolean;
}

export interface FaultClusterOptions {
  impl: Impl;
  net: FaultNet;
  /** The test's scratch directory (config files and stores go under it). */
  dir: string;
  clusterName?: string;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect({ host, port });
    s.setTimeout(500, () => {
      s.destroy();
      res(false);
    });
    s.once("connect", () => {
      s.destroy();
      res(true);
    });
    s.once("error", () => res(false));
  });
}

/** Every server process started and not yet reaped: killed if the test process exits without stopAll(). */
const livePids = new Set<number>();
process.once("exit", () => {
  for (const pid of livePids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
});

export class FaultCluster {
  readonly impl: Impl;
  readonly nodes: readonly FaultNode[];
  private readonly net: FaultNet;
  private readonly procs: (Running | undefined)[];
  private readonly outputs: string[];

  private constructor(o: FaultClusterOptions) {
    this.impl = o.impl;
    this.net = o.net;
    const n = o.net.ips.length;
    const cluster = o.clusterName ?? "faults";
    this.nodes = o.net.ips.map((ip, i) => {
      const name = `n${i + 1}`;
      const home = join(o.dir, name);
      mkdirSync(home, { recursive: true });
      const routes = o.net.ips.filter((_, j) => j !== i).map((peer) => `"nats://${peer}:${CLUSTER_PORT}"`);
      const conf = [
        `server_name: ${name}`,
        `listen: "${ip}:${CLIENT_PORT}"`,
        `http: "${ip}:${MONITOR_PORT}"`,
        `jetstream { store_dir: "${join(home, "store")}" }`,
        `cluster {`,
        `  name: ${cluster}`,
        `  listen: "${ip}:${CLUSTER_PORT}"`,
        `  routes: [${routes.join(", ")}]`,
        `}`,
        "",
      ].join("\n");
      const confFile = join(home, "server.conf");
      writeFileSync(confFile, conf);
      return { index: i, name, ip, clientUrl: `nats://${ip}:${CLIENT_PORT}`, monitorUrl: `http://${ip}:${MONITOR_PORT}`, storeDir: join(home, "store"), confFile };
    });
    this.procs = new Array<Running | undefined>(n).fill(undefined);
    this.outputs = new Array<string>(n).fill("");
  }

  /** Starts every node at once and waits until each listens for clients. */
  static async start(o: FaultClusterOptions): Promise<FaultCluster> {
    const c = new FaultCluster(o);
    try {
      await Promise.all(c.nodes.map((_, i) => c.startNode(i)));
    } catch (e) {
      await c.stopAll();
      throw e;
    }
    return c;
  }

  /** Every node's client URL, for clients that fail over between them. */
  get urls(): string[] {
    return this.nodes.map((nd) => nd.clientUrl);
  }

  isRunning(i: number): boolean {
    const p = this.procs[i];
    return p !== undefined && !p.gone;
  }

  /** The tail of everything node i's processes wrote, restarts included. */
  output(i: number): string {
    return this.outputs[i]!;
  }

  /** Starts node i (again) and waits until it accepts client connections. */
  async startNode(i: number, timeoutMs = 15_000): Promise<void> {
    if (this.isRunning(i)) throw new Error(`node ${this.nodes[i]!.name} is already running`);
    const nd = this.nodes[i]!;
    const args = this.impl === "tsnats" ? [TSNATS_BIN, "-c", nd.confFile] : ["-c", nd.confFile];
    const [cmd, argv] = this.net.command(i, this.impl === "tsnats" ? process.execPath : NATS_SERVER_BIN, args);
    const child = spawn(cmd, argv, { stdio: ["ignore", "pipe", "pipe"] });
    const keep = (d: Buffer): void => {
      const s = this.outputs[i]! + d.toString();
      this.outputs[i] = s.length > OUTPUT_TAIL ? s.slice(-OUTPUT_TAIL) : s;
    };
    child.stdout!.on("data", keep);
    child.stderr!.on("data", keep);
    const running: Running = { child, exited: Promise.resolve(), gone: false, paused: false };
    livePids.add(child.pid!);
    running.exited = new Promise<void>((res) => child.once("exit", () => res())).then(() => {
      running.gone = true;
      livePids.delete(child.pid!);
    });
    this.procs[i] = running;
    this.outputs[i] += `\n--- start ${nd.name} (pid ${child.pid}) at ${new Date().toISOString()}\n`;
    const deadline = Date.now() + timeoutMs;
    while (!(await canConnect(nd.ip, CLIENT_PORT))) {
      if (running.gone) throw new Error(`${this.impl} ${nd.name} exited before listening:\n${this.output(i).slice(-4000)}`);
      if (Date.now() > deadline) {
        await this.kill(i);
        throw new Error(`${this.impl} ${nd.name} did not listen in ${timeoutMs} ms:\n${this.output(i).slice(-4000)}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** SIGKILL (a paused process too), resolved once the process is gone. */
  async kill(i: number): Promise<void> {
    const p = this.procs[i];
    if (!p || p.gone) return;
    process.kill(p.child.pid!, "SIGKILL");
    p.paused = false;
    await p.exited;
  }

  pause(i: number): void {
    const p = this.procs[i];
    if (!p || p.gone) throw new Error(`node ${this.nodes[i]!.name} is not running`);
    process.kill(p.child.pid!, "SIGSTOP");
    p.paused = true;
  }

  resume(i: number): void {
    const p = this.procs[i];
    if (!p || p.gone || !p.paused) return;
    process.kill(p.child.pid!, "SIGCONT");
    p.paused = false;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((_, i) => this.kill(i)));
  }
}
