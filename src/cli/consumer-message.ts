/** A message a consumer delivered, as `consumer next` and `consumer sub` print it. */
import { ackMetadata, type AckMetadata } from "./jetstream.js";
import { comma } from "./format/units.js";
import { headerLines } from "./message-format.js";
import type { MsgHdrs } from "@nats-io/transport-node";

export interface DeliveredMsg {
  subject: string;
  reply?: string;
  headers?: MsgHdrs | undefined;
  data: Uint8Array;
  /** The delivery details, when known other than from the reply subject. */
  meta?: AckMetadata;
}

export function deliveredView(m: DeliveredMsg, raw: boolean | undefined): string {
  const body = new TextDecoder().decode(m.data);
  if (raw) return `${body}\n`;
  const meta = m.meta ?? ackMetadata(m.reply);
  const now = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  const clock = `${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}`;
  let out = meta
    ? `[${clock}] subj: ${m.subject} / tries: ${meta.delivered} / cons seq: ${meta.consumerSeq} / str seq: ${meta.streamSeq} / pending: ${comma(meta.pending)}\n`
    : `--- subject: ${m.subject} reply: ${m.reply}\n`;
  const hs = headerLines(m.headers);
  if (hs.length > 0) out += `\nHeaders:\n\n${hs.map((h) => `  ${h}\n`).join("")}\nData:\n\n`;
  return `${out}\n${body}\n`;
}
