/**
 * The arguments of the route protocol's ops (spec §7.1), read and written byte for byte as nats-server
 * 2.9.10 does:
 *
 *   RS+ <account> <subject> [<queue> <weight>]        RS- <account> <subject> [<queue>]
 *   LS+ <origin> <account> <subject> [<queue> <weight>]
 *   LS- <account> <subject> [<queue>]                  (2.11 with `lnocu`: LS- <origin> <account> ...)
 *   RMSG <account> <subject> [<reply>] <size>
 *   RMSG <account> <subject> + <reply> <queue>... <size> | RMSG <account> <subject> | <queue>... <size>
 *   HMSG <account> <subject> ... <header size> <size>  (same reply/queue forms)
 *   LMSG <origin> <account> <subject> ... <header size> <size>  (always with headers)
 *
 * `+ <reply>` or `|` announces the queue groups that follow: the receiving server delivers the message
 * to one member of each of those groups (the sender chose to route it there) and to every plain
 * subscriber. A parse function takes the argument text after the op name (without the line end) and
 * returns the parsed op, or the error nats-server logs before closing the route (it sends no -ERR for
 * these). Arguments are split on spaces, tabs, CR and LF, as nats-server splits them.
 */

export interface RemoteSub {
  /** LS+ only: the cluster the leaf interest came from. */
  origin?: string;
  account: string;
  subject: string;
  queue?: string;
  /**
   * Queue members behind this interest on the sending server (a queue RS+ is sent again as it
   * changes). nats-server keeps what it parses: a weight that is not a number is -1, and accepted.
   */
  weight?: number;
}

export interface RemoteUnsub {
  origin?: string;
  account: string;
  subject: string;
  queue?: string;
}

export interface RoutedMsg {
  /** LMSG only. */
  origin?: string;
  account: string;
  subject: string;
  reply?: string;
  /** Queue groups to deliver to (one member each); empty when none were named. */
  queues: string[];
  /** Bytes of header at the start of the payload; -1 for RMSG. */
  headerSize: number;
  /** Payload bytes that follow the line (headers included). */
  size: number;
}

const MAX_SIZE_DIGITS = 9;

