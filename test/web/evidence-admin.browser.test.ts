import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EvidenceService } from "../../src/evidence/service.ts";
import { userAuthenticator } from "../../src/web/api/user-authenticator.ts";
import { logIn, logOut, screenshotBoth, seriousAxeViolations } from "./support/app-views.ts";
import { launchChromium, recordPageErrors } from "./support/chromium.ts";
import { FakeFleet } from "./support/fake-fleet.ts";
import { serveFleetWithTraining, siteConfigFrom } from "./support/fleet-with-training.ts";
import { recordOlasDays } from "./support/olas-days.ts";
import type { ServedApp } from "./support/serve.ts";
import { openTrainingWorld, type TrainingWorld } from "./support/training-world.ts";

// The evidence and admin views in Debian's Chromium over the real training
// and evidence layers (SQLite training store and ledger in a temp folder, the
// shipped catalogues, the real training API): a trainee's progress
// (confirming a proposed F), an instructor's course matrix, signing off a
// goal with a comment that then shows on the trainee's real report, a trainee
// refused another trainee's evidence (the page and the API both say 403), and
// the admin page (machines, users, courses, the masked config and "check
// again"). The trainee's evidence comes the way the gateway makes it: a
// check-in on the session service, then machine events through the real
// recorder (wireEvidence) into the EvidenceService. Every view is checked by
// axe-core and photographed at wall and phone size.

const SEND_DNC = "Sende et program til maskinen med DNC og sjekke at det kom fram";
const RUN_LATHE = "Kjøre et innkjørt program i automatikk i dreiebenken, med programmet sendt selv";

const CONFIG = `site: raufoss
gateway: { id: gw-1 }
mqtt:
  url: mqtt://gw:broker-pass-123@broker.local:1883
machines:
  - id: lathe-1
    name: Mazak QT 200
    kind: lathe
    monitor: { type: shdr, host: 127.0.0.1, port: 7878 }
`;

