import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StateSegment } from "../../src/web/states-route.ts";
import { logIn, logOut, screenshotBoth, seriousAxeViolations } from "./support/app-views.ts";
import { launchChromium, recordPageErrors } from "./support/chromium.ts";
import { FakeFleet } from "./support/fake-fleet.ts";
import { historyWithStatesOnly, serveFleetWithTraining } from "./support/fleet-with-training.ts";
import type { ServedApp } from "./support/serve.ts";
import { openTrainingWorld, passwordOf, type TrainingWorld } from "./support/training-world.ts";

// The web app's views in Debian's Chromium over the real training layer
// (users, courses and check-in sessions in SQLite in a temp folder, the real
// training API): login, the fleet wall with who is where, machine detail with
// plots, alarms live with acknowledgement, the QR sheet and check-in from a
// phone. Every view is checked by axe-core and photographed at wall and phone size.

describe("web app views in Chromium", () => {
  let fleet: FakeFleet;
  let world: TrainingWorld;
  let served: ServedApp;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fleet = new FakeFleet();
    world = await openTrainingWorld();
    // Ola (elev1) on the lathe for 12 minutes, Aisha (elev2) just now on the 5-axis mill.
    const checkIn = async (machine: string, userId: string, at: number) =>
      expect((await world.sessions.checkIn({ machine, userId, by: userId, source: "api", at })).ok).toBe(
        true,
      );
    await checkIn("lathe-1", world.people.elev1.id, fleet.now - 754_000);
    await checkIn("mill-3", world.people.elev2.id, fleet.now - 42_000);
    // The machine page's tables stay empty (test/web/machine-tables.browser.test.ts fills them).
    served = await serveFleetWithTraining(fleet, world, (deps) => ({
      history: historyWithStatesOnly(deps, syntheticStates),
    }));
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1920, height: 1080 });
    // 401 (not logged in yet), 403 (the trainee's QR page), 409 (occupied) and 503 (the database
    // away, answered by page.route below) are answers the pages expect.
    recordPageErrors(page, pageErrors, /status of (401|403|409|503)/);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await world?.close();
  });

  it("logs an instructor in and shows the fleet wall with who is checked in", async () => {
    await page.goto(`${served.baseUrl}/login`);
    await page.locator("#username").waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "login");

    await page.locator("#username").fill("kari");
    await page.locator("#password").fill("wrong");
    await page.locator("#login-submit").click();
    await page
      .locator("#login-error", { hasText: "Feil brukernavn eller passord" })
      .waitFor({ timeout: 5000 });

    // The site's database out of reach (a 503 store_unavailable, src/web/error-handler.ts): the
    // page says so and to try again, not that login is not set up.
    await page.route("**/api/login", (route) =>
      route.fulfill({
        status: 503,
        contentType: "application/json",
        headers: { "retry-after": "30" },
        body: JSON.stringify({
          error: "store_unavailable",
          message: "the gateway cannot reach its database just now; try again in a minute",
        }),
      }),
    );
    await page.locator("#password").fill("any");
    await page.locator("#login-submit").click();
    await page
      .locator("#login-error", { hasText: "får ikke kontakt med databasen akkurat nå" })
      .waitFor({ timeout: 5000 });
    await page.unroute("**/api/login");

    await logIn(page, served.baseUrl, "kari");
    await page.locator("#conn[data-status='live']").waitFor({ timeout: 15_000 });
    const lathe = page.locator('.card[data-machine="lathe-1"]');
    await lathe.locator(".trainee-name", { hasText: "Ola Nordmann" }).waitFor({ timeout: 5000 });
    expect(await page.locator('.card[data-machine="mill-2"] .trainee-label').textContent()).toBe(
      "Ingen elev",
    );
    expect(await page.locator("#user-text").textContent()).toContain("instruktør");
    expect(await page.locator('a[data-nav="qr"]').isVisible()).toBe(true);
    expect(await page.locator('a[data-nav="fleet"]').getAttribute("aria-current")).toBe("page");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "fleet");
  });

  it("shows the wall screen without chrome in kiosk mode", async () => {
    await page.goto(`${served.baseUrl}/?kiosk=1`);
    await page.locator("#conn[data-status='live']").waitFor({ timeout: 15_000 });
    expect(await page.locator(".appnav").isHidden()).toBe(true);
    expect(await page.locator(".topbar .brand-name").isVisible()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "fleet-kiosk");
  });

  it("opens a machine's detail page from its tile, with plots and state band drawn", async () => {
    await page.goto(`${served.baseUrl}/`);
    await page.locator('.card[data-machine="lathe-1"] .card-link').click();
    await page.waitForURL(`${served.baseUrl}/machines/lathe-1`);
    await page.locator("#plots-status").waitFor({ state: "hidden", timeout: 10_000 });
    expect(await page.locator("#machine-name").textContent()).toBe("Mazak QT 200");
    expect(await page.locator("#state-text").textContent()).toBe("Kjører");
    await page.locator("#occupant", { hasText: "Elev: Ola Nordmann" }).waitFor({ timeout: 5000 });
    expect(await page.locator(".band-segment").count()).toBeGreaterThan(1);
    expect(await page.locator("#band-legend li").first().textContent()).toMatch(/Kjører|Ledig/);
    // uPlot has drawn lines: the spindle canvas holds non-background pixels.
    const inked = await page.locator("#plot-spindle canvas").evaluate((node) => {
      const canvas = node as unknown as {
        width: number;
        height: number;
        getContext(kind: "2d"): { getImageData(...a: number[]): { data: Uint8ClampedArray } } | null;
      };
      const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    expect(inked).toBeGreaterThan(1000);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "machine");

    await page.locator('button[data-window="shift"]').click();
    await page.locator("#plots-status").waitFor({ state: "hidden", timeout: 10_000 });
    expect(await page.locator('button[data-window="shift"]').getAttribute("aria-pressed")).toBe("true");
  });

  it("shows a new alarm on the alarms page within 2 s, and an instructor acknowledges it with a note", async () => {
    await page.goto(`${served.baseUrl}/alarms`);
    await page.locator("#conn[data-status='live']").waitFor({ timeout: 15_000 });
    const raisedAt = Date.now();
    fleet.raiseAlarm("mill-2", "2001", "DØR ÅPEN", raisedAt);
    const entry = page.locator(".alarm-entry", { hasText: "DØR ÅPEN" });
    await entry.waitFor({ timeout: 2000 });
    expect(await entry.locator(".alarm-machine").textContent()).toBe("Haas VF-2");
    expect(await page.locator(".alarm-entry").first().textContent()).toContain("DØR ÅPEN"); // newest first

    await entry.getByRole("button", { name: "Kvitter alarm 2001 på Haas VF-2" }).click();
    await entry.locator("textarea").fill("Døra lukket, elev informert");
    await entry.getByRole("button", { name: "Lagre kvittering" }).click();
    await entry.locator(".alarm-ack", { hasText: "Døra lukket, elev informert" }).waitFor({ timeout: 5000 });
    expect(await entry.locator(".alarm-ack").textContent()).toContain("Kari Instruktør");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "alarms");
  });

  it("prints a QR sheet with one code per machine pointing at its check-in page", async () => {
    await page.goto(`${served.baseUrl}/qr`);
    expect(await page.locator("figure.qr svg").count()).toBe(fleet.machines.length);
    expect(await page.locator('figure.qr[data-machine="mill-2"] .qr-url').textContent()).toBe(
      `${served.baseUrl}/checkin/mill-2`,
    );
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "qr");
  });

  it("lets a trainee on a phone log in from the QR link and check in, and says clearly when a machine is taken", async () => {
    await logOut(page);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${served.baseUrl}/checkin/mill-2`);
    await page.waitForURL(/\/login\?next=%2Fcheckin%2Fmill-2$/, { timeout: 10_000 });
    await page.locator("#username").fill("elev1");
    await page.locator("#password").fill(passwordOf("elev1"));
    await page.locator("#login-submit").click();
    await page.waitForURL(`${served.baseUrl}/checkin/mill-2`);
    await page.locator("#checkin-button").click();
    await page
      .locator("#checkin-answer", { hasText: "Du er sjekket inn på Haas VF-2." })
      .waitFor({ timeout: 5000 });
    // The real session service moved Ola from the lathe to the mill.
    expect(world.sessions.current("mill-2")?.userId).toBe(world.people.elev1.id);
    expect(world.sessions.current("lathe-1")).toBeUndefined();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "checkin");

    await page.goto(`${served.baseUrl}/checkin/mill-3`);
    await page.locator("#checkin-button").click();
    const answer = page.locator("#checkin-answer .message-error");
    await answer.waitFor({ timeout: 5000 });
    expect(await answer.textContent()).toMatch(/^DMG MORI CMX 600 V er opptatt: en annen elev/);
    expect(await answer.textContent()).not.toContain("Aisha"); // names are for instructors
    expect(world.sessions.current("mill-3")?.userId).toBe(world.people.elev2.id);

    // The wall says "you" on the trainee's own machine, and nothing about who is on the others.
    await page.goto(`${served.baseUrl}/`);
    const own = page.locator('.card[data-machine="mill-2"] .trainee-name');
    await own.filter({ hasText: "Deg" }).waitFor({ timeout: 5000 });
    expect(await page.locator('.card[data-machine="mill-3"] .trainee-name').textContent()).toBe("Innsjekket");

    // The QR sheet is for instructors: a trainee gets a page that says so.
    const response = await page.goto(`${served.baseUrl}/qr`);
    expect(response?.status()).toBe(403);
    expect(await page.locator("main").textContent()).toContain("Du er logget inn som elev");
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

/** A plausible state history: running and idle in turns, an alarm in the middle. */
function syntheticStates(q: { machine: string; from: number; to: number }): StateSegment[] {
  const segments: StateSegment[] = [];
  const step = (q.to - q.from) / 8;
  const states = ["running", "idle", "running", "alarm", "idle", "running", "setup", "running"] as const;
  states.forEach((state, i) => {
    segments.push({ state, from: q.from + i * step, to: q.from + (i + 1) * step });
  });
  return segments;
}
