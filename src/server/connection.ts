/**
 * The connection base every connection kind stands on (client now; route, leaf node and gateway later):
 * the socket, the outbound buffer and its once-per-turn flush, keep-alive PINGs and stale detection, the
 * write deadline, producer stalling and the slow-consumer policy, closing with a reason, and tracing.
 * A kind adds its protocol: it parses what arrives (`parse`), and says what closing releases
 * (`released`: its subscriptions, its place in the server).
 *
 * Output is coalesced: everything queued for a connection during one event-loop turn goes out in a
 * single (corked) socket write when the server flushes its dirty connections at the end of the turn. A
 * connection whose queued plus unsent bytes pass max_pending, or whose socket cannot drain within
 * write_deadline, is a slow consumer and is closed; nobody else waits for it.
 *
 * Invariants: `stalls` is the number of targets holding this connection's reading (its socket is paused
 * exactly while it is above 0); a connection is in its owner's dirty list at most once (`dirty`).
 */
import type { Socket } from "node:net";
import type { Options } from "../config/options.js";
import { ERR, errLine, PING_LINE } from "../protocol/errors.js";
import type { SecuredConnection } from "../tls/acceptor.js";
import type { TlsSession } from "../tls/session.js";
import type { Logger } from "../util/logger.js";
import { ClosedReason } from "./closed-reason.js";
import { Outbound } from "./outbound.js";
import type { Publisher } from "./subscription.js";
import type { ServerStats } from "./stats.js";

/** What a connection needs from the server that owns it. */
export interface ConnectionHost {
  /** Read on every use: a reload replaces them. */
  readonly opts: Options;
  readonly logger: Logger;
  readonly stats: ServerStats;
  /** Queues `c` for the end-of-turn flush. */
  markDirty(c: Connection): void;
}

/**
 * Output queued for a consumer past which its publishers stop being read, while it is reading. A MB
 * behind a consumer keeps its socket busy (the kernel buffers more), while 3/4 of max_pending per
 * subscriber made fan-out bursts cost hundreds of MB of resident memory. nats-server stalls a producer
 * only past max_pending/2 (and for at most a second at a time).
 */
const STALL_BYTES = 1024 * 1024;
/**
 * A consumer whose socket takes nothing for this long while a publisher waits for it is not reading at
 * the moment: it may queue 4 times more, up to 3/4 of max_pending, until its socket takes output again.
 * So a burst for a paused reader is buffered (as nats-server does) instead of holding the publisher
 * until write_deadline cuts the reader off.
 */
const STALL_WAIT_MS = 200;

/** CONNECT JSON for the log: nats-server redacts "pass"; tsnats also hides "auth_token". */
export function redactSecrets(json: string): string {
  return json.replace(/("(?:pass|auth_token)"\s*:\s*)"(?:[^"\\]|\\.)*"?/g, '$1"[REDACTED]"');
}

export abstract class Connection implements Publisher {
  readonly out = new Outbound();
  readonly start = new Date();
  readonly host: string;
  readonly port: number;
  closed = false;
  closeReason: ClosedReason | undefined;
  stopTime: Date | undefined;

  // statistics, read by monitoring
  inMsgs = 0;
  inBytes = 0;
  outMsgs = 0;
  outBytes = 0;
  /** Last read or write (ms), for monitoring: a number, as a Date per read would be an allocation per read. */
  protected lastActivityMs = Date.now();
  /** Last time the peer sent anything (ms): a peer that talks needs no keep-alive PING. */
  private lastIn = Date.now();
  rttMs = 0;

  /** Queued in the owner's dirty list for the end-of-turn flush. */
  dirty = false;
  /** Bytes handed to the socket and not yet sent. */
  private socketPending = 0;
  private pingsOut = 0;
  private pingSentAt = 0;
  private pingTimer: NodeJS.Timeout | undefined;
  private writeTimer: NodeJS.Timeout | undefined;
  /** Set once the first PING (used to measure RTT) went out. */
  private rttMeasured = false;
  /** Publishers whose reading is paused until this connection's output drains (producer stalling). */
  private stalledPublishers: Set<Publisher> | undefined;
  /** How many slow targets this connection, as a publisher, is waiting for. */
  private stalls = 0;
  /** Stall limit multiplier, raised while the peer takes nothing and publishers wait for it. */
  private stallScale = 1;
  private stallTimer: NodeJS.Timeout | undefined;