describe("evidence and admin views in Chromium", () => {
  let world: TrainingWorld;
  let evidence: EvidenceService;
  let served: ServedApp;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let dir: string;
  let configFile: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "maskinport-views-"));
    configFile = join(dir, "site.yaml");
    writeFileSync(configFile, CONFIG);
    const fleet = new FakeFleet();
    world = await openTrainingWorld({ evidence: true });
    evidence = world.evidence!;
    await recordOlasDays(world, fleet);
    const siteConfig = await siteConfigFrom(configFile);
    served = await serveFleetWithTraining(fleet, world, () => ({ siteConfig }));
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1920, height: 1080 });
    // 401 (not logged in yet) and 403 (the refused page) are answers the pages expect.
    recordPageErrors(page, pageErrors, /status of (401|403)/);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await world?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows a trainee their own goals with P/F/K and the evidence, and lets them confirm a proposed F", async () => {
    const ola = world.people.elev1.id;
    await logIn(page, served.baseUrl, "elev1", "/progress");
    const sendDnc = page.locator('.goal[data-goal="send-dnc"]');
    await sendDnc.waitFor({ timeout: 10_000 });
    expect(await page.locator("#progress-heading").textContent()).toBe("Min framdrift");
    expect(await page.locator('a[data-nav="progress"]').getAttribute("aria-current")).toBe("page");
    expect(await page.locator('a[data-nav="courses"]').isVisible()).toBe(false);
    expect(await sendDnc.locator(".mark-badge").textContent()).toBe("PPåbegynt");
    expect(await sendDnc.locator(".goal-proposed").textContent()).toContain("F foreslått");
    const lathe = page.locator('.goal[data-goal="run-lathe"]');
    await lathe.locator("summary").click();
    expect(await lathe.locator(".evidence-table tbody tr").count()).toBe(5);
    expect(await lathe.locator(".evidence-table tbody tr").first().textContent()).toContain("Mazak QT 200");
    expect(await lathe.locator(".goal-counts").textContent()).toBe("Til sammen: 5 × Fullført syklus");
    expect(await lathe.locator('.mark-badge[data-mark="F"]').count()).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "progress");

    await sendDnc.getByRole("button", { name: `Bekreft at «${SEND_DNC}» er ferdig` }).click();
    await sendDnc.locator('.mark-badge[data-mark="F"]').waitFor({ timeout: 5000 });
    // In the real ledger: F, by Ola himself.
    const sent = (await evidence.marksOf(ola)).get("send-dnc");
    expect(sent?.mark).toBe("F");
    expect(sent?.finishedAt).toBeGreaterThan(0);
    // A trainee has no sign-off button.
    expect(await page.getByRole("button", { name: /Kvitter/ }).count()).toBe(0);
  });

  it("refuses a trainee another trainee's evidence, on the page and in the API (403)", async () => {
    const aisha = world.people.elev2.id;
    // From Ola's own logged-in page, as a curious trainee would try it: the API refuses, whatever the page hides.
    const statuses = await page.evaluate(async (id) => {
      const ask = async (url: string) => (await fetch(url, { credentials: "same-origin" })).status;
      return {
        progress: await ask(`/api/trainees/${id}/progress`),
        report: await ask(`/api/trainees/${id}/report.html?lang=nb`),
      };
    }, aisha);
    expect(statuses.progress).toBe(403);
    expect(statuses.report).toBe(403);
    const response = await page.goto(`${served.baseUrl}/trainees/${aisha}`);
    expect(response?.status()).toBe(403);
    expect(await page.locator("main").textContent()).toContain("Du er logget inn som elev");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "progress-forbidden");
    await page.goto(`${served.baseUrl}/progress`);
    await page.locator(".goal").first().waitFor({ timeout: 10_000 });
    await logOut(page);
  });

  it("shows an instructor the course as a matrix readable without colour, and opens a trainee", async () => {
    await logIn(page, served.baseUrl, "kari", "/courses");
    const link = page.getByRole("link", { name: world.courseA.name });
    await link.waitFor({ timeout: 10_000 });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "courses");
    await link.click();
    await page.waitForURL(`${served.baseUrl}/courses/${world.courseA.id}`);
    const row = page.locator("#matrix-body tr", { hasText: "Ola Nordmann" });
    await row.waitFor({ timeout: 10_000 });
    expect(await page.locator("#matrix-caption").textContent()).toBe(
      `${world.courseA.name}: elever × mål, med merke P, F eller K`,
    );
    // The matrix's goals in its own order (the API's), each a column after the trainees' names.
    const matrixGoals = await page.evaluate(async (id) => {
      const r = await fetch(`/api/courses/${id}/matrix`);
      return ((await r.json()) as { goals: { id: string }[] }).goals.map((g) => g.id);
    }, world.courseA.id);
    expect(matrixGoals.length).toBe(evidence.catalogue.goals.size);
    expect(await page.locator("#matrix-head th[scope=col]").count()).toBe(matrixGoals.length + 1);
    // Each cell: the letter, and the word for screen readers (not colour alone), as the ledger has it.
    const marks = await evidence.marksOf(world.people.elev1.id);
    const word = { none: "–Ikke påbegynt", P: "PPåbegynt", F: "FFerdig", K: "KKvittert" } as const;
    const cells = await row.locator("td").allTextContents();
    expect(cells).toEqual(matrixGoals.map((g) => word[marks.get(g)?.mark ?? "none"]));
    expect(cells.filter((c) => c === "FFerdig")).toHaveLength(2); // send-dnc and run-lathe
    expect(cells).toContain("–Ikke påbegynt");
    expect(await row.locator("th[scope=row]").textContent()).toBe("Ola Nordmann");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "course-matrix");

    await row.getByRole("link", { name: "Ola Nordmann" }).click();
    await page.waitForURL(`${served.baseUrl}/trainees/${world.people.elev1.id}`);
    await page
      .locator("#progress-heading", { hasText: "Framdrift for Ola Nordmann" })
      .waitFor({ timeout: 10_000 });
  });

  it("lets an instructor sign off a goal with a required comment and add a note; the report shows the sign-off", async () => {
    const lathe = page.locator('.goal[data-goal="run-lathe"]');
    const ola = world.people.elev1.id;
    await lathe.getByRole("button", { name: `Kvitter «${RUN_LATHE}»` }).click();
    const comment = lathe.getByLabel("Kommentar til kvitteringen (påkrevd)");
    expect(
      await comment.evaluate(
        (node) =>
          node === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement,
      ),
    ).toBe(true);
    // Without a comment the form says so, and nothing is sent.
    await lathe.getByRole("button", { name: "Lagre kvittering" }).click();
    await lathe.locator(".sign-form .message-error", { hasText: "Skriv en kommentar" }).waitFor();
    expect((await evidence.marksOf(ola)).get("run-lathe")?.mark).toBe("F");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "trainee-signoff");

    // Keyboard only from here: type, then Enter submits the form.
    await comment.fill("Kjørte serien trygt og målte delene selv.");
    await comment.press("Tab");
    await page.keyboard.press("Enter");
    await lathe.locator('.mark-badge[data-mark="K"]').waitFor({ timeout: 5000 });
    expect(await lathe.locator(".goal-dates").textContent()).toContain("av Kari Instruktør");
    expect(await lathe.locator(".goal-comment").textContent()).toBe(
      "Kommentar: Kjørte serien trygt og målte delene selv.",
    );

    await page.getByLabel("Notat", { exact: true }).fill("Trenger mer øving på verktøymåling.");
    await page.getByLabel("Gjelder mål (valgfritt)").selectOption("run-lathe");
    await page.getByRole("button", { name: "Lagre notat" }).click();
    await page.locator("#note-answer", { hasText: "Notatet er lagret." }).waitFor({ timeout: 5000 });
    // In the real ledger: K by Kari, and the note about the lathe goal (its text kept beside the chain).
    const signedMark = (await evidence.marksOf(ola)).get("run-lathe");
    expect(signedMark?.mark).toBe("K");
    const held = await evidence.exportOf(ola);
    expect(held.notes.map((n) => n.text)).toEqual(
      expect.arrayContaining([
        "Trenger mer øving på verktøymåling.",
        "Kjørte serien trygt og målte delene selv.",
      ]),
    );
    const note = held.records.find((r) => r.type === "note");
    expect(note?.goals).toEqual(["run-lathe"]);
    expect(note?.author).toBe(await evidence.subjectOf(world.people.kari.id));

    const href = await page.locator("#report-link").getAttribute("href");
    expect(href).toBe(`/api/trainees/${ola}/report.html?lang=nb`);
    await page.goto(`${served.baseUrl}${href}`);
    await expectSignedOnReport();
  });

  /** The real report (renderReportHtml): run-lathe marked K, signed by Kari with her comment. */
  const expectSignedOnReport = async () => {
    // The goal's own row (other goals' rows name it as one they serve).
    const signed = page
      .locator("tbody tr")
      .filter({ has: page.locator("td:first-child > strong", { hasText: /^run-lathe$/ }) });
    expect(await signed.locator("td.mark").textContent()).toBe("K");
    expect(await signed.locator("td").nth(4).textContent()).toContain(
      "Kari Instruktør: Kjørte serien trygt og målte delene selv.",
    );
  };

  it("shows the sign-off on the trainee's own report", async () => {
    await page.goto(`${served.baseUrl}/`);
    await logOut(page);
    await logIn(page, served.baseUrl, "elev1", "/progress");
    const lathe = page.locator('.goal[data-goal="run-lathe"]');
    await lathe.locator('.mark-badge[data-mark="K"]').waitFor({ timeout: 10_000 });
    const href = await page.locator("#report-link").getAttribute("href");
    expect(href).toBe(`/api/trainees/${world.people.elev1.id}/report.html?lang=nb`);
    const response = await page.goto(`${served.baseUrl}${href}`);
    expect(response?.status()).toBe(200);
    await expectSignedOnReport();
    await page.goto(`${served.baseUrl}/progress`);
    await logOut(page);
    await logIn(page, served.baseUrl, "kari", "/");
  });

  it("shows an instructor only the machines on the admin page", async () => {
    await page.goto(`${served.baseUrl}/admin`);
    await page.locator('#machines-body tr[data-machine="lathe-1"]').waitFor({ timeout: 10_000 });
    expect(await page.locator("#instructor-note").isVisible()).toBe(true);
    expect(await page.locator("#config-panel").isHidden()).toBe(true);
    await logOut(page);
  });

  it("shows an admin machines, users, courses and the masked config, creates a user and a course, and checks the config again", async () => {
    await logIn(page, served.baseUrl, "admin", "/admin");
    await page.locator("#config-check", { hasText: "ok" }).waitFor({ timeout: 10_000 });
    const lathe = page.locator('#machines-body tr[data-machine="lathe-1"]');
    expect(await lathe.locator("th[scope=row]").textContent()).toBe("lathe-1");
    expect(await page.locator("#parts-body tr", { hasText: "mqtt" }).textContent()).toContain("Tilkoblet");
    expect(await page.locator("#config-file").textContent()).toBe(configFile);
    const configText = await page.locator("#config-text").textContent();
    expect(configText).toContain("mqtt://***@broker.local:1883");
    expect(configText).not.toContain("broker-pass-123");
    expect(await page.locator("#users-body tr").count()).toBe(6);
    expect(await page.locator("#users-body tr", { hasText: "Aisha Hansen" }).count()).toBe(1);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "admin");

    await page.getByLabel("Brukernavn").fill("nora");
    await page.getByLabel("Fullt navn").fill("Nora Lærling");
    await page.getByRole("button", { name: "Opprett bruker" }).click();
    const answer = page.locator("#user-answer", { hasText: "Passordet vises bare nå" });
    await answer.waitFor({ timeout: 5000 });
    expect(await page.locator("#users-body tr", { hasText: "Nora Lærling" }).count()).toBe(1);
    // The password shown once is the one the real user store now takes.
    const shown = /gi det til brukeren: (\S+)/.exec((await answer.textContent()) ?? "")?.[1];
    expect(shown).toBeDefined();
    const nora = await userAuthenticator(world.users).login("nora", shown!, "127.0.0.1");
    expect(nora).toMatchObject({ role: "trainee" });

    await page.getByLabel("Kursnavn").fill("CNC kveld, høst 2027");
    await page.getByLabel("Startdato").fill("2027-09-01");
    await page.getByLabel("Sluttdato").fill("2027-12-15");
    await page.getByRole("button", { name: "Opprett kurs" }).click();
    await page
      .locator("#course-answer", { hasText: "Kurset CNC kveld, høst 2027 er opprettet." })
      .waitFor({ timeout: 5000 });
    expect((await world.courses.list()).map((c) => c.name)).toContain("CNC kveld, høst 2027");

    // Someone breaks the file on disk: "check again" lists the problem with its line.
    writeFileSync(configFile, CONFIG.replace("kind: lathe", "kind: lathee"));
    await page.getByRole("button", { name: "Kontroller filen igjen" }).click();
    await page.locator("#config-check", { hasText: "Problemer: 1" }).waitFor({ timeout: 5000 });
    const problem = page.locator("#problems-body tr");
    expect(await problem.locator("th[scope=row]").textContent()).toBe("8");
    expect(await problem.textContent()).toContain("machines[0].kind");
    expect(await problem.textContent()).toContain('did you mean "lathe"?');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "admin-config-problem");

    // English too.
    await page.getByRole("button", { name: "EN", exact: true }).click();
    expect(await page.locator("h1").textContent()).toBe("Admin");
    expect(await page.locator("#config-check").textContent()).toContain("Problems: 1");
    expect(pageErrors, pageErrors.join("\n")).toEqual([]);
  });
});
