import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, recordPageErrors } from "./support/chromium.ts";
import { DEMO_MACHINES, FakeFleet } from "./support/fake-fleet.ts";
import { type ServedApp, serve } from "./support/serve.ts";

// The live page in a real browser (Debian's Chromium): cards render, a pushed
// alarm shows without reload, the language toggle works.

const SCREENSHOT = "/tmp/maskinport-live.png";

describe("live fleet page in Chromium", () => {
  let fleet: FakeFleet;
  let served: ServedApp;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fleet = new FakeFleet();
    served = await serve(fleet.deps());
    browser = await launchChromium();
    page = await browser.context.newPage();
    recordPageErrors(page, pageErrors);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it("shows one card per configured machine, in Norwegian by default", async () => {
    await page.goto(`${served.baseUrl}/`);
    // Generous waits for start-up (a loaded CI machine); the 1 s bound below is the one that matters.
    await page.locator("#conn[data-status='live']").waitFor({ timeout: 15_000 });
    expect(await page.locator(".card").count()).toBe(DEMO_MACHINES.length);
    expect(await page.locator("html").getAttribute("lang")).toBe("nb");
    const lathe = page.locator('.card[data-machine="lathe-1"]');
    expect(await lathe.locator(".badge-text").textContent()).toBe("Kjører");
    expect(await lathe.locator(".program-name").textContent()).toBe("O1001");
    // Without a login the wall says only that someone is checked in, never the pseudonym.
    expect(await lathe.locator(".trainee-name").textContent()).toBe("Innsjekket");
    expect(await page.locator('.card[data-machine="lathe-4"]').getAttribute("data-state")).toBe("offline");
  });

  it("shows a pushed alarm in its card within a second, without reload", async () => {
    const navigations: string[] = [];
    page.on("framenavigated", (frame) => navigations.push(frame.url()));
    const card = page.locator('.card[data-machine="lathe-1"]');

    fleet.raiseAlarm("lathe-1", "1021", "SPINDEL OVERLAST", Date.now());

    await card.locator(".alarm-code", { hasText: "1021" }).waitFor({ timeout: 1000 });
    expect(await card.getAttribute("data-state")).toBe("alarm");
    expect(await card.locator(".badge-text").textContent()).toBe("Alarm");
    expect(await card.locator(".alarm-text").textContent()).toBe("SPINDEL OVERLAST");
    expect(await card.locator(".alarm-since").textContent()).toMatch(/^siden \d{2}:\d{2}:\d{2}$/);
    expect(navigations).toEqual([]);
  });

  it("switches to English with the language toggle", async () => {
    await page.locator('button[data-lang="en"]').click();
    await page.locator('html[lang="en"]').waitFor({ state: "attached", timeout: 5000 });
    expect(await page.locator(".brand-title").textContent()).toBe("Machine overview");
    expect(await page.locator('.card[data-machine="mill-2"] .badge-text').textContent()).toBe("Idle");
    expect(await page.locator('.card[data-machine="lathe-1"] .alarms-title').textContent()).toBe(
      "Active alarms",
    );
    expect(await page.locator('button[data-lang="en"]').getAttribute("aria-pressed")).toBe("true");
    expect(await page.title()).toBe("Maskinport – machine overview");

    await page.locator('button[data-lang="nb"]').click();
    await page.locator(".brand-title", { hasText: "Maskinoversikt" }).waitFor({ timeout: 5000 });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it("shows that the connection is lost, and recovers by itself when the gateway is back", async () => {
    const port = Number(new URL(served.baseUrl).port);
    await served.close();
    await page.locator("#lost-banner").waitFor({ state: "visible", timeout: 10_000 });
    expect(await page.locator("#conn").getAttribute("data-status")).toBe("lost");
    expect(await page.locator("#lost-banner").textContent()).toContain("Forbindelsen er brutt");
    await page.screenshot({ path: "/tmp/maskinport-live-lost.png" });

    fleet.raiseAlarm("mill-2", "2001", "DØR ÅPEN", Date.now());
    served = await serve(fleet.deps(), {}, port); // the gateway restarts on the same address
    await page.locator("#conn[data-status='live']").waitFor({ timeout: 15_000 });
    expect(await page.locator("#lost-banner").isHidden()).toBe(true);
    // The fresh snapshot brings what happened while the page was cut off.
    expect(await page.locator('.card[data-machine="mill-2"] .alarm-code').textContent()).toBe("2001");
    // 401: the page asks GET /api/me whether anyone is logged in; on the public wall nobody is.
    expect(
      pageErrors.filter((e) => !e.includes("ERR_CONNECTION_REFUSED") && !e.includes("status of 401")),
    ).toEqual([]);
  });
});
