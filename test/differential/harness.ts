/**
 * Differential suites: each case is a raw session played against nats-server 2.9.10 (the reference) and
 * the implementation under test, both started once per suite with the same flags and config. The two
 * normalised transcripts must be deep-equal. Each case also states what the reference shows, so that a
 * case cannot pass by both servers doing nothing, and so that the file documents nats-server's behaviour.
 *
 * Intended differences: only the INFO fields in INFO_INTENDED_DIFFERENCES (test/helpers/raw-session.ts),
 * each with its reason. Anything else that differs is a failure.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  implUnderTest,
  natsServerAvailable,
  startServerProcess,
  type ServerProcess,
  type StartOptions,
} from "../helpers/server-process.js";
import { normalise, runSession, type NormalisedTranscript, type Step, type Transcript } from "../helpers/raw-session.js";

export interface DiffCase {
  name: string;
  steps: Step[];
  /**
   * Per connection, every frame the reference sends after its INFO, as rendered by `normalise` (harness
   * sync PONGs are not shown), ending in "<closed>" when the server closes the connection.
   */
  expect?: Record<string, string[]>;
  /** Like `expect`, but these frames need only appear in this order among others (for random choices). */
  expectIncludes?: Record<string, string[]>;
  /** Further claims about the reference transcript (e.g. an INFO value), asserted before comparing. */
  inspect?: (reference: Transcript) => void;
  /** What is compared; defaults to the whole normalised transcript. Use it where the server may choose (queue members). */
  view?: (t: Transcript) => unknown;
  /**
   * Also replay the session with every `send` cut into separate writes — at each single offset in turn
   * ("every-offset") or byte by byte ("bytes") — and require each server to answer exactly as it did to
   * the uncut session: the parser must not depend on how TCP chunks the input.
   */
  resplit?: "every-offset" | "bytes";
}

/** A case that hangs (a server that neither answers nor closes) fails instead of stalling the run. */
const CASE_TIMEOUT_MS = 60_000;

export interface SuiteOptions {
  args?: string[];
  config?: string;
}

/** Defines a `describe` block whose cases compare the implementation under test against nats-server. */
export function differentialSuite(title: string, cases: DiffCase[], opts: SuiteOptions = {}): void {
  describe(title, () => {
    let reference: ServerProcess | undefined;
    let candidate: ServerProcess | undefined;
    const start = (impl: StartOptions["impl"]) => startServerProcess({ impl, args: opts.args, config: opts.config });

    before(async () => {
      if (!natsServerAvailable()) return;
      // Keep whichever started, so that `after` stops it even when the other failed.
      const started = await Promise.allSettled([start("nats-server"), start(implUnderTest())]);
      [reference, candidate] = started.map((r) => (r.status === "fulfilled" ? r.value : undefined));
      for (const r of started) if (r.status === "rejected") throw r.reason;
    });
    after(async () => {
      await Promise.all([reference?.stop(), candidate?.stop()]);
    });

    for (const c of cases) {
      it(c.name, { timeout: CASE_TIMEOUT_MS }, async (t) => {
        if (!reference || !candidate) return t.skip("nats-server not installed");
        const [ref, got] = await Promise.all([runSession(reference.port, c.steps), runSession(candidate.port, c.steps)]);
        checkReference(c, normalise(ref));
        c.inspect?.(ref);
        const view = c.view ?? normalise;
        assert.deepEqual(view(got), view(ref), `${candidate.impl} differs from nats-server`);
        for (const steps of c.resplit ? resplits(c.steps, c.resplit) : []) {
          const [r, g]: Transcript[] = await Promise.all([runSession(reference.port, steps), runSession(candidate.port, steps)]);
          assert.deepEqual(view(r), view(ref), `nats-server answers a cut session differently (${describeSplit(steps)})`);
          assert.deepEqual(view(g), view(got), `${candidate.impl} answers a cut session differently (${describeSplit(steps)})`);
        }
      });
    }
  });
}

