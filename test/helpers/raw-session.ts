/**
 * Raw TCP sessions against a NATS server, for byte-exact protocol tests and for differential tests that
 * play the same session against nats-server and tsnats.
 *
 * A session is a script of steps over one or more named connections (a publisher and a subscriber, say).
 * Everything each connection receives is kept as raw bytes and parsed into frames (INFO, MSG with its
 * payload, HMSG with headers and payload, other lines), so the result does not depend on how the bytes
 * were chunked by TCP. Whether the server closed the connection is recorded too.
 *
 * Synchronisation never relies on sleeping: `sync` sends PING and waits for the PONG that answers it,
 * which the server sends only after everything before it on that connection was processed. At the end
 * of a session every open connection is synced twice in opening order, so that messages published on one
 * connection and delivered on another are captured before the session ends. The PONGs that answer these
 * syncs are marked (`bySync`) and `normalise` leaves them out.
 *
 * `normalise` turns a transcript into plain text lines for deep comparison: INFO fields that vary between
 * servers or runs are reduced to their JSON type, and the fields tsnats deliberately differs on are dropped
 * (INFO_INTENDED_DIFFERENCES says why for each).
 */
import { connect, type Socket } from "node:net";
import { createHash } from "node:crypto";

export type Bytes = string | Buffer;

/** How a `send` is cut into separate writes: at these byte offsets, or every single byte. */
export type Split = "bytes" | readonly number[];

export type Step =
  | { kind: "open"; on: string }
  | { kind: "send"; on: string; data: Buffer; split?: Split }
  | { kind: "sync"; on: string }
  | { kind: "waitFor"; on: string; pattern: string | RegExp; timeoutMs: number }
  | { kind: "waitFrames"; on: string; count: number; timeoutMs: number }
  | { kind: "expectClose"; on: string; timeoutMs: number }
  | { kind: "hangUp"; on: string }
  | { kind: "quiet"; ms: number };

/** The connection a step uses when it names none. */
export const DEFAULT_CONN = "c";
const DEFAULT_TIMEOUT_MS = 2000;

interface On {
  on?: string;
}
interface Timed extends On {
  timeoutMs?: number;
}

/** Opens a connection (and waits for its INFO) without sending anything; steps open connections lazily otherwise. */
export const open = (on: string = DEFAULT_CONN): Step => ({ kind: "open", on });
export const send = (data: Bytes, opts: On & { split?: Split } = {}): Step => ({
  kind: "send",
  on: opts.on ?? DEFAULT_CONN,
  data: typeof data === "string" ? Buffer.from(data, "latin1") : data,
  split: opts.split,
});
/** PING, then wait for its PONG (or for the server to close the connection). */
export const sync = (on: string = DEFAULT_CONN): Step => ({ kind: "sync", on });
/** Waits until the bytes received so far (latin1) contain/match `pattern`. */
export const waitFor = (pattern: string | RegExp, opts: Timed = {}): Step => ({
  kind: "waitFor",
  on: opts.on ?? DEFAULT_CONN,
  pattern,
  timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
});
/** Waits until at least `count` complete frames (INFO included) were received. */
export const waitFrames = (count: number, opts: Timed = {}): Step => ({
  kind: "waitFrames",
  on: opts.on ?? DEFAULT_CONN,
  count,
  timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
});
/** Waits for the server to close the connection; a timeout is recorded in `timeouts`. */
export const expectClose = (opts: Timed = {}): Step => ({
  kind: "expectClose",
  on: opts.on ?? DEFAULT_CONN,
  timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
});
/** The client closes its side. */
export const hangUp = (on: string = DEFAULT_CONN): Step => ({ kind: "hangUp", on });
/** Waits until no connection has received anything for `ms`. */
export const quiet = (ms: number): Step => ({ kind: "quiet", ms });

/** One unit of what the server sent. `line` is the control line without its CRLF. */
export type Frame =
  | { kind: "INFO"; line: string; info: Record<string, unknown> | null }
  | { kind: "MSG"; line: string; payload: Buffer }
  | { kind: "HMSG"; line: string; headers: Buffer; payload: Buffer }
  /** `bySync` marks a PONG that answers a harness `sync` rather than a PING of the script. */
  | { kind: "LINE"; line: string; bySync?: true }
  /** Bytes at the end of the stream that do not form a complete frame. */
  | { kind: "PARTIAL"; bytes: Buffer };

