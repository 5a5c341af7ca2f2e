/**
 * Differential: nats-server and tsnats, both started with -m and given the same client activity, must
 * answer the monitoring endpoints with the same paths, JSON types and field order. Values differ (ids,
 * times, ports) and are not compared here; the other monitor tests check them against tsnats' own state.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { freePort, natsServerAvailable, startServerProcess, type Impl, type ServerProcess } from "../helpers/server-process.js";
import { goneClosed, getJson, orderDifferences, shape, standardActivity, type Activity } from "./support.js";

/** Requested in this order on both servers, so that /varz http_req_stats has the same keys. */
const PATHS = ["/varz", "/connz?subs=1", "/connz?subs=detail&state=any", "/subsz?subs=1", "/subsz", "/healthz", "/routez", "/varz"];

/**
 * Where tsnats differs on purpose: nats-server always runs a system account `$SYS` (named in /varz);
 * tsnats has none.
 */
const INTENDED = new Set([".system_account: string"]);

interface Answers {
  [path: string]: unknown;
}

async function answersOf(impl: Impl, cleanup: (fn: () => unknown) => void): Promise<Answers> {
  const mport = await freePort();
  const srv: ServerProcess = await startServerProcess({ impl, args: ["-m", String(mport)] });
  cleanup(() => srv.stop("SIGKILL"));
  const activity: Activity = await standardActivity(srv.port, goneClosed(mport));
  cleanup(() => activity.close());
  const out: Answers = {};
  for (const [i, p] of PATHS.entries()) out[`${i} ${p}`] = await getJson(mport, p);
  return out;
}

const available = natsServerAvailable();

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

  for (const [i, p] of PATHS.entries()) {
    const key = `${i} ${p}`;
    test(`${p}: same paths and types`, () => {
      const want = shape(ref[key]).filter((l) => !INTENDED.has(l));
      const got = shape(ours[key]).filter((l) => !INTENDED.has(l));
      assert.deepEqual(got, want);
    });
    test(`${p}: same field order`, () => {
      assert.deepEqual(orderDifferences(ours[key], ref[key]), []);
    });
  }
});
