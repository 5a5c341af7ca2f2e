/**
 * The fault network itself: namespaces reachable from the root namespace over the bridge, faults that
 * cut exactly what they say, and nothing left behind after destroy().
 */
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { FaultNet, netnsUnavailable } from "./netns.js";

const why = netnsUnavailable();

/** A TCP listener in node i's namespace, as a child process stopped by pid. */
function listenIn(net: FaultNet, i: number, port: number): Promise<() => void> {
  const js = `require("net").createServer((s) => s.end("ok")).listen(${port}, ${JSON.stringify(net.ips[i])}, () => console.log("up"))`;
  const [cmd, args] = net.command(i, process.execPath, ["-e", js]);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((res, rej) => {
    child.stdout!.once("data", () => res(() => process.kill(child.pid!, "SIGKILL")));
    child.once("exit", (code) => rej(new Error(`listener exited ${code}`)));
  });
}

/** Connects from node `from`'s namespace (a child process there); true when the peer answered. */
function reach(net: FaultNet, ip: string, port: number, from: number): boolean {
  const js = `const s=require("net").connect(${port},${JSON.stringify(ip)});s.setTimeout(700,()=>process.exit(1));s.on("data",()=>process.exit(0));s.on("error",()=>process.exit(1))`;
  const [cmd, args] = net.command(from, process.execPath, ["-e", js]);
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Connects from the root namespace (where the clients run); true when the peer answered. */
function reachFromRoot(ip: string, port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, ip);
    s.setTimeout(700, () => {
      s.destroy();
      res(false);
    });
    s.on("data", () => {
      s.destroy();
      res(true);
    });
    s.on("error", () => res(false));
  });
}

describe("fault network (ip netns)", { skip: why }, () => {
  const net = why ? undefined : FaultNet.create(3);
  const stops: (() => void)[] = [];
  after(() => {
    stops.forEach((s) => s());
    net?.destroy();
  });

  it("puts each node on its own address, reachable from the root namespace and from each other", async () => {
    for (let i = 0; i < 3; i++) stops.push(await listenIn(net!, i, 7000));
    for (let i = 0; i < 3; i++) assert.ok(await reachFromRoot(net!.ips[i]!, 7000), `root -> n${i}`);
    assert.ok(reach(net!, net!.ips[1]!, 7000, 0), "n0 -> n1");
  });

  it("partition cuts the chosen pairs both ways, leaves clients and other pairs alone, and is undone", async () => {
    net!.partition([0], [1]);
    assert.equal(reach(net!, net!.ips[1]!, 7000, 0), false, "n0 -> n1 cut");
    assert.equal(reach(net!, net!.ips[0]!, 7000, 1), false, "n1 -> n0 cut");
    assert.ok(reach(net!, net!.ips[2]!, 7000, 0), "n0 -> n2 kept");
    assert.ok(await reachFromRoot(net!.ips[0]!, 7000), "root -> n0 kept");
    net!.unpartition([0], [1]);
    assert.ok(reach(net!, net!.ips[1]!, 7000, 0), "n0 -> n1 healed");
    assert.ok(reach(net!, net!.ips[0]!, 7000, 1), "n1 -> n0 healed");
  });

  it("isolate takes a node off the network until the heal", async () => {
    net!.isolate(2);
    assert.equal(await reachFromRoot(net!.ips[2]!, 7000), false, "root -> n2 cut");
    assert.equal(reach(net!, net!.ips[2]!, 7000, 0), false, "n0 -> n2 cut");
    net!.heal();
    assert.ok(await reachFromRoot(net!.ips[2]!, 7000), "root -> n2 healed");
  });

  it("destroy removes the namespaces and the bridge", () => {
    const probe = FaultNet.create(2);
    probe.destroy();
    for (const ns of probe.namespaces) assert.equal(existsSync(`/run/netns/${ns}`), false, ns);
    assert.equal(execFileSync("ip", ["-o", "link", "show"], { encoding: "utf8" }).includes(probe.bridge), false);
  });
});
