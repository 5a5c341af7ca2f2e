#!/usr/bin/env node
// The file store at scale, nats-server and tsnats side by side (a benchmark, not a test; issue #10).
// Each scenario runs on one server, then on the other, on the same machine, each with a fresh store
// directory; a markdown table of the figures is printed at the end.
//
//   npm run build && node scripts/store-scale.mjs                          # full sizes: long, GBs of disk
//   node scripts/store-scale.mjs --msgs 200000 --kv-keys 20000 --consumers 100 --idle-secs 5   # seconds
//   node scripts/store-scale.mjs --only tsnats --server-cmd "tsnats=node ../main/bin/tsnats-server"
//
// Scenarios (--scenarios stream,kv,consumers,idle):
//   stream     for each --msgs size (default 1000000,5000000,12000000): that many 128 B messages on 1,000
//              subjects into a file stream; publish rate, RSS and store size after publishing; SIGKILL and
//              restart on the same store: time from spawn until the port accepts and until STREAM.INFO
//              answers with every message (polled every 5 ms), RSS then and its peak (VmHWM) during the
//              restart; the same after a clean restart (SIGTERM, wait for exit); then the whole stream read
//              back by a pull consumer from sequence 1: rate and peak RSS while reading.
//   kv         a KV bucket of --kv-keys keys (default 500000, 128 B values): write rate, SIGKILL restart
//              time, RSS after it, and --gets random gets (default 10000, one at a time): rate and p99.
//   consumers  a stream with --consumers durable consumers (default 1000): SIGKILL restart time (until
//              STREAM.INFO counts them all) and RSS after it.
//   idle       a fresh -js server's RSS 3 s after spawn and after --idle-secs (default 30; V8 gives memory
//              back after some idle seconds).
// Servers: `-a 127.0.0.1 -p PORT -js -sd DIR -c CONF` where CONF sets `jetstream { max_file_store }` to
// 100 GB. Commands: tsnats = `bin/tsnats-server` of this tree (its shebang carries the V8 flags), nats = /usr/sbin/nats-server;
// `--server-cmd NAME=CMD` replaces one (split on spaces), `--only NAME` runs one. Store directories go
// under --dir (default the OS temp dir) and are removed at the end, also after an error or Ctrl-C.
//
// Publishing writes PUBs with a reply subject straight to a socket (--window acks in flight, default
// 65536): measured at 200k messages here, @nats-io/jetstream's async publish with 4096 acks in flight
// managed 15-17k msgs/s on either server against 137-225k msgs/s for the raw socket, so the client would
// have been the figure. Management (streams, consumers, the KV bucket, KV gets) uses the official clients.
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync, closeSync, readdirSync, statSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "@nats-io/transport-node";
import { Kvm } from "@nats-io/kv";
import { freePort } from "./lib/free-port.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const PAYLOAD = "x".repeat(128);
const SUBJECTS = 1000;
const POLL_MS = 5;
const MAX_FILE_STORE = 100 * 1024 ** 3;

// ---- options -------------------------------------------------------------------------------------

