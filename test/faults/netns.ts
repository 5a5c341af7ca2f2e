/**
 * A private network for one fault test: a bridge in the root namespace and N network namespaces, each
 * joined to the bridge by a veth pair and given its own address, so that every server process runs on
 * its own "machine" and faults can cut, drop or thin the traffic between chosen machines. Clients stay
 * in the root namespace and reach the servers over the bridge (it holds `<prefix>.1`).
 *
 * Faults:
 * - `isolate(i)`: node i's link down (it loses every peer and every client);
 * - `partition(a, b)`: iptables DROP inside each namespace of side a for the addresses of side b and
 *   back, so the two sides lose each other while clients still reach both;
 * - `loss(i, p)`: iptables' `statistic` match drops a fraction p of node i's incoming packets (tc netem
 *   is not in this kernel).
 *
 * Invariants:
 * - every name carries this process's pid and a per-process counter, so parallel test files and runs
 *   never collide, and a sweep can tell a dead run's leftovers (pid gone) from a live one's;
 * - `destroy()` removes everything it made (namespaces take their veth ends and iptables rules with
 *   them) and is safe to call twice; an exit hook calls it for nets a crashed test left behind.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { assert } from "../../src/util/assert.js";

const PREFIX = "tf";

function run(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function tryRun(cmd: string, args: readonly string[]): boolean {
  try {
    run(cmd, args);
    return true;
  } catch {
    return false;
  }
}

/** Why this machine cannot run namespace tests, or undefined when it can (tests skip with the reason). */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== "linux") return "network namespaces need Linux";
  if (process.getuid?.() !== 0) return "network namespaces need root";
  if (!tryRun("ip", ["netns", "list"])) return "`ip netns` is not available";
  const probe = `${PREFIX}probe${process.pid.toString(36)}`;
  if (!tryRun("ip", ["netns", "add", probe])) return "the kernel refuses to create a network namespace";
  const iptables = tryRun("ip", ["netns", "exec", probe, "iptables", "-S"]);
  tryRun("ip", ["netns", "del", probe]);
  if (!iptables) return "iptables is not usable inside a namespace (apt-get install iptables)";
  return undefined;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Removes namespaces and bridges left by runs whose process is gone (a SIGKILLed test runner). */
export function sweepLeftovers(): void {
  const owner = (name: string): number | undefined => {
    const m = new RegExp(`^${PREFIX}([0-9a-z]+)x`).exec(name);
    return m ? parseInt(m[1]!, 36) : undefined;
  };
  const namespaces = existsSync("/run/netns") ? readdirSync("/run/netns") : [];
  for (const ns of namespaces) {
    const pid = owner(ns);
    if (pid !== undefined && !alive(pid)) tryRun("ip", ["netns", "del", ns]);
  }
  for (const line of run("ip", ["-o", "link", "show", "type", "bridge"]).split("\n")) {
    const name = /^\d+: ([^:@]+)/.exec(line)?.[1];
    const pid = name ? owner(name) : undefined;
    if (name && pid !== undefined && !alive(pid)) tryRun("ip", ["link", "del", name]);
  }
}

let counter = 0;
const live = new Set<FaultNet>();
process.once("exit", () => {
  for (const net of live) net.destroy();
});

