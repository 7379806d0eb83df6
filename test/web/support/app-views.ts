import { mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { passwordOf } from "./training-world.ts";

/** Where screenshots of every view go (gitignored); docs/screenshots holds the committed few. */
export const SCREENSHOT_DIR = new URL("../../../test-results/screenshots/", import.meta.url).pathname;
export const VIEWPORTS = {
  wall: { width: 1920, height: 1080 },
  phone: { width: 390, height: 844 },
} as const;

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

/**
 * axe-core's WCAG 2 A/AA rules on the page as it is now; returns the serious
 * and critical findings. axe is evaluated through the DevTools protocol, not
 * added as a <script> (page.addScriptTag): the page's CSP forbids inline
 * script, and it should stay forbidden under test too.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run(o: unknown): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run({ runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa"] } });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })),
    }));
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** A screenshot of the page at both sizes, named after the view. */
export async function screenshotBoth(
  page: Page,
  view: string,
  waitFor?: () => Promise<unknown>,
): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    await page.waitForTimeout(300); // layout and plots follow the resize
    await waitFor?.();
    await page.screenshot({ path: `${SCREENSHOT_DIR}${view}-${size}.png`, fullPage: size === "phone" });
  }
  await page.setViewportSize(VIEWPORTS.wall);
}

/** Log in through the login page (the training world's passwords by default) and wait for `next`. */
export async function logIn(
  page: Page,
  baseUrl: string,
  username: string,
  next = "/",
  password = passwordOf(username),
): Promise<void> {
  await page.goto(`${baseUrl}/login?next=${encodeURIComponent(next)}`);
  await page.locator("#username").fill(username);
  await page.locator("#password").fill(password);
  await page.locator("#login-submit").click();
  await page.waitForURL(`${baseUrl}${next}`, { timeout: 10_000 });
}

export async function logOut(page: Page): Promise<void> {
  await page.locator("#logout").click();
  await page.waitForURL(/\/login$/, { timeout: 10_000 });
}
