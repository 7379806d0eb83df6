import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionChange } from "../../src/training/sessions/sessions.ts";
import { logIn, logOut, screenshotBoth, seriousAxeViolations } from "./support/app-views.ts";
import { launchChromium, recordPageErrors } from "./support/chromium.ts";
import { FakeFleet } from "./support/fake-fleet.ts";
import { serveFleetWithTraining } from "./support/fleet-with-training.ts";
import type { ServedApp } from "./support/serve.ts";
import { openTrainingWorld, type TrainingWorld } from "./support/training-world.ts";

// Instructors assign trainees to machines and check them out, from the fleet
// wall and the machine page, in Debian's Chromium over the real training
// layer (users, courses and the session service in SQLite, the real training
// API). The session service's changes reach the page as the gateway sends
// them (session.start / session.end on the live stream, the machine's snapshot
// carrying the pseudonym), so the wall's update is the stream's, not the click's.

describe("assigning trainees to machines in Chromium", () => {
  let fleet: FakeFleet;
  let world: TrainingWorld;
  let served: ServedApp;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    fleet = new FakeFleet();
    world = await openTrainingWorld();
    // What the gateway's session wiring does (src/gateway/session-wiring.ts), on the fake fleet.
    world.sessions.on((change: SessionChange) => {
      const { machine } = change.session;
      const ts = Date.now();
      const before = fleet.snapshots.get(machine)!;
      const session = change.type === "session.start" ? change.pseudonym : null;
      const event =
        change.type === "session.start"
          ? { type: "session.start" as const, machine, ts, pseudonym: change.pseudonym }
          : { type: "session.end" as const, machine, ts, pseudonym: change.pseudonym, durationMs: 0 };
      fleet.push({ events: [event], snapshots: [{ ...before, session, ts }] });
    });
    // Nobody anywhere to begin with: the fake fleet's snapshots carry made-up pseudonyms.
    for (const [id, snap] of fleet.snapshots) fleet.snapshots.set(id, { ...snap, session: null });
    served = await serveFleetWithTraining(fleet, world);
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1920, height: 1080 });
    // 401: not logged in yet; 501: the machine page's tables, this app has no event store.
    recordPageErrors(page, pageErrors, /status of (401|501)/);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await world?.close();
  });

  const card = (machine: string) => page.locator(`.card[data-machine="${machine}"]`);

  it("shows no assignment controls to the anonymous wall screen", async () => {
    await page.goto(`${served.baseUrl}/`);
    await page.locator("#conn[data-status='live']").waitFor({ timeout: 15_000 });
    await page.waitForTimeout(500); // the page has asked who it is
    expect(await page.locator(".assign-controls:visible").count()).toBe(0);
  });

  it("lets an instructor assign a trainee of her course from a tile, by keyboard; the wall follows the stream", async () => {
    await logIn(page, served.baseUrl, "kari");
    await page.locator("#conn[data-status='live']").waitFor({ timeout: 15_000 });
    const open = card("mill-2").getByRole("button", { name: "Tildel en elev til Haas VF-2" });
    await open.waitFor({ timeout: 5000 });
    expect(await card("mill-2").locator(".assign-checkout").isHidden()).toBe(true); // nobody to check out

    await open.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Tildel Haas VF-2" });
    await dialog.waitFor({ timeout: 5000 });
    // Only the trainees of Kari's course, not Per's Jonas, not the staff.
    expect(await dialog.locator("#assign-trainee option").allTextContents()).toEqual([
      "Velg en elev",
      "Aisha Hansen",
      "Ola Nordmann",
    ]);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "fleet-assign");

    // Keyboard only: focus is in the dialog; pick Aisha and submit with Enter on the button.
    await page.locator("#assign-trainee").selectOption({ label: "Aisha Hansen" });
    await page.locator("#assign-submit").focus();
    await page.keyboard.press("Enter");
    await dialog.waitFor({ state: "hidden", timeout: 5000 });
    await page.locator(".assign-status", { hasText: "Aisha Hansen er tildelt Haas VF-2." }).waitFor();
    await card("mill-2").locator(".trainee-name", { hasText: "Aisha Hansen" }).waitFor({ timeout: 5000 });
    expect(world.sessions.current("mill-2")?.userId).toBe(world.people.elev2.id);
    expect(world.sessions.current("mill-2")?.source).toBe("assigned");
    // Focus went back to the button that opened the dialog.
    expect(
      await open.evaluate((el) => el === (el.ownerDocument as { activeElement: unknown }).activeElement),
    ).toBe(true);
  });

  it("checks the trainee out after asking, and the tile says nobody is there", async () => {
    const checkout = card("mill-2").getByRole("button", { name: "Sjekk ut eleven fra Haas VF-2" });
    await checkout.click();
    const dialog = page.getByRole("dialog", { name: "Sjekk ut fra Haas VF-2" });
    await dialog.waitFor({ timeout: 5000 });
    expect(await dialog.locator(".assign-note").textContent()).toBe("Sjekk ut Aisha Hansen fra Haas VF-2?");
    // Escape closes without doing anything.
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden", timeout: 5000 });
    expect(world.sessions.current("mill-2")?.userId).toBe(world.people.elev2.id);

    await checkout.click();
    await page.locator("#assign-submit").click();
    await card("mill-2").locator(".trainee-label", { hasText: "Ingen elev" }).waitFor({ timeout: 5000 });
    expect(world.sessions.current("mill-2")).toBeUndefined();
    expect(await card("mill-2").locator(".assign-checkout").isHidden()).toBe(true);
  });

  it("assigns from the machine page too, and says so in English", async () => {
    await page.goto(`${served.baseUrl}/machines/lathe-1?lang=en`);
    await page.locator("#occupant", { hasText: "No trainee" }).waitFor({ timeout: 10_000 });
    await page.getByRole("button", { name: "Assign a trainee to Mazak QT 200" }).click();
    await page.getByRole("dialog", { name: "Assign Mazak QT 200" }).waitFor({ timeout: 5000 });
    await page.locator("#assign-trainee").selectOption({ label: "Ola Nordmann" });
    await page.getByRole("button", { name: "Assign", exact: true }).click();
    await page.locator("#occupant", { hasText: "Trainee: Ola Nordmann" }).waitFor({ timeout: 5000 });
    expect(world.sessions.current("lathe-1")?.userId).toBe(world.people.elev1.id);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.goto(`${served.baseUrl}/?lang=nb`);
  });

  it("gives a trainee no assignment controls, on the wall or the machine page", async () => {
    await logOut(page);
    await logIn(page, served.baseUrl, "elev1");
    await page.locator("#conn[data-status='live']").waitFor({ timeout: 15_000 });
    await card("lathe-1").locator(".trainee-name", { hasText: "Deg" }).waitFor({ timeout: 5000 });
    expect(await page.locator(".assign-controls:visible").count()).toBe(0);
    await page.goto(`${served.baseUrl}/machines/lathe-1`);
    await page.locator("#occupant", { hasText: "Deg" }).waitFor({ timeout: 10_000 });
    expect(await page.locator(".assign-controls:visible").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
