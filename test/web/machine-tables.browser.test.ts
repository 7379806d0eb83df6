import { pino } from "pino";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MachineEvent } from "../../src/core/events.ts";
import { EmbeddedTimeseries } from "../../src/sinks/timeseries/embedded-timeseries.ts";
import { logIn, logOut, screenshotBoth, seriousAxeViolations } from "./support/app-views.ts";
import { launchChromium, recordPageErrors } from "./support/chromium.ts";
import { FakeFleet } from "./support/fake-fleet.ts";
import { serveFleetWithTraining } from "./support/fleet-with-training.ts";
import type { ServedApp } from "./support/serve.ts";
import { openTrainingWorld, type TrainingWorld } from "./support/training-world.ts";

// The machine page's tables in Chromium, read from the real embedded store:
// cycles, alarms with durations, program transfers for the last hour; a cycle
// that ends while the page is open appears without a reload. Who ran each
// cycle comes from the real training store's sessions: "you" for the trainee
// themself, the name for an instructor, nothing for anyone else.

const MIN = 60_000;

describe("machine detail tables in Chromium", () => {
  let fleet: FakeFleet;
  let world: TrainingWorld;
  let store: EmbeddedTimeseries;
  let served: ServedApp;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  const pageErrors: string[] = [];

  const cycle = (
    ts: number,
    program: string,
    outcome: "completed" | "aborted",
    session: string | undefined,
  ): MachineEvent => ({
    type: "cycle.end",
    machine: "lathe-1",
    ts,
    program,
    startedAt: ts - 4 * MIN,
    durationMs: 4 * MIN,
    partsMade: outcome === "completed" ? 1 : 0,
    outcome,
    ...(session === undefined ? {} : { session }),
  });
  const pseudonymOf = (who: "elev1" | "elev2") => world.sessions.pseudonymOf(world.people[who].id);

  beforeAll(async () => {
    fleet = new FakeFleet();
    const now = fleet.now;
    world = await openTrainingWorld();
    // Ola (elev1) ran lathe-1 from an hour ago for half an hour, then Aisha (elev2) until now.
    const { elev1, elev2 } = world.people;
    const checkIn = (userId: string, at: number) =>
      world.sessions.checkIn({ machine: "lathe-1", userId, by: userId, source: "api", at });
    expect((await checkIn(elev1.id, now - 60 * MIN)).ok).toBe(true);
    await world.sessions.checkOut({ machine: "lathe-1", by: elev1.id, at: now - 30 * MIN });
    expect((await checkIn(elev2.id, now - 30 * MIN)).ok).toBe(true);
    store = new EmbeddedTimeseries({ path: ":memory:", retentionDays: 0, log: pino({ level: "silent" }) });
    await store.start();
    store.write({
      observations: [],
      snapshots: [],
      events: [
        cycle(now - 50 * MIN, "O1001", "completed", pseudonymOf("elev1")),
        cycle(now - 20 * MIN, "O1002", "aborted", pseudonymOf("elev2")),
        cycle(now - 2 * 3_600_000, "O0999", "completed", undefined), // before the last hour: not listed
        {
          type: "alarm.raise",
          machine: "lathe-1",
          ts: now - 30 * MIN,
          key: "system",
          nativeCode: "1010",
          severity: "fault",
          text: "Chuck open",
        },
        {
          type: "alarm.clear",
          machine: "lathe-1",
          ts: now - 27 * MIN,
          key: "system",
          nativeCode: "1010",
          text: "Chuck open",
          raisedAt: now - 30 * MIN,
          durationMs: 3 * MIN,
        },
        {
          type: "program.transfer",
          machine: "lathe-1",
          ts: now - 40 * MIN,
          direction: "send",
          file: "O1001.nc",
          checksum: "sha256:x",
          bytes: 2048,
          durationMs: 5000,
          result: "ok",
        },
      ],
    });
    await store.flush();
    served = await serveFleetWithTraining(fleet, world, (deps) => ({
      history: {
        range: deps.history!.range,
        stateTimeline: (q) => store.stateTimeline(q),
        cycles: (q) => store.cycles(q),
        alarms: (q) => store.alarms(q),
        transfers: (q) => store.transfers(q),
      },
    }));
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1920, height: 1080 });
    // 401: the page asks /api/me without a login on purpose.
    recordPageErrors(page, pageErrors, /status of 401/);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await store?.stop();
    await world?.close();
  });

  const rows = (table: string) =>
    page
      .locator(`#${table}-table tbody tr`)
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")),
      );

  const neverAPseudonym = async () => {
    const text = await page.locator("main").textContent();
    expect(text).not.toContain(pseudonymOf("elev1"));
    expect(text).not.toContain(pseudonymOf("elev2"));
  };

  it("lists the last hour's cycles (\"you\" on the trainee's own), alarms with durations and transfers, newest first", async () => {
    await logIn(page, served.baseUrl, "elev1", "/machines/lathe-1");
    await page.locator("#cycles-table tbody tr").first().waitFor({ timeout: 10_000 });
    const cycles = await rows("cycles");
    // Ola's own cycle says "you"; Aisha's says nothing about who ran it.
    expect(cycles.map((r) => [r[1], r[2], r[3], r[4], r[5]])).toEqual([
      ["O1002", "", "4 min 0 s", "Avbrutt", "0"],
      ["O1001", "Deg", "4 min 0 s", "Fullført", "1"],
    ]);
    const headers = await page.locator("#cycles-table th").allTextContents();
    expect(headers).toEqual(["Ferdig", "Program", "Elev", "Varighet", "Resultat", "Deler"]);
    expect(await page.locator("main").textContent()).not.toContain("Aisha");
    const alarms = await rows("alarm-history");
    expect(alarms).toHaveLength(1);
    expect(alarms[0]!.slice(2)).toEqual(["3 min 0 s", "1010", "Feil: Chuck open"]);
    const transfers = await rows("transfers");
    // nb groups digits with a no-break space.
    expect(transfers.map((r) => r.slice(1).map((cell) => cell.replace(/\s/g, " ")))).toEqual([
      ["O1001.nc", "Sendt til maskinen", "2 048", "OK"],
    ]);
    await neverAPseudonym();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "machine-tables");
    expect(pageErrors).toEqual([]);
  });

  it("names the trainee of each cycle for an instructor", async () => {
    await logOut(page);
    await logIn(page, served.baseUrl, "kari", "/machines/lathe-1");
    await page.locator("#cycles-table td", { hasText: "Aisha Hansen" }).waitFor({ timeout: 10_000 });
    expect((await rows("cycles")).map((r) => [r[1], r[2]])).toEqual([
      ["O1002", "Aisha Hansen"],
      ["O1001", "Ola Nordmann"],
    ]);
    await neverAPseudonym();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "machine-tables-instructor");
  });

  it("adds a cycle that ends while the page is open, and switches language", async () => {
    const ended = cycle(Date.now(), "O1003", "completed", pseudonymOf("elev2"));
    store.write({ observations: [], snapshots: [], events: [ended] });
    await store.flush();
    fleet.push({ events: [ended] });
    await page.locator("#cycles-table td", { hasText: "O1003" }).waitFor({ timeout: 5000 });
    expect((await rows("cycles")).map((r) => [r[1], r[2]])).toEqual([
      ["O1003", "Aisha Hansen"],
      ["O1002", "Aisha Hansen"],
      ["O1001", "Ola Nordmann"],
    ]);
    await page.locator('[data-lang="en"]').first().click();
    await page.locator("#cycles-table th", { hasText: "Outcome" }).waitFor({ timeout: 3000 });
    expect(await page.locator("#cycles-table th").nth(2).textContent()).toBe("Trainee");
    expect((await rows("cycles"))[0]![4]).toBe("Completed");
    expect((await rows("transfers"))[0]![2]).toBe("Sent to the machine");
    expect(pageErrors).toEqual([]);
  });
});
