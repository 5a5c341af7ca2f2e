/**
 * Differential: nats-server and tsnats, both started with -m and given the same client activity, must
 * answer the monitoring endpoints — over HTTP and over the system account — with the same paths, JSON
 * types and field order. Values differ (ids, times, ports) and are not compared here; the other monitor
 * tests check them against tsnats' own state.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { freePort, natsServerAvailable, startServerProcess, type Impl, type ServerProcess } from "../helpers/server-process.js";
import { pki } from "../tls/pki.js";
import { tlsBlock, tlsClient, tlsOpts, tlsServer } from "../tls/support.js";
import { ACCOUNTS_CONFIG, goneClosed, getJson, orderDifferences, shape, standardActivity, type Activity } from "./support.js";

/** Requested in this order on both servers, so that /varz http_req_stats has the same keys. */
const PATHS = [
  "/varz",
  "/connz?subs=1",
  "/connz?subs=detail&state=any&auth=1",
  "/subsz?subs=1",
  "/subsz",
  "/healthz",
  "/routez",
  "/accountz",
  "/accountz?acc=$G",
  "/accountz?acc=$SYS",
  "/accstatz?unused=1",
  "/varz",
];

/** With accounts, a system user and JetStream in account A. */
const ACCOUNT_PATHS = ["/varz", "/jsz?accounts=1", "/accountz?acc=A", "/accountz?acc=B", "/accountz?acc=SYS", "/connz?auth=1", "/healthz"];

/** `$SYS` requests (subject and JSON options), asked as the system user. */
const SYS_REQUESTS: [subject: string, options?: Record<string, unknown>][] = [
  ["$SYS.REQ.SERVER.PING.VARZ"],
  ["$SYS.REQ.SERVER.PING.CONNZ", { auth: true, subscriptions_detail: true }],
  ["$SYS.REQ.SERVER.PING.SUBSZ"],
  ["$SYS.REQ.SERVER.PING.SUBSZ", { subscriptions: true, account: "A" }],
  ["$SYS.REQ.SERVER.PING.ACCOUNTZ"],
  ["$SYS.REQ.SERVER.PING.ACCOUNTZ", { account: "B" }],
  ["$SYS.REQ.SERVER.PING.JSZ", { accounts: true }],
  ["$SYS.REQ.SERVER.PING.HEALTHZ"],
  ["$SYS.REQ.SERVER.PING.ROUTEZ"],
  ["$SYS.REQ.SERVER.PING.GATEWAYZ"],
  ["$SYS.REQ.SERVER.PING.LEAFZ"],
  ["$SYS.REQ.ACCOUNT.A.CONNZ"],
  ["$SYS.REQ.ACCOUNT.A.SUBSZ"],
  ["$SYS.REQ.ACCOUNT.A.INFO"],
  ["$SYS.REQ.ACCOUNT.A.JSZ"],
];

/** With mutual TLS and a client presenting its certificate. */
const TLS_PATHS = ["/varz", "/connz?auth=1&subs=detail"];

type Answers = Map<string, unknown>;

async function answersOf(impl: Impl, cleanup: (fn: () => unknown) => void): Promise<Answers> {
  const mport = await freePort();
  const srv: ServerProcess = await startServerProcess({ impl, args: ["-m", String(mport)] });
  cleanup(() => srv.stop("SIGKILL"));
  const activity: Activity = await standardActivity(srv.port, goneClosed(mport));
  cleanup(() => activity.close());
  const out: Answers = new Map();
  for (const [i, p] of PATHS.entries()) out.set(`${i} ${p}`, await getJson(mport, p));
  return out;
}

async function accountAnswersOf(impl: Impl, cleanup: (fn: () => unknown) => void): Promise<Answers> {
  const mport = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "tsnats-mon-diff-"));
  const config = ACCOUNTS_CONFIG.replace("A: { users", "A: { jetstream: enabled, users") + `jetstream { store_dir: "${dir}" }\n`;
  const srv = await startServerProcess({ impl, config, args: ["-m", String(mport)] });
  cleanup(() => srv.stop("SIGKILL"));
  const conns: NatsConnection[] = [];
  cleanup(() => Promise.all(conns.map((c) => c.close())));
  for (const user of ["sys", "a", "b"]) conns.push(await connect({ servers: srv.url, user, pass: user, name: user }));
  const [sys, a, b] = conns as [NatsConnection, NatsConnection, NatsConnection];
  b.subscribe("fromA.ev.>");
  await b.flush();
  a.publish("ev.x", "hello");
  await a.flush();
  const out: Answers = new Map();
  for (const [i, p] of ACCOUNT_PATHS.entries()) out.set(`${i} ${p}`, await getJson(mport, p));
  for (const [subject, options] of SYS_REQUESTS) {
    const m = await sys.request(subject, options === undefined ? "" : JSON.stringify(options), { timeout: 3000 });
    out.set(`${subject} ${JSON.stringify(options ?? {})}`, m.json());
  }
  return out;
}