  /** The TLS session once a handshake completed (version, cipher suite, peer certificates). */
  tls: TlsSession | undefined;
  /**
   * Called when a flush has reached the kernel. 'drain' alone is not enough: it follows only a write()
   * that returned false, so a partial write under the high-water mark (and every TLS write, which is
   * always queued) would otherwise look stuck until write_deadline. One bound function, no allocation.
   */
  private readonly writeDone = (err?: Error | null): void => {
    // This flush is written (writes complete in order): its slabs can carry later output.
    this.out.written(err == null);
    if (this.socketPending > 0) this.onDrain();
  };

  /**
   * `socket` is the TCP socket until a TLS handshake completes, then the TLS socket over it. With
   * `awaitingTls` nothing is read until the TLS layer hands over: startReading() or secured().
   */
  constructor(
    protected readonly owner: ConnectionHost,
    public socket: Socket,
    readonly cid: number,
    awaitingTls: boolean,
  ) {
    this.host = socket.remoteAddress ?? "";
    this.port = socket.remotePort ?? 0;
    socket.setNoDelay(true);
    if (!awaitingTls) this.startReading();
    this.watch(socket);
  }

  /** The prefix of this connection's log lines, as nats-server writes it for its kind. */
  abstract get logPrefix(): string;
  /** Hands bytes read off the socket to the kind's parser. */
  protected abstract parse(d: Buffer): void;
  /**
   * Closing: the kind lets go of what it holds (subscriptions leave their account at once, the server
   * forgets the connection). Runs once, before queued output is written out.
   */
  protected abstract released(): void;

  private watch(s: Socket): void {
    s.on("drain", () => this.onDrain());
    s.on("error", (e) => this.onSocketError(e));
    s.on("close", () => this.close(ClosedReason.ClientClosed));
  }

  private readonly reader = (d: Buffer): void => this.onData(d);

  /** Feeds the socket's bytes to the protocol parser from now on. */
  startReading(): void {
    this.socket.on("data", this.reader);
  }

  /**
   * Stops parsing the socket's bytes (and pauses it) so that a TLS client handshake can take the socket
   * over in mid-stream, as a leaf does after its hub's plain-text INFO; secured() goes on from there.
   */
  stopReading(): void {
    this.socket.off("data", this.reader);
    this.socket.pause();
  }

  /** Continues over the TLS socket that now wraps the TCP one (whose error and close still end the connection). */
  secured(c: SecuredConnection): void {
    this.socket = c.socket;
    this.tls = c.session;
    this.startReading();
    this.watch(c.socket);
  }

  /** Bytes of the NATS stream have arrived (from the socket, or unwrapped from WebSocket frames). */
  protected onData(d: Buffer): void {
    if (this.closed) return;
    this.lastIn = this.lastActivityMs = Date.now();
    this.parse(d);
  }

  // ---- tracing ---------------------------------------------------------------------------------

  get tracing(): boolean {
    return this.owner.logger.traceOn;
  }
  get maxControlLine(): number {
    return this.owner.opts.maxControlLine;
  }
  traceIn(op: string, arg: string): void {
    const shown = op === "CONNECT" ? redactSecrets(arg) : arg;
    this.owner.logger.trace(`${this.logPrefix} - <<- [${shown === "" ? op : `${op} ${shown}`}]`);
  }
  tracePayload(payload: Buffer): void {
    const max = this.owner.opts.maxTracedMsgLen;
    const shown = max > 0 && payload.length > max ? `${payload.toString("latin1", 0, max)}...` : payload.toString("latin1");
    this.owner.logger.trace(`${this.logPrefix} - <<- MSG_PAYLOAD: [${JSON.stringify(shown)}]`);
  }
  /** Traces a line this server sends (without its CRLF), as nats-server's `->> [...]`. */
  traceOut(line: string): void {
    this.owner.logger.trace(`${this.logPrefix} - ->> [${line}]`);
  }
  /** Last read or write, for monitoring. */
  get lastActivity(): Date {
    return new Date(this.lastActivityMs);
  }

  // ---- output ----------------------------------------------------------------------------------