/** A free /24 in 10.200.0.0 - 10.249.255.0, not routed in the root namespace yet. */
function freeSubnet(): string {
  const routes = run("ip", ["-4", "route", "show"]);
  for (let tries = 0; tries < 200; tries++) {
    const prefix = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}`;
    if (!routes.includes(`${prefix}.`)) return prefix;
  }
  throw new Error("no free 10.2xx.y.0/24 subnet for a fault-test bridge");
}

export class FaultNet {
  /** Node i's namespace name. */
  readonly namespaces: readonly string[];
  /** Node i's address (clients in the root namespace reach it over the bridge). */
  readonly ips: readonly string[];
  readonly bridge: string;
  private readonly hostVeths: readonly string[];
  private destroyed = false;

  private constructor(n: number) {
    // Interface names are at most 15 bytes: "tf" + pid (base 36, <= 4) + "x" + run (base 36) + role + index.
    const tag = `${PREFIX}${process.pid.toString(36)}x${(counter++).toString(36)}`;
    assert(tag.length + 3 <= 15, `fault net tag ${tag} too long for interface names`);
    const subnet = freeSubnet();
    this.bridge = `${tag}b`;
    this.namespaces = [...Array(n).keys()].map((i) => `${tag}n${i}`);
    this.hostVeths = [...Array(n).keys()].map((i) => `${tag}v${i}`);
    this.ips = [...Array(n).keys()].map((i) => `${subnet}.${i + 2}`);
    live.add(this);
    try {
      this.build(subnet);
    } catch (e) {
      this.destroy();
      throw e;
    }
  }

  private build(subnet: string): void {
    const n = this.namespaces.length;
    const tag = this.bridge.slice(0, -1);
    run("ip", ["link", "add", this.bridge, "type", "bridge"]);
    run("ip", ["addr", "add", `${subnet}.1/24`, "dev", this.bridge]);
    run("ip", ["link", "set", this.bridge, "up"]);
    for (let i = 0; i < n; i++) {
      const ns = this.namespaces[i]!;
      const host = this.hostVeths[i]!;
      const peer = `${tag}p${i}`;
      run("ip", ["netns", "add", ns]);
      run("ip", ["link", "add", host, "type", "veth", "peer", "name", peer]);
      run("ip", ["link", "set", peer, "netns", ns]);
      run("ip", ["link", "set", host, "master", this.bridge]);
      run("ip", ["link", "set", host, "up"]);
      this.exec(i, "ip", ["addr", "add", `${this.ips[i]}/24`, "dev", peer]);
      this.exec(i, "ip", ["link", "set", peer, "up"]);
      this.exec(i, "ip", ["link", "set", "lo", "up"]);
    }
  }

  static create(n: number): FaultNet {
    sweepLeftovers();
    return new FaultNet(n);
  }

  /** The command line that runs `cmd` inside node i's namespace (`ip netns exec` execs, keeping the pid). */
  command(i: number, cmd: string, args: readonly string[]): [string, string[]] {
    return ["ip", ["netns", "exec", this.namespaces[i]!, cmd, ...args]];
  }

  private exec(i: number, cmd: string, args: readonly string[]): string {
    const [c, a] = this.command(i, cmd, args);
    return run(c, a);
  }

  /** Takes node i's link down: it can reach nobody and nobody can reach it. */
  isolate(i: number): void {
    run("ip", ["link", "set", this.hostVeths[i]!, "down"]);
  }

  /** Cuts every packet between the nodes of side a and those of side b (both directions). */
  partition(a: readonly number[], b: readonly number[]): void {
    for (const i of a) for (const j of b) this.dropBetween(i, j, "-A");
    for (const j of b) for (const i of a) this.dropBetween(j, i, "-A");
  }

  /** Adds (-A) or deletes (-D) node i's rules dropping what comes from and goes to node j. */
  private dropBetween(i: number, j: number, op: "-A" | "-D"): void {
    this.exec(i, "iptables", [op, "INPUT", "-s", this.ips[j]!, "-j", "DROP"]);
    this.exec(i, "iptables", [op, "OUTPUT", "-d", this.ips[j]!, "-j", "DROP"]);
  }

  /** Drops a fraction p (0..1) of the packets node i receives, from peers and clients alike. */
  loss(i: number, p: number): void {
    assert(p > 0 && p < 1, `loss probability ${p} outside (0, 1)`);
    this.exec(i, "iptables", ["-A", "INPUT", "-m", "statistic", "--mode", "random", "--probability", String(p), "-j", "DROP"]);
  }

  /** Undoes `partition(a, b)` only (other faults stay). */
  unpartition(a: readonly number[], b: readonly number[]): void {
    for (const i of a) for (const j of b) this.dropBetween(i, j, "-D");
    for (const j of b) for (const i of a) this.dropBetween(j, i, "-D");
  }

  /** Undoes every fault: links up, iptables rules flushed. */
  heal(): void {
    for (let i = 0; i < this.namespaces.length; i++) {
      run("ip", ["link", "set", this.hostVeths[i]!, "up"]);
      this.exec(i, "iptables", ["-F"]);
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    live.delete(this);
    // a namespace takes its veth end along, and that removes the pair; a half-built net may hold a
    // pair whose end never moved in
    for (const ns of this.namespaces) tryRun("ip", ["netns", "del", ns]);
    for (const veth of this.hostVeths) tryRun("ip", ["link", "del", veth]);
    tryRun("ip", ["link", "del", this.bridge]);
  }
}
