/**
 * Push consumers hear of interest as it changes (interest events, no polling): one created before its
 * subscriber delivers within milliseconds of the SUB (nats.js relies on that, issue #15 D1), and one
 * whose subscriber leaves stops being push-bound at once.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { api, embeddedJs } from "./support.js";

/** A raw client; `until` waits for text to arrive after a mark. */
async function raw(port: number): Promise<{ s: Socket; text: () => string; until(re: RegExp, from: number, ms: number): Promise<number> }> {
  const s = connect({ host: "127.0.0.1", port });
  await once(s, "connect");
  let buf = "";
  const waiters: (() => void)[] = [];
  s.on("data", (d: Buffer) => {
    buf += d.toString("latin1");
    for (const w of waiters.splice(0)) w();
  });
  s.write('CONNECT {"verbose":false}\r\nPING\r\n');
  const until = (re: RegExp, from: number, ms: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms: ${JSON.stringify(buf.slice(from))}`)), ms);
      const check = (): void => {
        if (re.test(buf.slice(from))) {
          clearTimeout(timer);
          resolve(performance.now());
        } else waiters.push(check);
      };
      check();
    });
  await until(/PONG\r\n/, 0, 5000);
  return { s, text: () => buf, until };
}

test("a push consumer created before its subscriber delivers as soon as the SUB arrives", async (t) => {
  const env = await embeddedJs(t);
  await env.jsm.streams.add({ name: "S", subjects: ["s.>"] });
  const created = await api(env.nc, "$JS.API.CONSUMER.DURABLE.CREATE.S.d", { stream_name: "S", config: { durable_name: "d", deliver_subject: "push.d", ack_policy: "none" } });
  assert.equal(created.error, undefined);
  const delays: number[] = [];
  for (let round = 0; round < 5; round++) {
    await env.js.publish(`s.${round}`, `m${round}`);
    const c = await raw(env.server!.port);
    const mark = c.text().length;
    const sent = performance.now();
    c.s.write("SUB push.d 1\r\n");
    const got = await c.until(new RegExp(`MSG s\\.${round} 1 \\S+ 2\\r\\nm${round}\\r\\n`), mark, 2000);
    delays.push(got - sent);
    // Interest goes with the UNSUB: the consumer is no longer push-bound, at once.
    c.s.write("UNSUB 1\r\nPING\r\n");
    await c.until(/PONG\r\n/, c.text().indexOf(`m${round}\r\n`), 2000);
    const info = await api(env.nc, "$JS.API.CONSUMER.INFO.S.d");
    assert.ok(info.push_bound !== true, `round ${round}: still push-bound after UNSUB`);
    c.s.destroy();
  }
  // The poll this replaces looked every 100 ms: 5 rounds under 50 ms each would be luck (1 in 32).
  assert.ok(delays.every((d) => d < 50), `delays ${delays.map((d) => d.toFixed(1)).join(", ")} ms`);
});

test("a deliver group's first member starts delivery, and a wildcard subscriber counts as interest", async (t) => {
  const env = await embeddedJs(t);
  await env.jsm.streams.add({ name: "S", subjects: ["s.>"] });
  for (const [name, extra] of [["g", { deliver_group: "workers" }], ["w", {}]] as const) {
    await api(env.nc, `$JS.API.CONSUMER.DURABLE.CREATE.S.${name}`, { stream_name: "S", config: { durable_name: name, deliver_subject: `push.${name}.x`, ack_policy: "none", ...extra } });
  }
  await env.js.publish("s.1", "hi");
  const c = await raw(env.server!.port);
  const mark = c.text().length;
  const sent = performance.now();
  c.s.write("SUB push.g.x workers 1\r\nSUB push.w.* 2\r\n");
  const got = await c.until(/MSG s\.1 1 \S+ 2\r\nhi\r\n[^]*MSG s\.1 2 \S+ 2\r\nhi\r\n|MSG s\.1 2 \S+ 2\r\nhi\r\n[^]*MSG s\.1 1 \S+ 2\r\nhi\r\n/, mark, 2000);
  assert.ok(got - sent < 50, `${(got - sent).toFixed(1)} ms`);
  c.s.destroy();
});
