/**
 * Hubs and leaves as processes for the leaf node tests: a server with a `leafnodes` listener on a port
 * picked here (so that it can be restarted on it), and leaves whose remotes point at it.
 */
import type { TestContext } from "node:test";
import { once } from "node:events";
import { connect as netConnect, type Socket } from "node:net";
import { connect, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import { freePort, startServerProcess, type Impl, type ServerProcess } from "../helpers/server-process.js";

export interface Hub {
  srv: ServerProcess;
  leafPort: number;
  /** `nats://[user:pass@]127.0.0.1:<leaf port>`. */
  leafUrl(user?: string, pass?: string): string;
}

/** A hub whose config is `extra` plus `leafnodes { listen, <leafBlock> }`; stopped when the test ends. */
export async function startHub(t: Pick<TestContext, "after">, impl: Impl, extra = "", leafBlock = "", leafPort?: number, port?: number): Promise<Hub> {
  const lp = leafPort ?? (await freePort());
  const srv = await startServerProcess({ impl, ...(port !== undefined && { port }), config: `${extra}\nleafnodes {\n  listen: "127.0.0.1:${lp}"\n  ${leafBlock}\n}\n` });
  t.after(() => srv.stop("SIGKILL"));
  return {
    srv,
    leafPort: lp,
    leafUrl: (user, pass) => `nats://${user !== undefined ? `${user}:${pass}@` : ""}127.0.0.1:${lp}`,
  };
}

/** A leaf with `leafnodes { remotes = [ <remotes> ] }` (and `reconnect: 1`, which both servers take). */
export async function startLeaf(t: Pick<TestContext, "after">, impl: Impl, remotes: string, extra = ""): Promise<ServerProcess> {
  const srv = await startServerProcess({ impl, config: `${extra}\nleafnodes {\n  reconnect: 1\n  remotes = [ ${remotes} ]\n}\n` });
  t.after(() => srv.stop("SIGKILL"));
  return srv;
}

export async function client(t: Pick<TestContext, "after">, srv: ServerProcess, opts: NodeConnectionOptions = {}): Promise<NatsConnection> {
  const nc = await connect({ servers: srv.url, reconnect: false, ...opts });
  t.after(() => nc.close().catch(() => undefined));
  return nc;
}

/** Collects what a subscription receives as `subject:payload`. */
export function collect(nc: NatsConnection, subject: string, queue?: string): string[] {
  const got: string[] = [];
  nc.subscribe(subject, { ...(queue !== undefined && { queue }), callback: (_e, m) => void got.push(`${m.subject}:${m.string()}`) });
  return got;
}

export async function waitFor(what: string | (() => string), cond: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${typeof what === "string" ? what : what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TCP connection to `port`, retried while the server is still opening its leaf listener. */
export async function dialLeafPort(port: number): Promise<Socket> {
  for (let i = 0; ; i++) {
    const sock = netConnect({ host: "127.0.0.1", port });
    try {
      await once(sock, "connect");
      return sock;
    } catch (e) {
      if (i >= 50) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