  get pending(): number {
    return this.out.size + this.socketPending;
  }

  /** Queues raw protocol bytes and schedules the end-of-turn flush. */
  queue(b: Buffer): void {
    if (this.closed) return;
    this.out.bytes(b);
    this.markDirty();
  }

  queueStr(s: string): void {
    if (this.closed) return;
    this.out.str(s);
    this.markDirty();
  }

  /** After queueing output: schedule the flush, or close the connection if it fell too far behind. */
  markDirty(): void {
    if (!this.dirty) {
      this.dirty = true;
      this.owner.markDirty(this);
    }
    if (this.out.size + this.socketPending > this.owner.opts.maxPending) this.slowConsumer(ClosedReason.SlowConsumerPendingBytes);
  }

  /** Writes everything queued in this turn with one (corked) socket write. */
  flush(): void {
    this.dirty = false;
    if (this.out.size === 0 || this.socket.destroyed) return;
    this.lastActivityMs = Date.now();
    this.writeOut(this.out.take(), this.writeDone);
    this.socketPending = this.socket.writableLength;
    if (this.stalledPublishers !== undefined && this.pending <= this.stallLimit) this.releaseStalled();
    if (this.socketPending > 0 && this.writeTimer === undefined) {
      this.writeTimer = setTimeout(() => this.slowConsumer(ClosedReason.SlowConsumerWriteDeadline), this.owner.opts.writeDeadlineMs);
      this.writeTimer.unref();
    }
  }

  /**
   * Hands one flush to the socket; `done` must run once it is written. A kind that frames its output
   * (WebSocket) wraps the parts here.
   */
  protected writeOut(parts: Buffer[], done: (err?: Error | null) => void): void {
    const s = this.socket;
    if (parts.length === 1) s.write(parts[0]!, done);
    else {
      s.cork();
      const last = parts.length - 1;
      for (let i = 0; i < last; i++) s.write(parts[i]!);
      s.write(parts[last]!, done);
      s.uncork();
    }
  }

  /** Closing without abort: writes out the last output (possibly none), then ends the stream. */
  protected endOutput(parts: Buffer[], _reason: ClosedReason): void {
    const s = this.socket;
    for (const p of parts) s.write(p);
    s.end();
  }

  private onDrain(): void {
    this.socketPending = this.socket.writableLength;
    // The socket took output: the peer is reading, and publishers wait for it at the base limit again.
    this.stallScale = 1;
    this.releaseStalled();
    if (this.socketPending === 0 && this.writeTimer !== undefined) {
      clearTimeout(this.writeTimer);
      this.writeTimer = undefined;
    }
  }

  // ---- producer stalling -----------------------------------------------------------------------

  /** Output queued for this connection past which its publishers are paused (see stallIfBehind). */
  private get stallLimit(): number {
    return Math.min(this.stallCeiling, STALL_BYTES * this.stallScale);
  }
  /** The most a connection may have queued before its publishers wait, however long it has not read. */
  private get stallCeiling(): number {
    return (this.owner.opts.maxPending * 3) / 4;
  }

  /**
   * Producer stalling: a publisher that fills this connection's buffer past the stall limit (STALL_BYTES,
   * or 3/4 of a smaller max_pending) stops being read until this connection drains (or is closed as a
   * slow consumer), so a fast producer slows down to its readers' pace instead of getting them
   * disconnected.
   */
  protected stallIfBehind(publisher: Publisher): void {
    if (publisher === this || this.pending <= this.stallLimit) return;
    const waiting = (this.stalledPublishers ??= new Set());
    if (waiting.has(publisher)) return;
    waiting.add(publisher);
    publisher.holdReading();
    if (this.stallTimer === undefined && this.stallLimit < this.stallCeiling) {
      this.stallTimer = setTimeout(this.notReading, STALL_WAIT_MS);
      this.stallTimer.unref();
    }
  }

  holdReading(): void {
    if (this.stalls++ === 0) this.socket.pause();
  }

  releaseReading(): void {
    if (--this.stalls === 0 && !this.closed) this.socket.resume();
  }

  /** Publishers waited STALL_WAIT_MS and the peer took nothing: it may queue more before they wait again. */
  private readonly notReading = (): void => {
    this.stallTimer = undefined;
    this.stallScale *= 4;
    this.releaseStalled();
  };

