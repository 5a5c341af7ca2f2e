/**
 * Well-formed client sessions: the starting material that the mutators break. Each op is one complete
 * protocol unit (control line plus payload), so ops can be reordered, dropped or spliced as units.
 */
import type { Rng } from "./prng.js";

const SUBJECTS = ["foo", "foo.bar", "a.b.c", "fz.x", "_INBOX.fz.1", "$SYS.fz", "f\u00e9.utf8"];
const SUB_SUBJECTS = [...SUBJECTS, "*", ">", "foo.*", "a.*.c", "a.>", "fz.>"];
const QUEUES = ["q", "workers", "g1"];
const HEADER_KEYS = ["X-A", "x-b", "Nats-Msg-Id", "Content-Type", "mIxEd"];

function connectOp(rng: Rng): string {
  const fields: Record<string, unknown> = {
    verbose: rng.chance(0.2),
    pedantic: rng.chance(0.2),
    protocol: rng.pick([0, 1]),
    headers: rng.chance(0.8),
    no_responders: rng.chance(0.5),
    echo: rng.chance(0.7),
    lang: "fuzz",
    version: "0.0.1",
  };
  if (rng.chance(0.1)) fields.name = "n".repeat(rng.int(200));
  return `CONNECT ${JSON.stringify(fields)}\r\n`;
}

function payload(rng: Rng): Buffer {
  const size = rng.chance(0.05) ? rng.int(70_000) : rng.int(64);
  return rng.chance(0.5) ? rng.bytes(size) : Buffer.from("p".repeat(size));
}

function headerBlock(rng: Rng): Buffer {
  let h = rng.chance(0.1) ? "NATS/1.0 503\r\n" : "NATS/1.0\r\n";
  for (let i = rng.int(4); i > 0; i--) h += `${rng.pick(HEADER_KEYS)}: ${"v".repeat(rng.int(20))}\r\n`;
  return Buffer.from(`${h}\r\n`, "latin1");
}

function pubOp(rng: Rng): Buffer {
  const subject = rng.pick(SUBJECTS);
  const reply = rng.chance(0.3) ? ` ${rng.pick(SUBJECTS)}` : "";
  const body = payload(rng);
  if (rng.chance(0.35)) {
    const hdr = headerBlock(rng);
    const line = `HPUB ${subject}${reply} ${hdr.length} ${hdr.length + body.length}\r\n`;
    return Buffer.concat([Buffer.from(line, "latin1"), hdr, body, Buffer.from("\r\n")]);
  }
  return Buffer.concat([Buffer.from(`PUB ${subject}${reply} ${body.length}\r\n`, "latin1"), body, Buffer.from("\r\n")]);
}

/** One op of a session after CONNECT. */
function op(rng: Rng, sids: number[]): Buffer {
  switch (rng.int(7)) {
    case 0:
    case 1: {
      const sid = rng.int(20);
      sids.push(sid);
      const queue = rng.chance(0.3) ? ` ${rng.pick(QUEUES)}` : "";
      return Buffer.from(`SUB ${rng.pick(SUB_SUBJECTS)}${queue} ${sid}\r\n`, "latin1");
    }
    case 2: {
      const sid = sids.length > 0 && rng.chance(0.8) ? rng.pick(sids) : rng.int(20);
      const max = rng.chance(0.4) ? ` ${rng.int(5)}` : "";
      return Buffer.from(`UNSUB ${sid}${max}\r\n`);
    }
    case 3:
      return Buffer.from(rng.chance(0.8) ? "PING\r\n" : "PONG\r\n");
    default:
      return pubOp(rng);
  }
}

/** A valid session: usually CONNECT first, then up to `maxOps` ops. */
export function validSession(rng: Rng, maxOps = 30): Buffer[] {
  const ops: Buffer[] = [];
  if (rng.chance(0.9)) ops.push(Buffer.from(connectOp(rng), "latin1"));
  const sids: number[] = [];
  for (let i = rng.between(1, maxOps); i > 0; i--) ops.push(op(rng, sids));
  return ops;
}