function parseArgs(argv) {
  const o = {
    msgs: [1_000_000, 5_000_000, 12_000_000],
    kvKeys: 500_000,
    consumers: 1000,
    gets: 10_000,
    idleSecs: 30,
    window: 65536,
    scenarios: ["stream", "kv", "consumers", "idle"],
    dir: tmpdir(),
    timeoutSecs: 1800,
    cmds: { nats: "/usr/sbin/nats-server", tsnats: resolve(HERE, "../bin/tsnats-server") },
    only: undefined,
  };
  const num = (s) => {
    const n = Number(String(s).replace(/_/g, ""));
    if (!Number.isFinite(n) || n < 0) throw new Error(`not a number: ${s}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === "--msgs") o.msgs = v().split(",").map(num);
    else if (a === "--kv-keys") o.kvKeys = num(v());
    else if (a === "--consumers") o.consumers = num(v());
    else if (a === "--gets") o.gets = num(v());
    else if (a === "--idle-secs") o.idleSecs = num(v());
    else if (a === "--window") o.window = num(v());
    else if (a === "--timeout") o.timeoutSecs = num(v());
    else if (a === "--scenarios") o.scenarios = v().split(",");
    else if (a === "--dir") o.dir = v();
    else if (a === "--only") o.only = v();
    else if (a === "--server-cmd") {
      const s = v();
      const eq = s.indexOf("=");
      if (eq <= 0) throw new Error("--server-cmd takes NAME=COMMAND");
      o.cmds[s.slice(0, eq)] = s.slice(eq + 1);
    } else if (a === "--help" || a === "-h") {
      process.stdout.write(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\nimport ")[0].replace(/^#!.*\n/, "").replace(/^\/\/ ?/gm, ""));
      process.exit(0);
    } else throw new Error(`unknown argument ${a} (--help lists them)`);
  }
  for (const s of o.scenarios) if (!["stream", "kv", "consumers", "idle"].includes(s)) throw new Error(`unknown scenario ${s}`);
  if (o.only !== undefined && !(o.only in o.cmds)) throw new Error(`--only ${o.only}: no such server (${Object.keys(o.cmds).join(", ")})`);
  o.targets = o.only ? [o.only] : ["nats", "tsnats"];
  return o;
}

// ---- processes, with cleanup whatever happens ---------------------------------------------------

const live = new Set();
let workDir;

function cleanup() {
  for (const p of live) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  live.clear();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}
process.on("exit", cleanup);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(sig, () => process.exit(130));

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.now();

/** VmRSS and VmHWM of a process, in kB. */
function memory(pid) {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k) => Number(s.match(new RegExp(`${k}:\\s+(\\d+)`))?.[1] ?? NaN);
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

function duBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath ?? e.path, e.name)).size;
  return n;
}

class ServerProc {
  constructor(name, cmd, port, storeDir, conf, log) {
    const [bin, ...pre] = cmd.split(/\s+/).filter(Boolean);
    const fd = openSync(log, "a");
    this.name = name;
    this.log = log;
    this.t0 = now();
    this.proc = spawn(bin, [...pre, "-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir, "-c", conf], { stdio: ["ignore", fd, fd] });
    closeSync(fd);
    this.pid = this.proc.pid;
    live.add(this);
    this.exited = new Promise((res) => {
      const gone = (why) => {
        live.delete(this);
        this.exitedAs ??= why;
        res();
      };
      this.proc.on("exit", (code, signal) => gone(signal ?? `code ${code}`));
      this.proc.on("error", (e) => gone(e.message));
    });
  }

  /** Throws, with the end of the server's log, if the process is gone. */
  check() {
    if (this.exitedAs !== undefined) {
      const tail = readFileSync(this.log, "utf8").trimEnd().split("\n").slice(-8).join("\n  ");
      throw new Error(`${this.name} exited (${this.exitedAs}); its log ends:\n  ${tail}`);
    }
  }

  async kill() {
    process.kill(this.pid, "SIGKILL");
    await this.exited;
  }

  /** SIGTERM, then the time until the process is gone. */
  async stop() {
    const t = now();
    process.kill(this.pid, "SIGTERM");
    const late = setTimeout(() => this.exitedAs === undefined && process.kill(this.pid, "SIGKILL"), 120_000);
    await this.exited;
    clearTimeout(late);
    return now() - t;
  }
}

// ---- a raw NATS connection: the data path without a client library in the way --------------------

const CRLF = Buffer.from("\r\n");

class Raw {
  static connect(port, timeoutMs = 2000) {
    return new Promise((res, rej) => {
      const sock = net.connect(port, "127.0.0.1");
      const timer = setTimeout(() => {
        sock.destroy();
        rej(new Error("connect timed out"));
      }, timeoutMs);
      sock.once("error", (e) => {
        clearTimeout(timer);
        rej(e);
      });
      sock.once("connect", () => {
        const acceptedAt = now();
        const raw = new Raw(sock);
        raw.ping().then(
          () => {
            clearTimeout(timer);
            raw.acceptedAt = acceptedAt;
            res(raw);
          },
          (e) => {
            clearTimeout(timer);
            sock.destroy();
            rej(e);
          },
        );
      });
    });
  }

  constructor(sock) {
    this.sock = sock;
    this.inbox = `_INBOX.${Math.random().toString(36).slice(2)}`;
    this.pending = null;
    this.replies = new Map();
    this.nextReply = 0;
    this.handlers = new Map();
    this.pongs = [];
    this.closed = false;
    this.waiters = [];
    sock.setNoDelay(true);
    sock.on("data", (d) => this.onData(d));
    sock.on("error", () => {});
    sock.on("close", () => {
      this.closed = true;
      for (const p of this.pongs.splice(0)) p.rej(new Error("connection closed"));
      for (const r of this.replies.values()) r.rej(new Error("connection closed"));
      this.replies.clear();
      this.wake();
    });
    sock.write('CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"protocol":1,"lang":"raw","version":"0"}\r\n');
    this.subscribe(`${this.inbox}.r.*`, (subject, hdr, b, s, e) => {
      const r = this.replies.get(subject);
      if (!r) return;
      this.replies.delete(subject);
      clearTimeout(r.timer);
      r.res({ status: hdr?.slice(9, 12), data: b.latin1Slice(s, e) });
    });
  }

  subscribe(subject, fn) {
    const sid = this.handlers.size + 1;
    this.handlers.set(sid, fn);
    this.sock.write(`SUB ${subject} ${sid}\r\n`);
  }

  ping() {
    return new Promise((res, rej) => {
      this.pongs.push({ res, rej });
      this.sock.write("PING\r\n");
    });
  }

  /** Resolves when more input arrived, the connection closed, or a second passed (callers check the server). */
  more() {
    return new Promise((r) => {
      const t = setTimeout(r, 1000);
      this.waiters.push(() => {
        clearTimeout(t);
        r();
      });
    });
  }

  wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Sends and waits until the socket takes more (back-pressure for bulk writes). */
  async write(buf) {
    if (this.closed) throw new Error("connection closed");
    if (!this.sock.write(buf)) await new Promise((r) => this.sock.once("drain", r));
  }

  request(subject, body = "", timeoutMs = 5000) {
    const reply = `${this.inbox}.r.${this.nextReply++}`;
    return new Promise((res, rej) => {
      if (this.closed) return rej(new Error("connection closed"));
      const timer = setTimeout(() => {
        this.replies.delete(reply);
        res({ status: "timeout", data: "" });
      }, timeoutMs);
      this.replies.set(reply, { res, rej, timer });
      this.sock.write(`PUB ${subject} ${reply} ${Buffer.byteLength(body)}\r\n${body}\r\n`);
    });
  }

  /** A JetStream API call; throws on an API error or no answer. */
  async api(subject, body = {}, timeoutMs = 30_000) {
    const r = await this.request(subject, JSON.stringify(body), timeoutMs);
    if (r.status !== undefined) throw new Error(`${subject}: ${r.status === "timeout" ? "no answer" : `status ${r.status}`}`);
    const j = JSON.parse(r.data);
    if (j.error) throw new Error(`${subject}: ${j.error.description} (${j.error.err_code})`);
    return j;
  }

  onData(chunk) {
    const b = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    let i = 0;
    for (;;) {
      const eol = b.indexOf(CRLF, i);
      if (eol < 0) break;
      const c = b[i];
      if (c === 0x4d || c === 0x48) {
        // MSG subject sid [reply] size | HMSG subject sid [reply] hdr-size total-size
        const parts = b.latin1Slice(i, eol).split(" ");
        const isH = c === 0x48;
        const total = Number(parts[parts.length - 1]);
        const hdrLen = isH ? Number(parts[parts.length - 2]) : 0;
        const end = eol + 2 + total;
        if (end + 2 > b.length) break;
        const hdr = isH ? b.latin1Slice(eol + 2, eol + 2 + hdrLen) : undefined;
        this.handlers.get(Number(parts[2]))?.(parts[1], hdr, b, eol + 2 + hdrLen, end);
        i = end + 2;
      } else {
        const line = b.latin1Slice(i, eol);
        if (line === "PING") this.sock.write("PONG\r\n");
        else if (line === "PONG") this.pongs.shift()?.res();
        else if (line.startsWith("-ERR")) {
          this.lastError = line;
          for (const p of this.pongs.splice(0)) p.rej(new Error(line));
        }
        i = eol + 2;
      }
    }
    this.pending = i < b.length ? Buffer.from(b.subarray(i)) : null;
    this.wake();
  }

  close() {
    this.sock.destroy();
  }
}

/**
 * Publishes `count` messages made by `batchOf(first, n)` (a Buffer of n PUBs whose reply is `ack`),
 * keeping at most `window` acknowledgements outstanding. Throws on the first negative ack.
 */
async function publishAll(raw, srv, count, window, batchOf) {
  const ackSubject = `${raw.inbox}.ack`;
  let acked = 0;
  let failure;
  raw.subscribe(ackSubject, (_s, _h, b, s) => {
    // A PubAck is {"stream":...}; a refusal is {"error":...}.
    if (b[s + 2] === 0x65 && failure === undefined) failure = b.latin1Slice(s, Math.min(b.length, s + 300));
    acked++;
  });
  await raw.ping();
  const BATCH = 500;
  let sent = 0;
  while (acked < count) {
    if (failure) throw new Error(`publish refused: ${failure}`);
    srv.check();
    if (raw.closed) throw new Error("connection closed while publishing");
    if (sent < count && sent - acked < window) {
      const n = Math.min(BATCH, count - sent);
      await raw.write(batchOf(sent, n, ackSubject));
      sent += n;
    } else await raw.more();
  }
  if (failure) throw new Error(`publish refused: ${failure}`);
}

/** Template batches: the subjects cycle through SUBJECTS, so one buffer per offset serves every batch. */
function streamBatches(prefix) {
  const cache = new Map();
  return (first, n, ack) => {
    const key = `${first % SUBJECTS}/${n}`;
    let b = cache.get(key);
    if (!b) {
      let s = "";
      for (let i = first; i < first + n; i++) s += `PUB ${prefix}.${i % SUBJECTS} ${ack} ${PAYLOAD.length}\r\n${PAYLOAD}\r\n`;
      b = Buffer.from(s, "latin1");
      cache.set(key, b);
    }
    return b;
  };
}

/**
 * Polls every POLL_MS from `srv`'s spawn until `ready(raw)` holds: when the port first accepted and
 * when the server was ready, in ms since spawn.
 */
async function waitReady(srv, port, ready, timeoutMs) {
  let portMs;
  let raw;
  const deadline = srv.t0 + timeoutMs;
  for (;;) {
    srv.check();
    if (now() > deadline) throw new Error(`${srv.name} not ready after ${(timeoutMs / 1000).toFixed(0)} s`);
    if (raw === undefined || raw.closed) {
      try {
        raw = await Raw.connect(port);
        portMs ??= raw.acceptedAt - srv.t0;
      } catch {
        raw = undefined;
        await sleep(POLL_MS);
        continue;
      }
    }
    try {
      if (await ready(raw)) {
        const readyMs = now() - srv.t0;
        raw.close();
        return { portMs, readyMs };
      }
    } catch (e) {
      if (e instanceof WrongState) throw e;
      // not there yet (no responders, no stream, a connection cut by the start-up)
    }
    await sleep(POLL_MS);
  }
}

async function streamInfo(raw, stream) {
  const r = await raw.request(`$JS.API.STREAM.INFO.${stream}`, "", 2000);
  if (r.status !== undefined) return undefined;
  const j = JSON.parse(r.data);
  return j.error ? undefined : j;
}

/** A stream that answers with another count for this long has lost (or invented) messages. */
const SETTLE_MS = 10_000;

class WrongState extends Error {}

/** Ready when the stream holds `n` messages; throws WrongState if it keeps answering another count. */
function hasMessages(stream, n) {
  let wrongSince;
  return async (raw) => {
    const got = (await streamInfo(raw, stream))?.state?.messages;
    if (got === n) return true;
    if (got !== undefined) {
      wrongSince ??= now();
      if (now() - wrongSince > SETTLE_MS) throw new WrongState(`stream ${stream} has ${got} messages, ${n} were acknowledged`);
    }
    return false;
  };
}
const jsAnswers = async (raw) => (await raw.request("$JS.API.INFO", "", 2000)).status === undefined;

// ---- results ------------------------------------------------------------------------------------

/** Rows in first-seen order: group, measure, values by target. */
const rows = [];
function record(group, measure, target, value) {
  let row = rows.find((r) => r.group === group && r.measure === measure);
  if (!row) rows.push((row = { group, measure, values: {} }));
  row.values[target] = value;
  process.stderr.write(`  ${target.padEnd(7)} ${group}: ${measure} = ${fmt(value)}\n`);
}

const mib = (kb) => ({ n: kb / 1024, unit: "MiB" });
const ms = (x) => ({ n: x, unit: "ms" });
const rate = (count, msElapsed) => ({ n: (count * 1000) / msElapsed, unit: "/s" });

function fmt(v) {
  if (v === undefined) return "";
  if (typeof v === "string") return v;
  const n = v.n;
  const digits = v.unit === "/s" ? 0 : n >= 100 ? 0 : 1;
  const text = n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return v.unit === "/s" ? `${text}/s` : `${text} ${v.unit}`;
}

function table(targets) {
  const names = { nats: "nats-server", tsnats: "tsnats" };
  const head = ["scenario", "measure", ...targets.map((t) => names[t] ?? t)];
  const ratio = targets.length === 2;
  if (ratio) head.push(`${names[targets[1]] ?? targets[1]} / ${names[targets[0]] ?? targets[0]}`);
  const out = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const r of rows) {
    const cells = [r.group, r.measure, ...targets.map((t) => fmt(r.values[t]))];
    if (ratio) {
      const [a, b] = targets.map((t) => r.values[t]);
      cells.push(typeof a === "object" && typeof b === "object" && a.n > 0 ? `${(b.n / a.n).toFixed(2)}x` : "");
    }
    out.push(`| ${cells.join(" | ")} |`);
  }
  return out.join("\n");
}

// ---- scenarios ------------------------------------------------------------------------------------

class Run {
  constructor(opts, port, conf, target, label) {
    this.opts = opts;
    this.port = port;
    this.conf = conf;
    this.target = target;
    this.label = label;
    this.dir = join(workDir, `${label.replace(/\W+/g, "-")}-${target}`);
    mkdirSync(this.dir, { recursive: true });
    this.storeDir = join(this.dir, "store");
    this.log = join(this.dir, "server.log");
  }

  spawn() {
    return new ServerProc(this.target, this.opts.cmds[this.target], this.port, this.storeDir, this.conf, this.log);
  }

  async start() {
    const srv = this.spawn();
    await waitReady(srv, this.port, jsAnswers, 60_000);
    return srv;
  }

  /** A restart (after `stopping` ended the old process) until `ready`: times and memory. */
  async restart(kind, ready) {
    const srv = this.spawn();
    const t = await waitReady(srv, this.port, ready, this.opts.timeoutSecs * 1000);
    const m = memory(srv.pid);
    this.put(`${kind}: port accepts`, ms(t.portMs));
    this.put(`${kind}: ready`, ms(t.readyMs));
    this.put(`${kind}: RSS when ready`, mib(m.rss));
    this.put(`${kind}: peak RSS (VmHWM)`, mib(m.hwm));
    return srv;
  }

  put(measure, value) {
    record(this.label, measure, this.target, value);
  }

  done() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function streamScenario(run, n) {
  const { opts } = run;
  let srv = await run.start();
  const raw = await Raw.connect(run.port);
  await raw.api("$JS.API.STREAM.CREATE.SCALE", { name: "SCALE", subjects: ["scale.>"], storage: "file", max_bytes: -1, max_msgs: -1 });
  const t = now();
  await publishAll(raw, srv, n, opts.window, streamBatches("scale"));
  run.put("publish", rate(n, now() - t));
  run.put("RSS after publishing", mib(memory(srv.pid).rss));
  raw.close();
  run.put("store on disk", { n: duBytes(run.storeDir) / 1024 ** 2, unit: "MiB" });

  await srv.kill();
  srv = await run.restart("SIGKILL restart", hasMessages("SCALE", n));
  run.put("clean stop (SIGTERM until exit)", ms(await srv.stop()));
  srv = await run.restart("clean restart", hasMessages("SCALE", n));

  const reader = await Raw.connect(run.port);
  await reader.api("$JS.API.CONSUMER.DURABLE.CREATE.SCALE.reader", { stream_name: "SCALE", config: { durable_name: "reader", ack_policy: "none", deliver_policy: "all" } });
  const BATCH = 10_000;
  const pull = `${reader.inbox}.read`;
  let got = 0;
  let asked = 0;
  reader.subscribe(pull, (_s, hdr) => {
    if (hdr === undefined) got++;
  });
  const next = Buffer.from(`PUB $JS.API.CONSUMER.MSG.NEXT.SCALE.reader ${pull} ${`{"batch":${BATCH}}`.length}\r\n{"batch":${BATCH}}\r\n`);
  const ask = () => {
    asked += BATCH;
    return reader.write(next);
  };
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, memory(srv.pid).rss)), 100);
  const t2 = now();
  try {
    await ask();
    await ask();
    while (got < n) {
      srv.check();
      if (reader.closed) throw new Error("reader's connection closed");
      if (asked - got < 2 * BATCH && asked < n + BATCH) await ask();
      else await reader.more();
    }
  } finally {
    clearInterval(sampler);
  }
  run.put("read from seq 1 (pull, no acks)", rate(n, now() - t2));
  run.put("peak RSS while reading", mib(Math.max(peak, memory(srv.pid).rss)));
  reader.close();
  await srv.kill();
}

async function kvScenario(run, keys) {
  const { opts } = run;
  let srv = await run.start();
  const bucket = "SCALEKV";
  const nc = await connect({ servers: `127.0.0.1:${run.port}` });
  await new Kvm(nc).create(bucket, { history: 1 });
  await nc.close();
  const raw = await Raw.connect(run.port);
  const value = (i) => `k${i}:`.padEnd(128, "v");
  const t = now();
  await publishAll(raw, srv, keys, opts.window, (first, n, ack) => {
    let s = "";
    for (let i = first; i < first + n; i++) s += `PUB $KV.${bucket}.k${i} ${ack} 128\r\n${value(i)}\r\n`;
    return Buffer.from(s, "latin1");
  });
  run.put("write", rate(keys, now() - t));
  run.put("RSS after writing", mib(memory(srv.pid).rss));
  raw.close();
  await srv.kill();
  srv = await run.restart("SIGKILL restart", hasMessages(`KV_${bucket}`, keys));

  const nc2 = await connect({ servers: `127.0.0.1:${run.port}` });
  const kv = await new Kvm(nc2).open(bucket);
  const lat = [];
  const t2 = now();
  for (let g = 0; g < opts.gets; g++) {
    const i = Math.floor(Math.random() * keys);
    const s = now();
    const e = await kv.get(`k${i}`);
    lat.push(now() - s);
    if (e?.string() !== value(i)) throw new Error(`get k${i}: ${e ? `wrong value ${e.string().slice(0, 20)}` : "missing"}`);
  }
  run.put(`${opts.gets} random gets, one at a time`, rate(opts.gets, now() - t2));
  lat.sort((a, b) => a - b);
  run.put("get p99", ms(lat[Math.floor(lat.length * 0.99)]));
  await nc2.close();
  await srv.kill();
}

async function consumersScenario(run, count) {
  let srv = await run.start();
  const raw = await Raw.connect(run.port);
  await raw.api("$JS.API.STREAM.CREATE.CONS", { name: "CONS", subjects: ["cons.>"], storage: "file" });
  await publishAll(raw, srv, 1000, 1000, streamBatches("cons"));
  const t = now();
  const inFlight = new Set();
  for (let i = 0; i < count; i++) {
    const p = raw.api(`$JS.API.CONSUMER.DURABLE.CREATE.CONS.d${i}`, { stream_name: "CONS", config: { durable_name: `d${i}`, ack_policy: "explicit", deliver_policy: "all" } });
    inFlight.add(p);
    p.finally(() => inFlight.delete(p)).catch(() => {});
    if (inFlight.size >= 32) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  run.put("create consumers", rate(count, now() - t));
  raw.close();
  await srv.kill();
  srv = await run.restart("SIGKILL restart", async (r) => (await streamInfo(r, "CONS"))?.state?.consumer_count === count);
  await srv.kill();
}

async function idleScenario(run) {
  const srv = await run.start();
  const at = async (secs) => {
    await sleep(Math.max(0, srv.t0 + secs * 1000 - now()));
    srv.check();
    run.put(`RSS ${secs} s after spawn`, mib(memory(srv.pid).rss));
  };
  await at(3);
  if (run.opts.idleSecs > 3) await at(run.opts.idleSecs);
  await srv.kill();
}

// ---- main -------------------------------------------------------------------------------------------


async function main() {
  const opts = parseArgs(process.argv.slice(2));
  workDir = mkdtempSync(join(opts.dir, "store-scale-"));
  const conf = join(workDir, "server.conf");
  writeFileSync(conf, `jetstream {\n  max_file_store: ${MAX_FILE_STORE}\n}\n`);
  const port = await freePort();
  const plan = [];
  if (opts.scenarios.includes("stream")) for (const n of opts.msgs) plan.push([`stream ${n.toLocaleString("en-US")} x 128 B`, (r) => streamScenario(r, n)]);
  if (opts.scenarios.includes("kv")) plan.push([`KV ${opts.kvKeys.toLocaleString("en-US")} keys`, (r) => kvScenario(r, opts.kvKeys)]);
  if (opts.scenarios.includes("consumers")) plan.push([`${opts.consumers.toLocaleString("en-US")} durable consumers`, (r) => consumersScenario(r, opts.consumers)]);
  if (opts.scenarios.includes("idle")) plan.push(["idle -js server", (r) => idleScenario(r)]);
  process.stderr.write(`store-scale: ${opts.targets.map((t) => `${t} = ${opts.cmds[t]}`).join("; ")}; port ${port}; work dir ${workDir}\n`);
  let failed = false;
  for (const [label, fn] of plan) {
    for (const target of opts.targets) {
      process.stderr.write(`${label} on ${target}\n`);
      const run = new Run(opts, port, conf, target, label);
      try {
        await fn(run);
      } catch (e) {
        failed = true;
        record(label, "error", target, String(e.message ?? e).split("\n")[0]);
        process.stderr.write(`  ${e.stack ?? e}\n`);
      } finally {
        for (const p of [...live]) await p.kill().catch(() => {});
        run.done();
      }
    }
  }
  console.log(`\n${table(opts.targets)}`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