/** nats-server 2.9.10's size: 1 to 9 decimal digits, else -1 (so no route payload reaches 1 GB). */
function parseSize(s: string): number {
  if (s.length === 0 || s.length > MAX_SIZE_DIGITS) return -1;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function isSeparator(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10;
}

/** The argument's fields, as nats-server's splitArg. */
export function splitRouteArgs(arg: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < arg.length; i++) {
    if (isSeparator(arg.charCodeAt(i))) {
      if (start >= 0) out.push(arg.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(arg.slice(start));
  return out;
}

/** Go's `%s` of a [][]byte, as nats-server prints split arguments in some errors. */
function goList(args: readonly string[]): string {
  return `[${args.join(" ")}]`;
}

/** RS+ (`hasOrigin` false) and LS+ (true). */
export function parseRemoteSub(arg: string, hasOrigin: boolean): RemoteSub | string {
  const args = splitRouteArgs(arg);
  const off = hasOrigin ? 1 : 0;
  if (args.length !== 2 + off && args.length !== 4 + off) return `processRemoteSub Parse Error: '${arg}'`;
  const sub: RemoteSub = { account: args[off]!, subject: args[off + 1]! };
  if (hasOrigin) sub.origin = args[0]!;
  if (args.length === 4 + off) {
    sub.queue = args[off + 2]!;
    sub.weight = parseSize(args[off + 3]!);
  }
  return sub;
}

/** RS- and LS- (`hasOrigin` when both sides negotiated `lnocu`). */
export function parseRemoteUnsub(arg: string, hasOrigin: boolean): RemoteUnsub | string {
  const args = splitRouteArgs(arg);
  const off = hasOrigin ? 1 : 0;
  if (args.length !== 2 + off && args.length !== 3 + off) return `processRemoteUnsub parse error: '${arg}'`;
  const unsub: RemoteUnsub = { account: args[off]!, subject: args[off + 1]! };
  if (hasOrigin) unsub.origin = args[0]!;
  if (args.length === 3 + off) unsub.queue = args[off + 2]!;
  return unsub;
}

type MsgForm = "RMSG" | "HMSG" | "LMSG";

/** nats-server's function names, which prefix its error texts. */
const FUNC: Record<MsgForm, string> = {
  RMSG: "processRoutedMsgArgs",
  HMSG: "processRoutedHeaderMsgArgs",
  LMSG: "processRoutedOriginClusterMsgArgs",
};

function parseMsg(form: MsgForm, arg: string): RoutedMsg | string {
  const fn = FUNC[form];
  const args = splitRouteArgs(arg);
  const off = form === "LMSG" ? 1 : 0;
  const headers = form !== "RMSG";
  const sizes = headers ? 2 : 1;
  // account, subject, [sizes]; then one more for a bare reply; more than that: an indicator and queues.
  const minimum = off + 2 + sizes;
  if (args.length < minimum) return `${fn} Parse Error: '${goList(args)}'`;
  const msg: RoutedMsg = { account: args[off]!, subject: args[off + 1]!, queues: [], headerSize: -1, size: -1 };
  if (off) msg.origin = args[0]!;
  if (args.length === minimum + 1) msg.reply = args[off + 2]!;
  else if (args.length > minimum + 1) {
    const indicator = args[off + 2]!;
    if (indicator === "+") msg.reply = args[off + 3]!;
    else if (indicator !== "|") return `${fn} Bad or Missing Reply Indicator: '${indicator}'`;
    msg.queues = args.slice(off + (msg.reply === undefined ? 3 : 4), args.length - sizes);
  }
  if (headers) msg.headerSize = parseSize(args[args.length - 2]!);
  msg.size = parseSize(args[args.length - 1]!);
  if (headers && msg.headerSize < 0) return `${fn} Bad or Missing Header Size: '${arg}'`;
  if (msg.size < 0) return `${fn} Bad or Missing Size: '${goList(args)}'`;
  if (headers && msg.headerSize > msg.size) return `${fn} Header Size larger then TotalSize: '${arg}'`;
  return msg;
}

export function parseRmsg(arg: string): RoutedMsg | string {
  return parseMsg("RMSG", arg);
}

export function parseHmsg(arg: string): RoutedMsg | string {
  return parseMsg("HMSG", arg);
}

export function parseLmsg(arg: string): RoutedMsg | string {
  return parseMsg("LMSG", arg);
}

/** `RS+ <account> <subject>[ <queue> <weight>]\r\n`. */
export function encodeRsPlus(account: string, subject: string, queue?: string, weight?: number): string {
  return queue === undefined ? `RS+ ${account} ${subject}\r\n` : `RS+ ${account} ${subject} ${queue} ${weight ?? 1}\r\n`;
}

/** `RS- <account> <subject>[ <queue>]\r\n`. */
export function encodeRsMinus(account: string, subject: string, queue?: string): string {
  return queue === undefined ? `RS- ${account} ${subject}\r\n` : `RS- ${account} ${subject} ${queue}\r\n`;
}

/** `LS+ <origin> <account> <subject>[ <queue> <weight>]\r\n`. */
export function encodeLsPlus(origin: string, account: string, subject: string, queue?: string, weight?: number): string {
  return `LS+ ${origin} ${encodeRsPlus(account, subject, queue, weight).slice(4)}`;
}

/** `LS- [<origin> ]<account> <subject>[ <queue>]\r\n`: the origin only to peers that negotiated `lnocu`. */
export function encodeLsMinus(origin: string | undefined, account: string, subject: string, queue?: string): string {
  const rest = encodeRsMinus(account, subject, queue).slice(4);
  return origin === undefined ? `LS- ${rest}` : `LS- ${origin} ${rest}`;
}

/**
 * The start of a routed message's line up to the subject: `RMSG <account> `, `HMSG <account> `, or
 * `LMSG <origin> <account> `. It depends only on the account (and origin), so a route can keep it.
 */
export function routedMsgPrefix(headers: boolean, account: string, origin?: string): string {
  if (origin !== undefined) return `LMSG ${origin} ${account} `;
  return `${headers ? "HMSG" : "RMSG"} ${account} `;
}

/**
 * The rest of a routed message's line after the subject, line end included: the reply and queue groups
 * in nats-server's form, then the header size (when `headerSize` >= 0) and the total size.
 */
export function routedMsgTail(reply: string | undefined, queues: readonly string[], headerSize: number, size: number): string {
  let t = "";
  if (queues.length > 0) t = reply === undefined ? " |" : ` + ${reply}`;
  else if (reply !== undefined) t = ` ${reply}`;
  for (const q of queues) t += ` ${q}`;
  if (headerSize >= 0) t += ` ${headerSize}`;
  return `${t} ${size}\r\n`;
}

/** A whole routed message line (tests, and connections that do not keep the prefix). */
export function encodeRoutedMsgLine(m: RoutedMsg): string {
  return routedMsgPrefix(m.headerSize >= 0, m.account, m.origin) + m.subject + routedMsgTail(m.reply, m.queues, m.headerSize, m.size);
}
