/**
 * A bare TCP client for what nats.js cannot do on purpose: break the protocol, never read, or look at the
 * exact bytes a server sends (header case, -ERR text, how many MSGs arrive after UNSUB with max).
 */
import { connect, type Socket } from "node:net";
import { parseFrames } from "../helpers/raw-session.js";

export const CONNECT_LINE =
  'CONNECT {"verbose":false,"pedantic":false,"protocol":1,"headers":true,"no_responders":true,"lang":"raw","version":"0"}\r\n';

/** One unit of what the server sent; `line` is the control line without CRLF. */
export type ServerFrame =
  | { op: "MSG"; line: string; subject: string; sid: string; reply: string | null; payload: Buffer }
  | { op: "HMSG"; line: string; subject: string; sid: string; reply: string | null; headers: Buffer; payload: Buffer }
  | { op: "INFO"; line: string; info: Record<string, unknown> }
  | { op: "LINE"; line: string };

export class RawClient {
  private chunks: Buffer[] = [];
  private waiters = new Set<() => void>();
  private syncs = 0;
  /** True once the server closed (or reset) the connection. */
  ended = false;
  readonly closed: Promise<void>;

  private constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.chunks.push(d);
      this.wake();
    });
    this.closed = new Promise((res) => {
      const gone = () => {
        this.ended = true;
        this.wake();
        res();
      };
      socket.once("end", gone);
      socket.once("close", gone);
      socket.on("error", gone);
    });
  }

  /** Connects and waits for the server's INFO line; sends CONNECT unless `connectLine` is null. */
  static async open(port: number, connectLine: string | null = CONNECT_LINE): Promise<RawClient> {
    const socket = connect({ host: "127.0.0.1", port, noDelay: true });
    await new Promise<void>((res, rej) => {
      socket.once("connect", res);
      socket.once("error", rej);
    });
    const c = new RawClient(socket);
    await c.waitFor(/^INFO .*\r\n/, 5000);
    if (connectLine !== null) c.send(connectLine);
    return c;
  }

  raw(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  text(): string {
    return this.raw().toString("latin1");
  }

  frames(): ServerFrame[] {
    return parseServerFrames(this.raw());
  }

  info(): Record<string, unknown> {
    const first = this.frames()[0];
    if (first?.op !== "INFO") throw new Error(`no INFO first: ${this.text().slice(0, 200)}`);
    return first.info;
  }

  send(data: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(typeof data === "string" ? Buffer.from(data, "latin1") : data);
  }

  /** Resolves once `cond` holds; rejects after `timeoutMs` with what was received so far. */
  until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((res, rej) => {
      const check = () => {
        if (!cond()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        res();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const tail = this.text().slice(-300);
        rej(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; ended=${this.ended}; tail=${JSON.stringify(tail)}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  waitFor(pattern: RegExp | string, timeoutMs = 5000): Promise<void> {
    const matches = () => (typeof pattern === "string" ? this.text().includes(pattern) : pattern.test(this.text()));
    return this.until(matches, timeoutMs, String(pattern));
  }

  /** Sends PING and waits for as many PONGs as PINGs sent through `sync` so far. */
  async sync(timeoutMs = 5000): Promise<void> {
    this.syncs++;
    const want = this.syncs;
    this.send("PING\r\n");
    await this.until(() => this.countLines("PONG") >= want, timeoutMs, `PONG #${want}`);
  }

  countLines(line: string): number {
    return this.frames().filter((f) => f.op === "LINE" && f.line === line).length;
  }

  messages(): Extract<ServerFrame, { op: "MSG" | "HMSG" }>[] {
    return this.frames().filter((f): f is Extract<ServerFrame, { op: "MSG" | "HMSG" }> => f.op === "MSG" || f.op === "HMSG");
  }

  waitClosed(timeoutMs = 5000): Promise<void> {
    return this.until(() => this.ended, timeoutMs, "the server to close the connection");
  }

  destroy(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/**
 * Complete frames in e2e's shape (op, and subject/sid/reply split out of MSG lines), from the shared
 * parser of test/helpers/raw-session.ts; an incomplete tail is left out.
 */
export function parseServerFrames(raw: Buffer): ServerFrame[] {
  const frames: ServerFrame[] = [];
  for (const f of parseFrames(raw)) {
    if (f.kind === "PARTIAL") break;
    if (f.kind === "INFO") frames.push({ op: "INFO", line: f.line, info: f.info ?? {} });
    else if (f.kind === "LINE") frames.push({ op: "LINE", line: f.line });
    else {
      const args = f.line.split(" ");
      const reply = args.length === (f.kind === "HMSG" ? 6 : 5) ? args[3]! : null;
      const base = { line: f.line, subject: args[1]!, sid: args[2]!, reply, payload: f.payload };
      frames.push(f.kind === "HMSG" ? { op: "HMSG", ...base, headers: f.headers } : { op: "MSG", ...base });
    }
  }
  return frames;
}
