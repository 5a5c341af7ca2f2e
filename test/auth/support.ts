/** Helpers for the security tests: connect expecting success or an authorization failure. */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { connect, errors, type NatsConnection, type NodeConnectionOptions } from "@nats-io/transport-node";
import type { ServerProcess } from "../helpers/server-process.js";

/** A connection that must succeed; closed when the test ends. */
export async function connectOk(t: Pick<TestContext, "after">, srv: ServerProcess, opts: NodeConnectionOptions = {}): Promise<NatsConnection> {
  const nc = await connect({ servers: srv.url, reconnect: false, ...opts });
  t.after(() => nc.close());
  return nc;
}

/** A connection that the server must refuse with 'Authorization Violation'. */
export async function connectRefused(srv: ServerProcess, opts: NodeConnectionOptions = {}): Promise<void> {
  await assert.rejects(
    async () => {
      const nc = await connect({ servers: srv.url, reconnect: false, ...opts });
      await nc.close();
    },
    (e: unknown) => e instanceof errors.AuthorizationError,
  );
}

/** Collects the async errors the server reports to a connection (-ERR lines that do not close it). */
export function serverErrors(nc: NatsConnection): Error[] {
  const out: Error[] = [];
  void (async () => {
    for await (const s of nc.status()) if (s.type === "error") out.push(s.error);
  })();
  return out;
}

/** Waits until `pred` holds for the server's log output. */
export async function logShows(srv: ServerProcess, pattern: RegExp, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pattern.test(srv.output())) {
    if (Date.now() > deadline) assert.fail(`log never matched ${pattern}:\n${srv.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