/** The case's steps with their sends cut: one variant per offset, or a single byte-by-byte variant. */
function resplits(steps: Step[], how: "every-offset" | "bytes"): Step[][] {
  if (how === "bytes") return [steps.map((s) => (s.kind === "send" ? { ...s, split: "bytes" } : s))];
  const longest = Math.max(...steps.map((s) => (s.kind === "send" ? s.data.length : 0)));
  const out: Step[][] = [];
  for (let at = 1; at < longest; at++) {
    out.push(steps.map((s) => (s.kind === "send" && at < s.data.length ? { ...s, split: [at] } : s)));
  }
  return out;
}

function describeSplit(steps: Step[]): string {
  return steps.map((s) => (s.kind === "send" && s.split ? `split ${JSON.stringify(s.split)}` : s.kind)).join(", ");
}

/** The case's own claims about nats-server must hold, or the case is testing nothing. */
function checkReference(c: DiffCase, ref: NormalisedTranscript): void {
  assert.deepEqual(ref.timeouts, [], "reference (nats-server) timeouts");
  assert.ok(c.expect || c.expectIncludes || c.inspect, "a case states what nats-server does");
  for (const [conn, wanted] of Object.entries(c.expect ?? {})) {
    const frames = ref.conns[conn];
    assert.ok(frames, `reference has no connection ${conn}`);
    assert.match(frames[0] ?? "", /^INFO /, `reference ${conn} starts with INFO`);
    assert.deepEqual(frames.slice(1), wanted, `reference (nats-server) ${conn}`);
  }
  for (const [conn, wanted] of Object.entries(c.expectIncludes ?? {})) {
    const frames = ref.conns[conn];
    assert.ok(frames, `reference has no connection ${conn}`);
    let at = 0;
    for (const w of wanted) {
      const found = frames.indexOf(w, at);
      assert.ok(found >= 0, `reference (nats-server) ${conn} lacks ${JSON.stringify(w)} in order:\n${frames.join("\n")}`);
      at = found + 1;
    }
  }
}

/** Text of a CONNECT op with these options. */
export function connectOp(opts: Record<string, unknown>): string {
  return `CONNECT ${JSON.stringify(opts)}\r\n`;
}

/** CONNECT for a quiet client (no +OK, no pedantic checks), with any extra options. */
export function quietConnect(extra: Record<string, unknown> = {}): string {
  return connectOp({ verbose: false, pedantic: false, ...extra });
}

/** A PUB op with its payload. */
export function pub(subject: string, payload: string, reply?: string): string {
  const r = reply === undefined ? "" : ` ${reply}`;
  return `PUB ${subject}${r} ${Buffer.byteLength(payload, "latin1")}\r\n${payload}\r\n`;
}

/** An HPUB op: `headers` is the full header block (NATS/1.0 line through the blank line). */
export function hpub(subject: string, headers: string, payload: string, reply?: string): string {
  const r = reply === undefined ? "" : ` ${reply}`;
  const h = Buffer.byteLength(headers, "latin1");
  return `HPUB ${subject}${r} ${h} ${h + Buffer.byteLength(payload, "latin1")}\r\n${headers}${payload}\r\n`;
}

/** A MSG frame as `normalise` renders it. */
export function msg(line: string, payload: string): string {
  return `${line} | ${JSON.stringify(payload)}`;
}

/** An HMSG frame as `normalise` renders it. */
export function hmsg(line: string, headers: string, payload: string): string {
  return `${line} | ${JSON.stringify(headers)} | ${JSON.stringify(payload)}`;
}

/** MSG/HMSG deliveries per connection and sid, for cases where the server may choose who gets a message. */
export function deliveryCounts(t: Transcript): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [name, c] of Object.entries(t.conns)) {
    const counts: Record<string, number> = {};
    for (const f of c.frames) {
      if (f.kind !== "MSG" && f.kind !== "HMSG") continue;
      const sid = f.line.split(" ")[2]!;
      counts[sid] = (counts[sid] ?? 0) + 1;
    }
    out[name] = counts;
  }
  return out;
}

/** Every frame except deliveries, per connection: what must still match exactly when deliveries are counted. */
export function nonDeliveries(t: Transcript): Record<string, string[]> {
  const n = normalise(t);
  const out: Record<string, string[]> = {};
  for (const [name, frames] of Object.entries(n.conns)) out[name] = frames.filter((f) => !/^H?MSG /.test(f));
  return out;
}
