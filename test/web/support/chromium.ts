import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.MASKINPORT_CHROMIUM ?? "/usr/bin/chromium";

/**
 * Debian's Chromium through playwright-core, headless, with a fresh profile
 * and every background feature that would reach for the network turned off.
 * Never downloads a browser: a missing one is a clear failure.
 */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set MASKINPORT_CHROMIUM to its path`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), "maskinport-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
    ],
    viewport: { width: 1600, height: 900 },
    locale: "nb-NO",
    timezoneId: "Europe/Oslo",
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Pushes into `errors` every uncaught error and every console error of `page`,
 * except console errors matching `expected` (answers a page asks for on
 * purpose, such as the 401 of /api/me before a login). A test then expects
 * the list to be empty.
 */
export function recordPageErrors(page: Page, errors: string[], expected?: RegExp): void {
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error" && !expected?.test(msg.text())) errors.push(msg.text());
  });
}
