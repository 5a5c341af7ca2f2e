#!/usr/bin/env node
// Micro-benchmark of the Sublist (not a test): match rates with cache hits and with misses, and the
// cost of subscribe/unsubscribe churn. Needs `npm run build` first. Usage: node scripts/bench-sublist.mjs
import { Sublist } from "../dist/src/subjects/sublist.js";

const NS_PER_S = 1e9;

/** Best of three timed runs after a warm-up, so that a busy machine disturbs the figure less. */
function bench(name, ops, fn) {
  fn(Math.min(ops, 200_000));
  let ns = Infinity;
  let sink;
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint();
    sink = fn(ops);
    ns = Math.min(ns, Number(process.hrtime.bigint() - start));
  }
  const rate = (ops / ns) * NS_PER_S;
  console.log(`${name.padEnd(46)} ${(rate / 1e6).toFixed(2).padStart(8)} M ops/s  (${(ns / ops).toFixed(0)} ns/op, sink ${sink})`);
}

/** A realistic mix: per-device literal subjects, service wildcards, an inbox tree, some queue groups. */
function populate(sl) {
  const subs = [];
  const add = (subject, queue) => {
    const sub = { subject, queue, sid: String(subs.length) };
    sl.insert(sub);
    subs.push(sub);
  };
  for (let i = 0; i < 2000; i++) add(`devices.${i}.telemetry`);
  for (let i = 0; i < 200; i++) add(`devices.${i}.*`);
  for (let i = 0; i < 50; i++) add(`svc.orders.${i % 10}`, `workers${i % 3}`);
  add("devices.>");
  add("svc.>");
  for (let i = 0; i < 1000; i++) add(`_INBOX.abcdefghij${i}.*`);
  return subs;
}

const subjects = [];
for (let i = 0; i < 1000; i++) {
  subjects.push(`devices.${i}.telemetry`, `svc.orders.${i % 10}`, `_INBOX.abcdefghij${i}.${i}`, `nobody.${i}`);
}

const cached = new Sublist();
populate(cached);
const hot = subjects.slice(0, 512); // fits in the cache: every timed match is a hit
bench("match, cache hit (512 hot subjects)", 20_000_000, (n) => {
  let fanout = 0;
  for (let i = 0; i < n; i++) {
    const r = cached.match(hot[i & 511]);
    fanout += r.plain.length + r.queues.length;
  }
  return fanout;
});

const uncached = new Sublist({ disableCache: true });
populate(uncached);
bench("match, cache miss (cache disabled, 4000 subj.)", 3_000_000, (n) => {
  let fanout = 0;
  for (let i = 0; i < n; i++) {
    const r = uncached.match(subjects[i % subjects.length]);
    fanout += r.plain.length + r.queues.length;
  }
  return fanout;
});

const thrash = new Sublist();
populate(thrash);
bench("match, cached list, 4000 rotating subjects", 3_000_000, (n) => {
  let fanout = 0;
  for (let i = 0; i < n; i++) {
    const r = thrash.match(subjects[i % subjects.length]);
    fanout += r.plain.length + r.queues.length;
  }
  return fanout;
});

// JetStream traffic: every ack and PubAck reply subject is published once, between a few hot subjects.
const js = new Sublist();
populate(js);
js.insert({ subject: "$JS.ACK.orders.worker.>", queue: undefined });
js.insert({ subject: "_INBOX.jsclient0123456789.*", queue: undefined });
js.insert({ subject: "$JS.API.CONSUMER.MSG.NEXT.orders.worker", queue: undefined });
let jsSeq = 0;
bench("match, one-shot JS subjects + 1 hot in 4", 3_000_000, (n) => {
  let fanout = 0;
  for (let i = 0; i < n; i++) {
    const seq = jsSeq++;
    const subject =
      (i & 3) === 0
        ? "$JS.API.CONSUMER.MSG.NEXT.orders.worker"
        : (i & 1) === 1
          ? `$JS.ACK.orders.worker.1.${seq}.${seq}.1763711000000000000.${i & 1023}`
          : `_INBOX.jsclient0123456789.${seq}`;
    const r = js.match(subject);
    fanout += r.plain.length + r.queues.length;
  }
  return fanout;
});

const churn = new Sublist();
populate(churn);
for (const s of hot) churn.match(s);
bench("insert+remove literal sub (request/reply)", 1_000_000, (n) => {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const sub = { subject: `_INBOX.reply.${i & 1023}`, queue: undefined };
    if (churn.insert(sub) && churn.remove(sub)) ok++;
  }
  return ok;
});

bench("insert+remove wildcard sub, cache of 512", 20_000, (n) => {
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const sub = { subject: `devices.${i & 1023}.*`, queue: undefined, sid: "x" };
    if (churn.insert(sub) && churn.remove(sub)) ok++;
    churn.match(hot[i & 511]);
  }
  return ok;
});

const toggle = new Sublist();
populate(toggle);
for (let i = 0; i < 1000; i++) toggle.match(`devices.${i}.telemetry`);
const toggled = { subject: "devices.7.telemetry", queue: undefined };
bench("toggle a sub on a hot subject (full cache)", 500_000, (n) => {
  let fanout = 0;
  for (let i = 0; i < n; i++) {
    toggle.insert(toggled);
    fanout += toggle.match("devices.7.telemetry").plain.length;
    toggle.remove(toggled);
    fanout += toggle.match("devices.7.telemetry").plain.length;
  }
  return fanout;
});

console.log("stats after cache-hit run:", JSON.stringify(cached.stats()));
console.log("stats after one-shot run:", JSON.stringify(js.stats()));
