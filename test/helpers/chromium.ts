/**
 * Headless Chromium for browser tests: Debian's `chromium` (or CHROMIUM_PATH), driven by playwright-core.
 * Tests skip visibly with `CHROMIUM_SKIP` when it is not installed.
 */
import { existsSync } from "node:fs";
import type { TestContext } from "node:test";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => p !== undefined && p !== "" && existsSync(p));

/** The `skip` option of a browser test's describe(). */
export const CHROMIUM_SKIP: string | false = CHROMIUM === undefined ? "chromium is not installed (apt-get install -y chromium)" : false;

/** A headless browser, closed when the test ends. */
export async function launchChromium(t: Pick<TestContext, "after">): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu"] });
  t.after(() => browser.close());
  return browser;
}
