/** A monitoring port that is taken stops the server with nats-server's fatal line, not a client-port error. */
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import { runBinary } from "../helpers/run-binary.js";
import { freePort, natsServerAvailable, type Impl } from "../helpers/server-process.js";

const IMPLS: Impl[] = natsServerAvailable() ? ["tsnats", "nats-server"] : ["tsnats"];

describe("a busy monitoring port", () => {
  for (const impl of IMPLS) {
    it(`${impl}: Can't start monitoring, exit 1`, async (t) => {
      const taken = createServer();
      await new Promise<void>((res) => taken.listen(0, "127.0.0.1", res));
      t.after(() => taken.close());
      const port = (taken.address() as { port: number }).port;
      const r = await runBinary(impl, ["-a", "127.0.0.1", "-p", String(await freePort()), "-m", String(port)]);
      assert.equal(r.status, 1, r.out);
      assert.match(r.out, new RegExp(`\\[FTL\\] Can't start monitoring: can't listen to the monitor port: listen tcp 127\\.0\\.0\\.1:${port}: bind: address already in use\\n`));
      assert.doesNotMatch(r.out, /Error listening on port/);
    });
  }
});
