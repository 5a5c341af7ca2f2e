/**
 * A route that stops reading (its server paused with SIGSTOP) holds up only the publishers that feed it:
 * other publishers' messages keep flowing to the other servers, and the server keeps serving.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { clusterFor, connectTo, routed } from "./support.js";
import { delay } from "../e2e/support.js";

test("a paused server's route does not block the rest of the cluster [tsnats]", async (t) => {
  const c = await clusterFor(t, { impls: ["tsnats", "tsnats", "tsnats"], configOf: () => "write_deadline: \"2s\"\n" });
  const flooder = await connectTo(t, c, 0);
  const steady = await connectTo(t, c, 0);
  const stopped = await connectTo(t, c, 1);
  const watcher = await connectTo(t, c, 2);
  stopped.subscribe("flood.>");
  const got: number[] = [];
  watcher.subscribe("steady", { callback: (_e, m) => void got.push(Number(m.string())) });
  await routed(flooder, [stopped]);
  await routed(steady, [watcher]);

  process.kill(c.nodes[1]!.proc.pid, "SIGSTOP");
  t.after(() => {
    try {
      process.kill(c.nodes[1]!.proc.pid, "SIGCONT");
    } catch {
      // already gone
    }
  });
  // 64 MB towards the paused server, while another connection publishes 200 small messages elsewhere.
  const big = Buffer.alloc(64 * 1024, 120);
  let floodOn = true;
  const flood = (async () => {
    for (let i = 0; floodOn && i < 1024; i++) {
      flooder.publish(`flood.${i}`, big);
      if (i % 16 === 0) await delay(0);
    }
  })();
  for (let i = 0; i < 200; i++) {
    steady.publish("steady", String(i));
    if (i % 20 === 0) await delay(10);
  }
  await routed(steady, [watcher], 10_000);
  assert.equal(got.length, 200, "the steady publisher's messages all crossed while the other route was stuck");
  floodOn = false;
  await flood;
});