async function tlsAnswersOf(impl: Impl, cleanup: (fn: () => unknown) => void): Promise<Answers> {
  const mport = await freePort();
  const t = { after: cleanup };
  const srv = await tlsServer(t, tlsBlock("verify: true\n  timeout: 3"), impl, ["-m", String(mport)]);
  const nc = await tlsClient(t, srv, tlsOpts(pki().alice), { name: "alice" });
  nc.subscribe("tls.>");
  await nc.flush();
  const out: Answers = new Map();
  for (const [i, p] of TLS_PATHS.entries()) out.set(`${i} ${p}`, await getJson(mport, p));
  return out;
}

const available = natsServerAvailable();

function compare(keys: string[], answers: () => [ref: Answers, ours: Answers]): void {
  for (const key of keys) {
    test(`${key}: same paths and types`, () => {
      const [ref, ours] = answers();
      assert.deepEqual(shape(ours.get(key)), shape(ref.get(key)));
    });
    test(`${key}: same field order`, () => {
      const [ref, ours] = answers();
      assert.deepEqual(orderDifferences(ours.get(key), ref.get(key)), []);
    });
  }
}

describe("monitoring JSON shapes: tsnats vs nats-server", { skip: available ? false : "nats-server is not installed" }, () => {
  const cleanups: (() => unknown)[] = [];
  let ref: Answers;
  let ours: Answers;

  before(async () => {
    const add = (fn: () => unknown) => void cleanups.push(fn);
    [ref, ours] = await Promise.all([answersOf("nats-server", add), answersOf("tsnats", add)]);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  compare([...PATHS.entries()].map(([i, p]) => `${i} ${p}`), () => [ref, ours]);
});

describe("monitoring JSON shapes with accounts, JetStream and $SYS requests: tsnats vs nats-server", { skip: available ? false : "nats-server is not installed" }, () => {
  const cleanups: (() => unknown)[] = [];
  let ref: Answers;
  let ours: Answers;

  before(async () => {
    const add = (fn: () => unknown) => void cleanups.push(fn);
    [ref, ours] = await Promise.all([accountAnswersOf("nats-server", add), accountAnswersOf("tsnats", add)]);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  compare(
    [...[...ACCOUNT_PATHS.entries()].map(([i, p]) => `${i} ${p}`), ...SYS_REQUESTS.map(([s, o]) => `${s} ${JSON.stringify(o ?? {})}`)],
    () => [ref, ours],
  );
});

describe("monitoring JSON shapes with TLS: tsnats vs nats-server", { skip: available ? false : "nats-server is not installed" }, () => {
  const cleanups: (() => unknown)[] = [];
  let ref: Answers;
  let ours: Answers;

  before(async () => {
    const add = (fn: () => unknown) => void cleanups.push(fn);
    [ref, ours] = await Promise.all([tlsAnswersOf("nats-server", add), tlsAnswersOf("tsnats", add)]);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  compare([...TLS_PATHS.entries()].map(([i, p]) => `${i} ${p}`), () => [ref, ours]);

  test("the TLS fields carry the same values", () => {
    const conn = (a: Answers) => ((a.get("1 /connz?auth=1&subs=detail") as Record<string, unknown>).connections as Record<string, unknown>[])[0]!;
    const tls = (c: Record<string, unknown>) => [c.tls_version, c.tls_cipher_suite, c.tls_peer_certs];
    assert.deepEqual(tls(conn(ours)), tls(conn(ref)));
    const varz = (a: Answers) => {
      const v = a.get("0 /varz") as Record<string, unknown>;
      return [v.tls_required, v.tls_verify, v.tls_timeout];
    };
    assert.deepEqual(varz(ours), [true, true, 3]);
    assert.deepEqual(varz(ours), varz(ref));
  });
});
