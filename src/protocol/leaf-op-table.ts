/**
 * The leaf node protocol's op table (spec §7.3): INFO, CONNECT, PING, PONG, LS+/LS-, LMSG/HMSG and -ERR,
 * and what a leaf connection implements to be driven by it. Messages are read by the route table's
 * token reader without an account (the connection's bound account is theirs); malformed ops are logged
 * and the link closed, as nats-server does.
 */
import { OpTable, str, type Op } from "./parser.js";
import { parseLeafMsg, parseLeafSub, parseLeafUnsub } from "./leaf-ops.js";
import { routedArgs, type RoutedMsgHandler } from "./route-op-table.js";
import type { RemoteSub, RemoteUnsub } from "./route-ops.js";

export interface LeafOpHandler extends RoutedMsgHandler {
  onLeafConnect(json: string): void;
  onLeafInfo(json: string): void;
  /** LS+: `account` is "" (the connection's). */
  onRemoteSub(sub: RemoteSub): void;
  onRemoteUnsub(unsub: RemoteUnsub): void;
  onPing(): void;
  onPong(): void;
  /** The peer sent `-ERR` (a loop, a permission, a refused CONNECT): logged, and the link closed. */
  onPeerError(text: string): void;
}

type LeafOp = Op<LeafOpHandler>;

const argOp = (name: string, run: LeafOp["run"]): LeafOp => ({ name, follows: "args", bounded: true, beforeConnect: false, run });

const interestOp = (name: string, plus: boolean): LeafOp =>
  argOp(name, (p, h, buf, s, e) => {
    if (p.argTooLong(s, e)) return;
    const arg = str(buf, s, e);
    const r = plus ? parseLeafSub(arg) : parseLeafUnsub(arg);
    if (typeof r === "string") h.onProtocolError(undefined, r);
    else if (plus) h.onRemoteSub(r as RemoteSub);
    else h.onRemoteUnsub(r as RemoteUnsub);
  });

export const LEAF_OPS = new OpTable<LeafOpHandler>([
  { name: "CONNECT", follows: "anything", bounded: false, beforeConnect: true, run: (_p, h, buf, s, e) => h.onLeafConnect(str(buf, s, e).trim()) },
  { name: "INFO", follows: "anything", bounded: false, beforeConnect: true, run: (_p, h, buf, s, e) => h.onLeafInfo(str(buf, s, e).trim()) },
  { name: "PING", follows: "nothing", bounded: true, beforeConnect: true, run: (_p, h) => h.onPing() },
  { name: "PONG", follows: "nothing", bounded: true, beforeConnect: true, run: (_p, h) => h.onPong() },
  { name: "-ERR", follows: "args", bounded: false, beforeConnect: true, run: (_p, h, buf, s, e) => h.onPeerError(str(buf, s, e).trim()) },
  interestOp("LS+", true),
  interestOp("LS-", false),
  argOp("LMSG", (p, h, buf, s, e) => routedArgs(p, h, buf, s, e, false, (a) => parseLeafMsg(a, false), false)),
  argOp("HMSG", (p, h, buf, s, e) => routedArgs(p, h, buf, s, e, true, (a) => parseLeafMsg(a, true), false)),
]);
