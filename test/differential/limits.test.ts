/**
 * Limits set in a config file (max_payload, max_control_line) and server PINGs (ping_interval,
 * ping_max), compared between nats-server 2.9.10 and tsnats.
 */
import assert from "node:assert/strict";
import { expectClose, hangUp, send, waitFor, waitFrames, type Transcript } from "../helpers/raw-session.js";
import { differentialSuite, hpub, msg, pub, quietConnect, type DiffCase } from "./harness.js";

const Q = quietConnect();
const QH = quietConnect({ headers: true });
const PAYLOAD = "-ERR 'Maximum Payload Violation'";
const CONTROL_LINE = "-ERR 'maximum control line exceeded'";

const limitCases: DiffCase[] = [
  {
    name: "INFO announces max_payload from the config file",
    steps: [send(Q)],
    expect: { c: [] },
    inspect: (t: Transcript) => assert.equal(t.conns.c!.info?.max_payload, 100),
  },
  {
    name: "a payload of exactly max_payload is delivered",
    steps: [send(Q + "SUB foo 1\r\n" + pub("foo", "p".repeat(100)))],
    expect: { c: [msg("MSG foo 1 100", "p".repeat(100))] },
  },
  {
    name: "a payload of max_payload + 1: -ERR and close",
    steps: [send(Q + "SUB foo 1\r\nPUB foo 101\r\n"), expectClose()],
    expect: { c: [PAYLOAD, "<closed>"] },
  },
  {
    name: "HPUB counts headers and payload against max_payload",
    steps: [send(QH + "SUB foo 1\r\n" + hpub("foo", "NATS/1.0\r\n\r\n", "h".repeat(88)), { on: "ok" }), send(QH + "HPUB foo 12 101\r\n", { on: "over" }), expectClose({ on: "over" })],
    expect: { ok: [`HMSG foo 1 12 100 | ${JSON.stringify("NATS/1.0\r\n\r\n")} | ${JSON.stringify("h".repeat(88))}`], over: [PAYLOAD, "<closed>"] },
  },
  {
    name: "control line arguments of exactly max_control_line (64) are accepted",
    steps: [send(Q + `SUB ${"s".repeat(62)} 1\r\nPUB ${"s".repeat(62)} 1\r\nx\r\n`)],
    expect: { c: [msg(`MSG ${"s".repeat(62)} 1 1`, "x")] },
  },
  {
    name: "control line arguments over max_control_line: -ERR and close",
    steps: [send(Q + `SUB ${"s".repeat(63)} 1\r\n`), expectClose()],
    expect: { c: [CONTROL_LINE, "<closed>"] },
  },
  {
    name: "a CONNECT over max_control_line: -ERR and close",
    steps: [send(quietConnect({ name: "a-client-name-long-enough" })), expectClose()],
    expect: { c: [CONTROL_LINE, "<closed>"] },
  },
];

differentialSuite("differential: limits from a config file", limitCases, {
  config: "max_payload: 100\nmax_control_line: 64\n",
});

/** Long enough for a few server PINGs, short enough that no PING reaches the other cases' checks. */
const PING_TIMEOUT = { timeoutMs: 3000 };

const pingCases: DiffCase[] = [
  {
    name: "unanswered server PINGs: -ERR 'Stale Connection' and close",
    steps: [send(Q), waitFor("PING\r\n", PING_TIMEOUT), expectClose(PING_TIMEOUT)],
    expect: { c: ["PING", "-ERR 'Stale Connection'", "<closed>"] },
  },
  {
    name: "answered server PINGs keep the connection open",
    steps: [
      // Frames counted include the INFO.
      send(Q),
      waitFrames(2, PING_TIMEOUT),
      send("PONG\r\n"),
      waitFrames(3, PING_TIMEOUT),
      send("PONG\r\n"),
      waitFrames(4, PING_TIMEOUT),
      hangUp(),
    ],
    expect: { c: ["PING", "PING", "PING"] },
  },
];

differentialSuite("differential: server PINGs", pingCases, {
  config: 'ping_interval: "300ms"\nping_max: 1\n',
});