export interface ConnResult {
  raw: Buffer;
  frames: Frame[];
  /** The server closed (or reset) the connection; a client `hangUp` does not count. */
  closedByServer: boolean;
  /** The first INFO's JSON. */
  info: Record<string, unknown> | null;
}

export interface Transcript {
  conns: Record<string, ConnResult>;
  /** Waits that ran out of time, as "<conn>: <what>", in the order they happened. */
  timeouts: string[];
}

export interface SessionOptions {
  host?: string;
  /** Sync every open connection twice at the end (default true). */
  settle?: boolean;
}

class RawConn {
  private chunks: Buffer[] = [];
  private received = 0;
  private sent: Buffer[] = [];
  /** Ordinals (among all PINGs this client sent) of the PINGs that `sync` sent. */
  readonly syncPings = new Set<number>();
  closedByServer = false;
  ended = false;
  private listeners = new Set<() => void>();

  private constructor(readonly socket: Socket) {
    socket.on("data", (d: Buffer) => {
      this.chunks.push(d);
      this.received += d.length;
      this.notify();
    });
    // A reset is a close too: which of FIN or RST the server's close produces is timing-dependent.
    const gone = () => {
      if (!this.ended) this.closedByServer = true;
      this.ended = true;
      this.notify();
    };
    socket.on("end", gone);
    socket.on("close", gone);
    socket.on("error", gone);
  }

  static async open(host: string, port: number): Promise<RawConn> {
    const socket = connect({ host, port, noDelay: true });
    await new Promise<void>((res, rej) => {
      socket.once("connect", res);
      socket.once("error", rej);
    });
    return new RawConn(socket);
  }

  raw(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  get bytesReceived(): number {
    return this.received;
  }

  private notify(): void {
    for (const l of this.listeners) l();
  }

  /** Resolves true once `cond` holds (checked on every arrival and on close), false after `timeoutMs`. */
  until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
    if (cond()) return Promise.resolve(true);
    return new Promise((res) => {
      const check = () => {
        if (cond()) finish(true);
        else if (this.ended) finish(cond());
      };
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        res(ok);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.listeners.add(check);
    });
  }

  async write(data: Buffer): Promise<void> {
    if (this.ended || data.length === 0) return;
    this.sent.push(data);
    await new Promise<void>((res) => this.socket.write(data, () => res()));
  }

  pingsSent(): number {
    return countClientPings(Buffer.concat(this.sent));
  }

  pongsReceived(): number {
    return parseFrames(this.raw()).filter((f) => f.kind === "LINE" && f.line === "PONG").length;
  }

  hangUp(): void {
    this.ended = true;
    this.socket.destroy();
  }
}