  /** Lets the publishers waiting for this connection go on. */
  private releaseStalled(): void {
    if (this.stallTimer !== undefined) {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
    }
    const waiting = this.stalledPublishers;
    if (waiting === undefined) return;
    this.stalledPublishers = undefined;
    for (const p of waiting) p.releaseReading();
  }

  // ---- pings -----------------------------------------------------------------------------------

  /** The first PING (it measures RTT) 2s after the connection is usable, then every ping_interval. */
  armPingTimer(): void {
    const first = Math.min(2000 + Math.random() * 400, this.owner.opts.pingIntervalMs);
    this.pingTimer = setTimeout(() => this.onPingTimer(), first);
    this.pingTimer.unref();
  }

  private onPingTimer(): void {
    if (this.closed) return;
    const opts = this.owner.opts;
    const idle = Date.now() - this.lastIn;
    if (this.rttMeasured && idle < opts.pingIntervalMs && this.pingsOut === 0) {
      this.pingTimer = setTimeout(() => this.onPingTimer(), opts.pingIntervalMs);
      this.pingTimer.unref();
      return;
    }
    if (this.pingsOut + 1 > opts.pingMax) {
      this.owner.logger.debug(`${this.logPrefix} - Stale Client Connection - Closing`);
      this.owner.stats.staleConnections++;
      this.sendErrAndClose(ERR.staleConnection, ClosedReason.StaleConnection);
      return;
    }
    this.rttMeasured = true;
    this.pingsOut++;
    this.pingSentAt = performance.now();
    if (this.tracing) this.traceOut("PING");
    this.queue(PING_LINE);
    this.pingTimer = setTimeout(() => this.onPingTimer(), opts.pingIntervalMs);
    this.pingTimer.unref();
  }

  /** A PONG answers the outstanding PINGs (and measures RTT after the first). */
  protected pongReceived(): void {
    this.pingsOut = 0;
    if (this.pingSentAt > 0) {
      this.rttMs = performance.now() - this.pingSentAt;
      this.pingSentAt = 0;
    }
  }

  // ---- errors, close ---------------------------------------------------------------------------

  private slowConsumer(reason: ClosedReason): void {
    if (this.closed) return;
    this.owner.stats.slowConsumers++;
    const o = this.owner.opts;
    const why = reason === ClosedReason.SlowConsumerWriteDeadline ? `WriteDeadline of ${o.writeDeadlineMs / 1000}s exceeded` : `MaxPending of ${o.maxPending} exceeded`;
    this.owner.logger.info(`${this.logPrefix} - Slow Consumer Detected: ${why}`);
    // Whatever is queued cannot be delivered in time anyway: drop it and go.
    this.out.take();
    this.close(reason, true);
  }

  private onSocketError(e: Error): void {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ECONNRESET" && code !== "EPIPE") this.owner.logger.error(`${this.logPrefix} - read/write error: ${e.message}`);
    this.close(this.closed ? this.closeReason! : ClosedReason.ReadError, true);
  }

  /** Queues `-ERR 'text'`; the connection stays open. */
  sendErr(text: string): void {
    if (this.tracing) this.traceOut(`-ERR '${text}'`);
    this.queue(errLine(text));
  }

  /** Queues `-ERR 'text'`, writes out what is pending, then closes. */
  sendErrAndClose(text: string, reason: ClosedReason): void {
    if (this.closed) return;
    this.sendErr(text);
    this.close(reason);
  }

  /**
   * Ends the connection: what it holds is released at once (see `released`); queued output is still
   * written unless `abort` (slow consumers, socket errors), then the socket is ended.
   */
  close(reason: ClosedReason, abort = false): void {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    this.stopTime = new Date();
    for (const t of [this.pingTimer, this.writeTimer]) if (t) clearTimeout(t);
    this.released();
    this.releaseStalled();
    const s = this.socket;
    if (abort) s.destroy();
    else {
      this.endOutput(this.out.size > 0 ? this.out.take() : [], reason);
      // A peer that never reads must not keep the socket (and its buffers) alive.
      setTimeout(() => s.destroy(), 5000).unref();
    }
  }
}
