/**
 * Differential check against the reference nats-server over a raw socket: which SUB subjects it
 * refuses, which pedantic PUB subjects it refuses, and which subscriptions each published subject
 * reaches, compared with isValidSubscribeSubject, isValidLiteralSubject and Sublist.match.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { natsServerAvailable, startServerProcess, type ServerProcess } from "../helpers/server-process.js";
import { isValidLiteralSubject, isValidSubscribeSubject } from "../../src/subjects/validate.js";
import { Sublist } from "../../src/subjects/sublist.js";

/** A raw protocol connection whose traffic is handled as latin1, one char per byte. */
class RawConn {
  private buffered = "";
  private waiter: (() => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.buffered += d.toString("latin1");
      this.waiter?.();
    });
  }

  static async open(port: number, connectJson: string): Promise<RawConn> {
    const socket = connect({ host: "127.0.0.1", port });
    await new Promise<void>((res, rej) => {
      socket.once("connect", res);
      socket.once("error", rej);
    });
    const conn = new RawConn(socket);
    await conn.until("\r\n");
    conn.buffered = "";
    await conn.roundTrip(`CONNECT ${connectJson}\r\n`);
    return conn;
  }

  /** Sends `text` then PING, and returns everything the server sent before the PONG. */
  async roundTrip(text: string): Promise<string> {
    this.socket.write(Buffer.from(text + "PING\r\n", "latin1"));
    await this.until("PONG\r\n");
    const at = this.buffered.indexOf("PONG\r\n");
    const before = this.buffered.slice(0, at);
    this.buffered = this.buffered.slice(at + 6);
    return before;
  }

  private async until(marker: string): Promise<void> {
    while (!this.buffered.includes(marker)) {
      await new Promise<void>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`timed out waiting for ${JSON.stringify(marker)}`)), 5000);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = null;
          res();
        };
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

const SUB_SUBJECTS = [
  "a", "a.b", "*", ">", "a.*", "a.>", "*.b", "a.*.>", "a.**.b", "a.*b", "a.>b", "a\x00b", "a\fb", "a\x0bb",
  "caf\xc3\xa9", "a\xffb", "$SYS.x", ".", "..", ".a", "a.", "a..b", "a.>.b", ">.a", "a.b.>.*",
];
const PUB_SUBJECTS = ["a", "a.b", "a.*", "a.>", "*", ">", "a.*b", "a.>b", "a\x00b", "a\fb", "a\xffb", "a..b", ".a", "a.", "."];

describe("subject rules against nats-server", { skip: !natsServerAvailable() && "nats-server is not installed" }, () => {
  let server: ServerProcess;
  before(async () => {
    server = await startServerProcess({ impl: "nats-server" });
  });
  after(async () => {
    await server?.stop();
  });

  it("SUB is refused exactly when isValidSubscribeSubject says so", async () => {
    const conn = await RawConn.open(server.port, `{"verbose":true,"pedantic":true}`);
    try {
      let sid = 0;
      for (const subject of SUB_SUBJECTS) {
        const reply = await conn.roundTrip(`SUB ${subject} ${++sid}\r\n`);
        const expected = isValidSubscribeSubject(subject) ? "+OK\r\n" : "-ERR 'Invalid Subject'\r\n";
        assert.equal(reply, expected, JSON.stringify(subject));
      }
    } finally {
      conn.close();
    }
  });

  it("pedantic PUB is refused exactly when isValidLiteralSubject says so", async () => {
    const conn = await RawConn.open(server.port, `{"verbose":true,"pedantic":true}`);
    try {
      for (const subject of PUB_SUBJECTS) {
        const reply = await conn.roundTrip(`PUB ${subject} 0\r\n\r\n`);
        const expected = isValidLiteralSubject(subject) ? "+OK\r\n" : "-ERR 'Invalid Publish Subject'\r\n+OK\r\n";
        assert.equal(reply, expected, JSON.stringify(subject));
      }
    } finally {
      conn.close();
    }
  });

  it("a published subject reaches the same subscriptions as Sublist.match finds", async () => {
    const subscriber = await RawConn.open(server.port, `{"verbose":false,"pedantic":false}`);
    const publisher = await RawConn.open(server.port, `{"verbose":false,"pedantic":false}`);
    try {
      const filters = SUB_SUBJECTS.filter(isValidSubscribeSubject);
      const sublist = new Sublist<{ subject: string; queue: undefined; sid: string }>();
      let subs = "";
      filters.forEach((subject, i) => {
        sublist.insert({ subject, queue: undefined, sid: String(i + 1) });
        subs += `SUB ${subject} ${i + 1}\r\n`;
      });
      assert.equal(await subscriber.roundTrip(subs), "");
      for (const subject of PUB_SUBJECTS) {
        await publisher.roundTrip(`PUB ${subject} 0\r\n\r\n`);
        const delivered = await subscriber.roundTrip("");
        const sids = [...delivered.matchAll(/MSG ([^ ]+) ([^ ]+) 0\r\n\r\n/g)].map((m) => {
          assert.equal(m[1], subject);
          return m[2];
        });
        const expected = sublist.match(subject).plain.map((s) => s.sid);
        assert.deepEqual(sids.sort(), expected.sort(), JSON.stringify(subject));
      }
    } finally {
      subscriber.close();
      publisher.close();
    }
  });
});
