/**
 * The arguments of the leaf node protocol's ops (spec §7.3), as nats-server 2.9.10 reads and writes them
 * on a leaf connection. A leaf connection is bound to one account on each side, so no op names it:
 *
 *   LS+ <subject> [<queue> <weight>]        LS- <subject> [<queue>]
 *   LMSG <subject> [<reply>] <size>         LMSG <subject> + <reply> <queue>... <size>
 *   LMSG <subject> | <queue>... <size>      HMSG <subject> ... <header size> <size>  (same forms)
 *
 * Queue names after `+ <reply>` or `|` are the groups the sender chose the receiver for (route-ops.ts).
 * Parse functions return the parsed op or the error text nats-server logs before closing the link.
 */
import { splitRouteArgs, routedMsgTail, type RemoteSub, type RemoteUnsub, type RoutedMsg } from "./route-ops.js";

/** `LS+ subject [queue weight]`: the account is the connection's (""). */
export function parseLeafSub(arg: string): RemoteSub | string {
  const args = splitRouteArgs(arg);
  if (args.length !== 1 && args.length !== 3) return `processLeafSub Parse Error: '${arg}'`;
  const sub: RemoteSub = { account: "", subject: args[0]! };
  if (args.length === 3) {
    sub.queue = args[1]!;
    const w = Number(args[2]);
    sub.weight = /^[0-9]{1,9}$/.test(args[2]!) ? w : -1;
  }
  return sub;
}

/** `LS- subject [queue]`. */
export function parseLeafUnsub(arg: string): RemoteUnsub | string {
  const args = splitRouteArgs(arg);
  if (args.length !== 1 && args.length !== 2) return `processLeafUnsub Parse Error: '${arg}'`;
  const unsub: RemoteUnsub = { account: "", subject: args[0]! };
  if (args.length === 2) unsub.queue = args[1]!;
  return unsub;
}

/** LMSG (`headers` false) or a leaf connection's HMSG. */
export function parseLeafMsg(arg: string, headers: boolean): RoutedMsg | string {
  const fn = headers ? "processLeafHeaderMsgArgs" : "processLeafMsgArgs";
  const args = splitRouteArgs(arg);
  const sizes = headers ? 2 : 1;
  if (args.length < 1 + sizes) return `${fn} Parse Error: '[${args.join(" ")}]'`;
  const msg: RoutedMsg = { account: "", subject: args[0]!, queues: [], headerSize: -1, size: -1 };
  if (args.length === 2 + sizes) msg.reply = args[1]!;
  else if (args.length > 2 + sizes) {
    const indicator = args[1]!;
    if (indicator === "+") msg.reply = args[2]!;
    else if (indicator !== "|") return `${fn} Bad or Missing Reply Indicator: '${indicator}'`;
    msg.queues = args.slice(msg.reply === undefined ? 2 : 3, args.length - sizes);
  }
  const size = (s: string): number => (/^[0-9]{1,9}$/.test(s) ? Number(s) : -1);
  if (headers) msg.headerSize = size(args[args.length - 2]!);
  msg.size = size(args[args.length - 1]!);
  if (headers && msg.headerSize < 0) return `${fn} Bad or Missing Header Size: '${arg}'`;
  if (msg.size < 0) return `${fn} Bad or Missing Size: '[${args.join(" ")}]'`;
  if (headers && msg.headerSize > msg.size) return `${fn} Header Size larger then TotalSize: '${arg}'`;
  return msg;
}

/** `LS+ <key>[ <weight>]\r\n` where key is `subject` or `subject queue` (a queue's carries its weight). */
export function encodeLeafSub(subject: string, queue: string | undefined, weight: number): string {
  return queue === undefined ? `LS+ ${subject}\r\n` : `LS+ ${subject} ${queue} ${weight}\r\n`;
}

export function encodeLeafUnsub(subject: string, queue: string | undefined): string {
  return queue === undefined ? `LS- ${subject}\r\n` : `LS- ${subject} ${queue}\r\n`;
}

/** A whole leaf message line (tests, and the rare message that does not use Outgoing's cached tails). */
export function encodeLeafMsgLine(m: RoutedMsg): string {
  return `${m.headerSize >= 0 ? "HMSG" : "LMSG"} ${m.subject}${routedMsgTail(m.reply, m.queues, m.headerSize, m.size)}`;
}

/** The start of a leaf message's line: `LMSG ` or, with headers, `HMSG `. */
export function leafMsgPrefix(headers: boolean): string {
  return headers ? "HMSG " : "LMSG ";
}
