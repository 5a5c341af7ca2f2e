import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { freePort, startServerProcess, type ServerProcess } from "../../helpers/server-process.js";
import { IMPLS, runCli, startCli, waitForSubscription, waitUntil } from "../support.js";

for (const impl of IMPLS) {
  describe(`pub, sub, req and reply against ${impl}`, () => {
    let srv: ServerProcess;
    let monitor: number;
    before(async () => {
      monitor = await freePort();
      srv = await startServerProcess({ impl, args: ["-m", String(monitor)] });
    });
    after(() => srv.stop("SIGKILL"));

    test("pub --count with templates and headers; sub prints them as the nats CLI does", async () => {
      const sub = await startCli(["-s", srv.url, "sub", "orders.*", "--count", "2"], /Subscribing on orders\.\*/);
      const pub = await runCli(["-s", srv.url, "pub", "orders.new", "order {{Count}}", "--count", "2", "-H", "X-Trace:abc", "--reply", "answers"]);
      assert.equal(pub.code, 0, pub.stderr);
      assert.match(pub.stderr, /^\d\d:\d\d:\d\d Published 7 bytes to "orders\.new"\n\d\d:\d\d:\d\d Published 7 bytes to "orders\.new"\n$/);
      const got = await sub.done;
      assert.equal(got.code, 0);
      assert.equal(got.stdout, [
        '[#1] Received on "orders.new" with reply "answers"', "X-Trace: abc", "", "order 1", "",
        '[#2] Received on "orders.new" with reply "answers"', "X-Trace: abc", "", "order 2", "", "",
      ].join("\n"));
    });

    test("pub reads the body from stdin; sub --raw prints bodies only; {{TimeStamp}} is RFC 3339", async () => {
      const sub = await startCli(["-s", srv.url, "sub", "raw.>", "--raw", "--count", "2"], undefined);
      await waitForSubscription(monitor, "raw.>");
      const a = await runCli(["-s", srv.url, "pub", "raw.a"], { input: "from stdin" });
      assert.equal(a.code, 0, a.stderr);
      assert.match(a.stderr, /Reading payload from STDIN/);
      await runCli(["-s", srv.url, "pub", "raw.b", "at {{TimeStamp}}"]);
      const got = await sub.done;
      assert.match(got.stdout, /^from stdin\nat \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
    });

    test("sub --queue: two members of a group share the messages", async () => {
      const a = await startCli(["-s", srv.url, "sub", "work", "--queue", "q1", "--raw"], undefined);
      const b = await startCli(["-s", srv.url, "sub", "work", "--queue", "q1", "--raw"], undefined);
      await waitForSubscription(monitor, "work", 2);
      const pub = await runCli(["-s", srv.url, "pub", "work", "job-{{Count}}", "--count", "20", "-q"]);
      assert.equal(pub.code, 0, pub.stderr);
      assert.equal(pub.stderr, "", "--quiet prints nothing");
      const lines = () => (a.stdout() + b.stdout()).split("\n").filter(Boolean);
      await waitUntil(() => lines().length >= 20, 10_000, "20 messages across the group");
      a.stop();
      b.stop();
      const [ra, rb] = await Promise.all([a.done, b.done]);
      assert.deepEqual((ra.stdout + rb.stdout).split("\n").filter(Boolean).sort(),
        Array.from({ length: 20 }, (_, i) => `job-${i + 1}`).sort(), "each message went to exactly one member");
      assert.ok(ra.stdout.length > 0 && rb.stdout.length > 0, "both members got some");
    });

    test("reply answers req; req prints the rtt line and the body", async () => {
      const rep = await startCli(["-s", srv.url, "reply", "svc.echo", "pong {{Count}}", "--count", "1"], /Listening on "svc\.echo" in group "NATS-RPLY-22"/);
      const req = await runCli(["-s", srv.url, "req", "svc.echo", "ping", "-H", "K:V"]);
      assert.equal(req.code, 0, req.stderr);
      assert.equal(req.stdout, "pong 1\n");
      assert.match(req.stderr, /Sending request on "svc\.echo"\n.*Received with rtt [\d.]+(ms|µs)\n/);
      const r = await rep.done;
      assert.equal(r.code, 0);
      assert.match(r.stderr, /\[#1\] Received on subject "svc\.echo":\n\d\d:\d\d:\d\d K: V\n/);
      assert.equal(r.stdout, "\nping\n");
    });

    test("req without a responder fails on one line with exit 1", async () => {
      const req = await runCli(["-s", srv.url, "req", "nobody.home", "x"]);
      assert.equal(req.code, 1);
      assert.equal(req.stderr.split("\n").filter(Boolean).pop(), "tsnats: error: nats: no responders available for request");
    });
  });
}
