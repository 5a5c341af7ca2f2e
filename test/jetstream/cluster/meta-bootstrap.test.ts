/**
 * The meta group forms once, from a majority of the servers the routes name: a server that hears only
 * a minority waits (a second group could form beside it otherwise), a second server makes a majority,
 * a late third joins the group they formed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type RunningServer } from "../../../src/index.js";
import { expectedMetaSize, mayBootstrap } from "../../../src/jetstream/cluster/meta-bootstrap.js";
import { metaOf, waitUntil } from "./meta-support.js";
import { freePort } from "../../helpers/server-process.js";

const route = (hostPort: string) => ({ text: `nats://${hostPort}`, hostPort });

test("expected size: the routes' servers plus this one, its own listener counted once", () => {
  const self = { host: "0.0.0.0", port: 6222 };
  assert.equal(expectedMetaSize([], self), 1);
  assert.equal(expectedMetaSize([route("10.0.0.2:6222"), route("10.0.0.3:6222")], self), 3);
  assert.equal(expectedMetaSize([route("127.0.0.1:6222"), route("10.0.0.2:6222"), route("10.0.0.3:6222")], self), 3);
  assert.equal(expectedMetaSize([route("localhost:6222"), route("localhost:6223"), route("localhost:6224"), route("LOCALHOST:6223")], self), 3);
  assert.equal(mayBootstrap(1, 3), false);
  assert.equal(mayBootstrap(2, 3), true);
  assert.equal(mayBootstrap(2, 5), false);
  assert.equal(mayBootstrap(1, 1), true);
});

test("rolling start with a shared routes list: one server alone never forms, two do, a late third joins the same group", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsnats-boot-"));
  const ports = [await freePort(), await freePort(), await freePort()];
  const routes = ports.map((p) => `nats://127.0.0.1:${p}`);
  const servers: RunningServer[] = [];
  t.after(async () => {
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const start = async (i: number) => {
    const s = await startServer({ serverName: `b${i + 1}`, jetstream: { enabled: true, storeDir: join(dir, `s${i + 1}`) }, cluster: { name: "boot", host: "127.0.0.1", port: ports[i]!, routes } });
    servers.push(s);
    return s;
  };
  const a = await start(0);
  // Past the 1 s a stable view needs before bootstrapping: one of three is a minority.
  await new Promise((r) => setTimeout(r, 2000));
  assert.equal(metaOf(a).group, undefined, "a lone server of three formed a meta group");
  const b = await start(1);
  await waitUntil(() => metaOf(a).leader !== undefined && metaOf(a).leader === metaOf(b).leader, 10_000, "two of three to elect a meta leader");
  assert.equal(metaOf(a).group!.voters.length, 2);
  const c = await start(2);
  await waitUntil(
    () => [a, b, c].every((s) => metaOf(s).current && metaOf(s).leader === metaOf(a).leader && metaOf(s).group!.voters.length === 3),
    10_000,
    "the late third server to join the same group",
  );
});
