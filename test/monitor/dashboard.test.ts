/**
 * The dashboard in headless Chromium (Debian's `chromium`, driven by playwright-core): the page loads
 * under a base path with nothing fetched from elsewhere and no script error, its figures are those of
 * the JSON endpoints, a consumer at max_ack_pending shows as stalled, and the figures and charts move
 * while messages flow. A screenshot is kept in test-artifacts/ (gitignored). Skips visibly without
 * chromium.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { AckPolicy } from "@nats-io/jetstream";
import type { Page } from "playwright-core";
import { CHROMIUM_SKIP, launchChromium } from "../helpers/chromium.js";
import { embeddedJs } from "../jetstream/support.js";
import { getJson } from "./support.js";

const ARTIFACTS = fileURLToPath(new URL("../../../test-artifacts/", import.meta.url));
const BASE = "/mon";

type Json = Record<string, any>;

/** The raw figure behind `[data-key=key]` inside `scope` (a CSS selector). */
async function figure(page: Page, scope: string, key: string): Promise<number> {
  const v = await page.locator(`${scope} [data-key="${key}"]`).first().getAttribute("data-value");
  assert.ok(v !== null, `${scope} ${key} on the page`);
  return Number(v);
}

async function polls(page: Page): Promise<number> {
  return Number(await page.locator("body").getAttribute("data-polls"));
}

/** Waits until the page has polled `n` more times: what it shows then was fetched after this call. */
async function freshPolls(page: Page, n = 2): Promise<void> {
  const start = await polls(page);
  await page.waitForFunction((want) => Number(document.body.dataset.polls) >= want, start + n, { timeout: 10_000 });
}

describe("the dashboard in Chromium", { skip: CHROMIUM_SKIP }, () => {
  it("shows the JSON endpoints' figures and follows the message flow", async (t) => {
    const env = await embeddedJs(t, { server: { httpPort: -1, httpBasePath: BASE } });
    const mport = env.server!.monitorPort!;
    const origin = `http://127.0.0.1:${mport}`;
    await env.jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"], max_bytes: 1 << 20 });
    for (let i = 0; i < 20; i++) await env.js.publish(`orders.${i % 3}`, `order ${i}`);
    await env.jsm.consumers.add("ORDERS", { durable_name: "FULL", ack_policy: AckPolicy.Explicit, max_ack_pending: 5 });
    await env.jsm.consumers.add("ORDERS", { durable_name: "IDLE", ack_policy: AckPolicy.Explicit });
    const full = await env.js.consumers.get("ORDERS", "FULL");
    let got = 0;
    for await (const _m of await full.fetch({ max_messages: 5, expires: 2000 })) got++; // never acked
    assert.equal(got, 5);
    env.nc.subscribe("chat.>", { callback: () => {} });
    await env.nc.flush();

    const browser = await launchChromium(t);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    const foreign: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => {
      if (!r.url().startsWith(`${origin}${BASE}`)) foreign.push(r.url());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("response", (r) => {
      if (r.status() !== 200) errors.push(`${r.status()} ${r.url()}`);
    });
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });

    // The index page links the dashboard.
    await page.goto(`${origin}${BASE}`);
    await page.getByRole("link", { name: "Dashboard" }).click();
    await page.waitForURL(`${origin}${BASE}/dashboard`);
    await page.goto(`${origin}${BASE}/dashboard?interval=250`);
    await freshPolls(page, 2);

    // Nothing moves now: the page's figures must be the endpoints' figures.
    const varz = await getJson(mport, `${BASE}/varz`);
    const jsz = (await getJson(mport, `${BASE}/jsz?accounts=1&streams=1&consumers=1&config=1`)) as Json;
    const accstatz = (await getJson(mport, `${BASE}/accstatz?unused=1`)) as Json;
    const connz = (await getJson(mport, `${BASE}/connz`)) as Json;
    await freshPolls(page, 1);
    for (const k of ["connections", "total_connections", "subscriptions", "in_msgs", "out_msgs", "in_bytes", "out_bytes", "slow_consumers", "routes"]) {
      assert.equal(await figure(page, "#server", k), varz[k], `server ${k}`);
    }
    assert.equal(await page.locator('[data-key="server_name"]').textContent(), varz.server_name);
    assert.equal(await figure(page, "body", "num_connections"), connz.total);
    assert.equal(await page.locator("#connections tbody tr").count(), connz.connections.length);
    for (const k of ["streams", "consumers", "messages", "bytes"]) assert.equal(await figure(page, "#jetstream", k), jsz[k], `jetstream ${k}`);
    const st = jsz.account_details[0].stream_detail[0] as Json;
    const streamRow = `[data-row="stream:$G/ORDERS"]`;
    for (const k of ["messages", "bytes", "first_seq", "last_seq", "consumer_count"]) assert.equal(await figure(page, streamRow, k), st.state[k], `stream ${k}`);
    assert.match((await page.locator(streamRow).textContent()) ?? "", /%/, "storage fill of max_bytes");
    for (const ci of st.consumer_detail as Json[]) {
      const row = `[data-row="consumer:$G/ORDERS/${ci.name}"]`;
      for (const k of ["num_pending", "num_ack_pending", "num_redelivered", "num_waiting"]) assert.equal(await figure(page, row, k), ci[k], `${ci.name} ${k}`);
    }
    assert.equal(await page.locator(`[data-row="consumer:$G/ORDERS/FULL"] [data-key="status"]`).textContent(), "stalled: max ack pending reached");
    assert.equal(await page.locator(`[data-row="consumer:$G/ORDERS/IDLE"] [data-key="status"]`).textContent(), "ok");
    const g = (accstatz.account_statz as Json[]).find((a) => a.acc === "$G")!;
    assert.equal(await figure(page, `[data-row="account:$G"]`, "conns"), g.conns);
    assert.equal(await figure(page, `[data-row="account:$G"]`, "storage"), jsz.account_details[0].storage);
    assert.match((await page.locator("#routes").textContent()) ?? "", /No routes/);

    // Messages flow: the stream's figures and rates and the charts follow.
    const before = await figure(page, streamRow, "messages");
    const stop = AbortSignal.timeout(4000);
    const flow = (async () => {
      let i = 0;
      while (!stop.aborted) {
        env.nc.publish(`orders.flow`, `m${i++}`);
        env.nc.publish("chat.room", "hi");
        await new Promise((r) => setTimeout(r, 5));
      }
      await env.nc.flush();
    })();
    await page.waitForFunction(
      () => {
        const rate = document.querySelector('[data-row="stream:$G/ORDERS"] [data-key="in_msgs_rate"]')?.getAttribute("data-value");
        const chart = document.getElementById("chart-streams")!;
        return Number(rate) > 0 && Number(chart.dataset.max) > 0 && Number(document.getElementById("chart-server")!.dataset.max) > 0;
      },
      undefined,
      { timeout: 10_000 },
    );
    assert.ok((await figure(page, streamRow, "messages")) > before, "stream messages grew on the page");
    assert.ok(Number(await page.locator("#chart-server").getAttribute("data-points")) >= 2);
    await flow;

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });
    assert.deepEqual(foreign, [], "the page loads nothing from elsewhere");
    assert.deepEqual(errors, [], "no script errors");
  });
});