/** Everything a connection received after its first line (the INFO), as latin1 text: for byte-exact asserts. */
export function afterInfo(c: ConnResult): string {
  const text = c.raw.toString("latin1");
  return text.slice(text.indexOf("\r\n") + 2);
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Counts the PINGs in what a client sent, skipping PUB/HPUB payloads so that "PING" inside a payload
 * does not count. Used to know which PONG answers a sync.
 */
export function countClientPings(sent: Buffer): number {
  let pings = 0;
  let pos = 0;
  while (pos < sent.length) {
    const nl = sent.indexOf(0x0a, pos);
    if (nl < 0) break;
    const line = sent.toString("latin1", pos, nl).replace(/\r$/, "");
    pos = nl + 1;
    const args = line.trim().split(/[ \t]+/);
    const op = args[0]!.toUpperCase();
    if (op === "PING") pings++;
    else if (op === "PUB" || op === "HPUB") {
      const size = Number(args[args.length - 1]);
      if (Number.isInteger(size) && size >= 0) pos += size + 2;
    }
  }
  return pings;
}

/** Parses everything a server sent into frames; whatever does not complete a frame ends as PARTIAL. */
export function parseFrames(raw: Buffer): Frame[] {
  const frames: Frame[] = [];
  let pos = 0;
  while (pos < raw.length) {
    const crlf = raw.indexOf("\r\n", pos, "latin1");
    if (crlf < 0) break;
    const line = raw.toString("latin1", pos, crlf);
    const args = line.split(" ");
    const op = args[0];
    if (op === "MSG" || op === "HMSG") {
      const total = Number(args[args.length - 1]);
      const hdr = op === "HMSG" ? Number(args[args.length - 2]) : 0;
      const start = crlf + 2;
      const end = start + total;
      if (!Number.isInteger(total) || !Number.isInteger(hdr) || end + 2 > raw.length) break;
      const payload = raw.subarray(start + hdr, end);
      if (op === "HMSG") frames.push({ kind: "HMSG", line, headers: raw.subarray(start, start + hdr), payload });
      else frames.push({ kind: "MSG", line, payload });
      if (raw.toString("latin1", end, end + 2) !== "\r\n") {
        pos = end;
        break;
      }
      pos = end + 2;
      continue;
    }
    if (op === "INFO") frames.push({ kind: "INFO", line, info: parseInfoJson(line) });
    else frames.push({ kind: "LINE", line });
    pos = crlf + 2;
  }
  if (pos < raw.length) frames.push({ kind: "PARTIAL", bytes: raw.subarray(pos) });
  return frames;
}

function parseInfoJson(line: string): Record<string, unknown> | null {
  const start = line.indexOf("{");
  const end = line.lastIndexOf("}");
  if (start < 0 || end < start) return null;
  try {
    return JSON.parse(line.slice(start, end + 1)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Runs `steps` against host:port and returns what every connection received. */
export async function runSession(port: number, steps: readonly Step[], opts: SessionOptions = {}): Promise<Transcript> {
  const host = opts.host ?? "127.0.0.1";
  const conns = new Map<string, RawConn>();
  const timeouts: string[] = [];

  const conn = async (name: string): Promise<RawConn> => {
    let c = conns.get(name);
    if (!c) {
      c = await RawConn.open(host, port);
      conns.set(name, c);
      const got = await c.until(() => c!.raw().indexOf("\r\n") >= 0, DEFAULT_TIMEOUT_MS);
      if (!got) timeouts.push(`${name}: INFO`);
    }
    return c;
  };

  const doSync = async (name: string, c: RawConn) => {
    if (c.ended) return;
    c.syncPings.add(c.pingsSent());
    await c.write(Buffer.from("PING\r\n"));
    const want = c.pingsSent();
    if (!(await c.until(() => c.pongsReceived() >= want, DEFAULT_TIMEOUT_MS)) && !c.ended) timeouts.push(`${name}: sync`);
  };

  try {
    for (const step of steps) {
      switch (step.kind) {
        case "open":
          await conn(step.on);
          break;
        case "send": {
          const c = await conn(step.on);
          for (const [i, piece] of pieces(step.data, step.split).entries()) {
            if (i > 0) await delay(1);
            await c.write(piece);
          }
          break;
        }
        case "sync":
          await doSync(step.on, await conn(step.on));
          break;
        case "waitFor": {
          const c = await conn(step.on);
          const p = step.pattern;
          const matches = () => {
            const text = c.raw().toString("latin1");
            return typeof p === "string" ? text.includes(p) : p.test(text);
          };
          if (!(await c.until(matches, step.timeoutMs))) timeouts.push(`${step.on}: waitFor ${String(p)}`);
          break;
        }
        case "waitFrames": {
          const c = await conn(step.on);
          const complete = () => parseFrames(c.raw()).filter((f) => f.kind !== "PARTIAL").length >= step.count;
          if (!(await c.until(complete, step.timeoutMs))) timeouts.push(`${step.on}: waitFrames ${step.count}`);
          break;
        }
        case "expectClose": {
          const c = await conn(step.on);
          if (!(await c.until(() => c.ended, step.timeoutMs))) timeouts.push(`${step.on}: expectClose`);
          break;
        }
        case "hangUp":
          (await conn(step.on)).hangUp();
          break;
        case "quiet":
          await waitQuiet([...conns.values()], step.ms);
          break;
      }
    }
    if (opts.settle ?? true) {
      for (let round = 0; round < 2; round++) for (const [name, c] of conns) await doSync(name, c);
    }
  } finally {
    for (const c of conns.values()) c.socket.destroy();
  }

  const result: Record<string, ConnResult> = {};
  for (const [name, c] of conns) {
    const frames = parseFrames(c.raw());
    let pong = 0;
    for (const f of frames) if (f.kind === "LINE" && f.line === "PONG" && c.syncPings.has(pong++)) f.bySync = true;
    const first = frames[0];
    result[name] = {
      raw: c.raw(),
      frames,
      closedByServer: c.closedByServer,
      info: first?.kind === "INFO" ? first.info : null,
    };
  }
  return { conns: result, timeouts };
}

function pieces(data: Buffer, split: Split | undefined): Buffer[] {
  if (split === undefined) return [data];
  const cuts = split === "bytes" ? [...data.keys()].slice(1) : [...split].filter((o) => o > 0 && o < data.length);
  const out: Buffer[] = [];
  let from = 0;
  for (const cut of [...new Set(cuts)].sort((a, b) => a - b)) {
    out.push(data.subarray(from, cut));
    from = cut;
  }
  out.push(data.subarray(from));
  return out;
}

async function waitQuiet(conns: RawConn[], ms: number): Promise<void> {
  const total = () => conns.reduce((n, c) => n + c.bytesReceived, 0);
  let seen = total();
  for (;;) {
    await delay(ms);
    const now = total();
    if (now === seen) return;
    seen = now;
  }
}

// ---------------------------------------------------------------------------------------------------
// Normalising, for comparing two servers.

/**
 * INFO fields whose values legitimately change between two servers or two runs (ids, addresses, ports,
 * build details): compared by JSON type only.
 */
export const INFO_VARIABLE_FIELDS: ReadonlySet<string> = new Set([
  "server_id",
  "server_name",
  "client_id",
  "client_ip",
  "nonce",
  "version",
  "go",
  "git_commit",
  "port",
  "host",
  "ip",
  "connect_urls",
  "ws_connect_urls",
  "cluster",
  "domain",
  "xkey",
]);

/**
 * INFO fields where tsnats deliberately differs from nats-server 2.9.10 in presence, so they are left out
 * of the comparison altogether. Their values are checked directly by test/protocol-raw.
 */
export const INFO_INTENDED_DIFFERENCES: Readonly<Record<string, string>> = {
  version:
    "tsnats advertises the NATS level it implements (>= 2.11.0) so nats.js enables its features (spec §1.2, §9.2); 2.9.10 says 2.9.10",
  go: "tsnats names itself and its runtime here (DESIGN.md: `tsnats/x.y.z node/vNN`) instead of a Go version",
  git_commit: "the Debian nats-server build has no git commit and omits the field; tsnats may send one",
  xkey: "[2.10] server x25519 key: sent by servers newer than 2.9.10",
  api_lvl: "[2.12] JetStream API level: sent by servers newer than 2.9.10",
  acc_is_sys: "[2.12] whether the client is in the system account: sent by servers newer than 2.9.10",
};

function typeName(v: unknown): string {
  return Array.isArray(v) ? "array" : v === null ? "null" : typeof v;
}

/** INFO JSON with variable fields replaced by `<type>` and intended differences removed; keys sorted. */
export function normaliseInfo(info: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(info).sort()) {
    if (key in INFO_INTENDED_DIFFERENCES) continue;
    out[key] = INFO_VARIABLE_FIELDS.has(key) ? `<${typeName(info[key])}>` : info[key];
  }
  return out;
}

const SHOWN_PAYLOAD_BYTES = 512;

/** A payload as JSON text, or a digest when it is too large to read in a diff. */
function showBytes(b: Buffer): string {
  if (b.length <= SHOWN_PAYLOAD_BYTES) return JSON.stringify(b.toString("latin1"));
  return `<${b.length} bytes sha1:${createHash("sha1").update(b).digest("hex")}>`;
}

/** One frame as a line of text; INFO normalised, keeping whatever surrounds its JSON (the trailing space). */
export function renderFrame(f: Frame): string {
  switch (f.kind) {
    case "INFO": {
      if (!f.info) return `INFO(unparsable) ${JSON.stringify(f.line)}`;
      const before = f.line.slice(0, f.line.indexOf("{"));
      const after = f.line.slice(f.line.lastIndexOf("}") + 1);
      return `${before}${JSON.stringify(normaliseInfo(f.info))}${JSON.stringify(after)}`;
    }
    case "MSG":
      return `${f.line} | ${showBytes(f.payload)}`;
    case "HMSG":
      return `${f.line} | ${showBytes(f.headers)} | ${showBytes(f.payload)}`;
    case "LINE":
      return f.line;
    case "PARTIAL":
      return `<partial ${showBytes(f.bytes)}>`;
  }
}

export interface NormalisedTranscript {
  conns: Record<string, string[]>;
  timeouts: string[];
}

/**
 * Each connection's frames as text, plus `<closed>` when the server closed it: what differential tests
 * compare. PONGs that answer harness syncs are left out: where they fall among deliveries from other
 * connections depends on timing.
 */
export function normalise(t: Transcript): NormalisedTranscript {
  const conns: Record<string, string[]> = {};
  for (const [name, c] of Object.entries(t.conns)) {
    conns[name] = c.frames.filter((f) => !(f.kind === "LINE" && f.bySync)).map(renderFrame);
    if (c.closedByServer) conns[name].push("<closed>");
  }
  return { conns, timeouts: t.timeouts };
}
