/**
 * Producer stalling as seen from outside: a publisher waits for a consumer that reads slower than it
 * publishes, so the server queues little for it; a consumer that does not read at all gets a burst
 * buffered (up to 3/4 of max_pending) without holding the publisher.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { freePort, startServerProcess } from "../helpers/server-process.js";

const PAYLOAD = 1000;
const MSG_BYTES = `MSG s.t 1 ${PAYLOAD}\r\n`.length + PAYLOAD + 2;

/**
 * A raw connection that counts the MSG bytes it receives after its first PONG, and the PONGs after it.
 * The server's PINGs are answered and not counted (the RTT PING comes ~2 s after connecting, within a
 * run on a loaded machine). After the first PONG only whole MSGs of MSG_BYTES, PINGs and PONGs arrive;
 * `inMsg` is how far into a MSG the stream is, `carry` a control line cut by a chunk's end.
 */
class Conn {
  received = 0;
  pongs = 0;
  private text = "";
  private synced = false;
  private inMsg = 0;
  private carry = "";
  private waiters: (() => void)[] = [];

  constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      if (this.synced) this.count(d.toString("latin1"));
      else {
        this.text += d.toString("latin1");
        const at = this.text.indexOf("PONG\r\n");
        if (at >= 0) {
          this.synced = true;
          this.count(this.text.slice(at + 6));
        }
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  private count(chunk: string): void {
    let text = this.carry + chunk;
    this.carry = "";
    while (text.length > 0) {
      if (this.inMsg === 0 && text[0] === "P") {
        if (text.length < 6) {
          this.carry = text;
          return;
        }
        const line = text.slice(0, 6);
        if (line === "PING\r\n") this.socket.write("PONG\r\n");
        else {
          assert.equal(line, "PONG\r\n");
          this.pongs++;
        }
        text = text.slice(6);
        continue;
      }
      const take = Math.min(MSG_BYTES - this.inMsg, text.length);
      this.received += take;
      this.inMsg = (this.inMsg + take) % MSG_BYTES;
      text = text.slice(take);
    }
  }

  static async open(port: number): Promise<Conn> {
    const s = connect({ host: "127.0.0.1", port });
    await once(s, "connect");
    s.write('CONNECT {"verbose":false,"pedantic":false,"protocol":1}\r\n');
    return new Conn(s);
  }

  /** Resolves once `cond` holds after some data arrived; rejects after `ms`. */
  until(cond: () => boolean, ms: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      const check = (): void => {
        if (cond()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  async sync(): Promise<void> {
    this.socket.write("PING\r\n");
    await this.until(() => this.synced, 5000, "PONG");
  }
}

/** Publishes `n` messages of PAYLOAD bytes to s.t, in batches, as fast as the socket takes them. */
async function publish(s: Socket, n: number): Promise<void> {
  const one = Buffer.concat([Buffer.from(`PUB s.t ${PAYLOAD}\r\n`), Buffer.alloc(PAYLOAD, 0x61), Buffer.from("\r\n")]);
  const batch = Buffer.concat(Array.from({ length: 64 }, () => one));
  for (let i = 0; i < n; i += 64) {
    if (!s.write(batch)) await once(s, "drain");
  }
}

test("a publisher waits for a consumer that reads slowly: the server queues about a MB for it, not 3/4 of max_pending", { timeout: 60_000 }, async (t) => {
  const mport = await freePort();
  const srv = await startServerProcess({ args: ["-m", String(mport)] });
  t.after(() => srv.stop("SIGKILL"));
  const sub = await Conn.open(srv.port);
  t.after(() => sub.socket.destroy());
  sub.socket.write("SUB s.t 1\r\n");
  await sub.sync();
  // About 30 MB/s at most: far slower than a publisher on loopback.
  sub.socket.on("data", () => {
    sub.socket.pause();
    setTimeout(() => sub.socket.resume(), 2);
  });

  const pub = await Conn.open(srv.port);
  t.after(() => pub.socket.destroy());
  const n = 30_016;
  let maxPending = 0;
  let samples = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const connz = (await (await fetch(`http://127.0.0.1:${mport}/connz`)).json()) as { connections: { pending_bytes: number }[] };
      for (const c of connz.connections) maxPending = Math.max(maxPending, c.pending_bytes);
      samples++;
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  await publish(pub.socket, n);
  await sub.until(() => sub.received >= n * MSG_BYTES, 50_000, "every message at the slow subscriber");
  sampling = false;
  await sampler;
  assert.equal(sub.received, n * MSG_BYTES);
  assert.ok(samples >= 3, `connz sampled ${samples} times`);
  // 1 MB plus a turn's worth; a reader whose socket takes nothing for a while may queue 4 or 16 MB meanwhile.
  assert.ok(maxPending < 20 * 1024 * 1024, `up to ${maxPending} bytes queued for the slow subscriber`);
});

test("a burst for a consumer that is not reading is buffered; the publisher goes on and nothing is lost", { timeout: 30_000 }, async (t) => {
  const srv = await startServerProcess({ config: 'write_deadline: "5s"\n' });
  t.after(() => srv.stop("SIGKILL"));
  const sub = await Conn.open(srv.port);
  t.after(() => sub.socket.destroy());
  sub.socket.write("SUB s.t 1\r\n");
  await sub.sync();
  sub.socket.pause();

  const pub = await Conn.open(srv.port);
  t.after(() => pub.socket.destroy());
  await pub.sync();
  // 12 MB: more than socket buffers hold, less than 3/4 of the default max_pending (64 MB).
  const n = 12_032;
  await publish(pub.socket, n);
  pub.socket.write("PING\r\n");
  // Held until write_deadline instead, the subscriber would be cut off as a slow consumer.
  await pub.until(() => pub.pongs > 0, 20_000, "the publisher's PONG");
  sub.socket.resume();
  await sub.until(() => sub.received >= n * MSG_BYTES, 20_000, "every message at the subscriber");
  assert.equal(sub.received, n * MSG_BYTES);
});
