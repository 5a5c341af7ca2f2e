/**
 * Header blocks a consumer writes: delivered messages with headers added (headers_only's
 * Nats-Msg-Size, a pinned client's Nats-Pin-Id), and the status messages of push and pull consumers.
 */

const HDR_LINE = "NATS/1.0\r\n";
const CRLF = "\r\n";

/** `hdr` (or an empty block) with `name: value` appended. */
export function addHeader(hdr: Buffer | undefined, name: string, value: string): Buffer {
  const line = `${name}: ${value}\r\n\r\n`;
  if (hdr === undefined || hdr.length === 0) return Buffer.from(`${HDR_LINE}${line}`, "latin1");
  // Drop the block's final CRLF and add the line with a new one.
  const head = hdr.subarray(0, hdr.length - CRLF.length);
  return Buffer.concat([head, Buffer.from(line, "latin1")]);
}

/** Headers then body as one payload, without a copy when the store handed out adjacent slices. */
export function joinPayload(hdr: Buffer, data: Buffer): Buffer {
  if (data.length === 0) return hdr;
  if (hdr.buffer === data.buffer && hdr.byteOffset + hdr.length === data.byteOffset) {
    return Buffer.from(hdr.buffer, hdr.byteOffset, hdr.length + data.length);
  }
  return Buffer.concat([hdr, data]);
}

/** `NATS/1.0 100 Idle Heartbeat` with the last delivered sequences, plus the stalled flow control reply. */
export function idleHeartbeat(lastConsumer: number, lastStream: number, stalledOn: string | undefined): string {
  const stalled = stalledOn === undefined ? "" : `Nats-Consumer-Stalled: ${stalledOn}\r\n`;
  return `NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: ${lastConsumer}\r\nNats-Last-Stream: ${lastStream}\r\n${stalled}\r\n`;
}

export const FLOW_CONTROL_REQUEST = "NATS/1.0 100 FlowControl Request\r\n\r\n";
