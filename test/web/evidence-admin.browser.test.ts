import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSiteConfig } from "../../src/gateway/site-config.ts";
import { logIn, logOut, screenshotBoth, seriousAxeViolations } from "./support/app-views.ts";
import { launchChromium } from "./support/chromium.ts";
import { FakeEvidenceApi } from "./support/fake-evidence-api.ts";
import { FakeFleet } from "./support/fake-fleet.ts";
import { FakeSessionsApi, NamedFakeAuthenticator } from "./support/fake-sessions-api.ts";
import { type ServedApp, serve } from "./support/serve.ts";

// The evidence and admin views in Debian's Chromium: a trainee's progress
// (confirming a proposed F), an instructor's course matrix, signing off a
// goal with a comment that then shows on the trainee's report, a trainee
// refused another trainee's evidence with a clear 403, and the admin page
// (machines, users, courses, the masked config and "check again"). Every
// view is checked by axe-core and photographed at wall and phone size.

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
  let evidence: FakeEvidenceApi;
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
    const load = (file: string) => loadSiteConfig(file, {});
    const fleet = new FakeFleet();
    const authenticator = new NamedFakeAuthenticator();
    const sessions = new FakeSessionsApi(
      fleet.machines.map((m) => m.id),
      authenticator.displayNames,
    );
    evidence = new FakeEvidenceApi();
    served = await serve({
      ...fleet.deps(),
      auth: { authenticator },
      apiRoutes: [sessions.routes(), evidence.routes()],
      siteConfig: { config: await load(configFile), file: configFile, load },
    });
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1920, height: 1080 });
    page.on("pageerror", (err) => pageErrors.push(err.message));
    page.on("console", (msg) => {
      // 401 (not logged in yet) and 403 (the refused page) are answers the pages expect.
      if (msg.type() === "error" && !/status of (401|403)/.test(msg.text())) pageErrors.push(msg.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows a trainee their own goals with P/F/K and the evidence, and lets them confirm a proposed F", async () => {
    await logIn(page, served.baseUrl, "ola", "/progress");
    const sendDnc = page.locator('.goal[data-goal="send-dnc"]');
    await sendDnc.waitFor({ timeout: 10_000 });
    expect(await page.locator("#progress-heading").textContent()).toBe("Min framdrift");
    expect(await page.locator('a[data-nav="progress"]').getAttribute("aria-current")).toBe("page");
    expect(await page.locator('a[data-nav="courses"]').isVisible()).toBe(false);
    expect(await sendDnc.locator(".mark-badge").textContent()).toBe("PPåbegynt");
    expect(await sendDnc.locator(".goal-proposed").textContent()).toContain("F foreslått");
    const lathe = page.locator('.goal[data-goal="run-lathe"]');
    await lathe.locator("summary").click();
    expect(await lathe.locator(".evidence-table tbody tr").count()).toBe(2);
    expect(await lathe.locator(".evidence-table tbody tr").first().textContent()).toContain("Mazak QT 200");
    expect(await lathe.locator(".goal-counts").textContent()).toBe("Til sammen: 2 × Fullført syklus");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "progress");

    await sendDnc.getByRole("button", { name: "Bekreft at «Sende et program med DNC» er ferdig" }).click();
    await sendDnc.locator('.mark-badge[data-mark="F"]').waitFor({ timeout: 5000 });
    expect(evidence.marks.get("u-trainee-1")?.get("send-dnc")?.status).toBe("F");
    // A trainee has no sign-off button.
    expect(await page.getByRole("button", { name: /Kvitter/ }).count()).toBe(0);
  });

  it("refuses a trainee another trainee's evidence page with a clear 403", async () => {
    const response = await page.goto(`${served.baseUrl}/trainees/u-trainee-2`);
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
    const link = page.getByRole("link", { name: "CNC intensiv, vår 2027" });
    await link.waitFor({ timeout: 10_000 });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "courses");
    await link.click();
    await page.waitForURL(`${served.baseUrl}/courses/c-spring`);
    const row = page.locator("#matrix-body tr", { hasText: "Ola Nordmann" });
    await row.waitFor({ timeout: 10_000 });
    expect(await page.locator("#matrix-caption").textContent()).toBe(
      "CNC intensiv, vår 2027: elever × mål, med merke P, F eller K",
    );
    expect(await page.locator("#matrix-head th[scope=col]").count()).toBe(4);
    // Each cell: the letter, and the word for screen readers (not colour alone).
    expect(await row.locator("td").allTextContents()).toEqual(["–Ikke påbegynt", "FFerdig", "FFerdig"]);
    expect(await row.locator("th[scope=row]").textContent()).toBe("Ola Nordmann");
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "course-matrix");

    await row.getByRole("link", { name: "Ola Nordmann" }).click();
    await page.waitForURL(`${served.baseUrl}/trainees/u-trainee-1`);
    await page
      .locator("#progress-heading", { hasText: "Framdrift for Ola Nordmann" })
      .waitFor({ timeout: 10_000 });
  });

  it("lets an instructor sign off a goal with a required comment and add a note; the report shows the sign-off", async () => {
    const lathe = page.locator('.goal[data-goal="run-lathe"]');
    await lathe.getByRole("button", { name: "Kvitter «Kjøre et utprøvd program i dreiebenk»" }).click();
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
    expect(evidence.marks.get("u-trainee-1")?.get("run-lathe")?.status).toBe("F");
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
    expect(evidence.notes).toEqual([
      {
        trainee: "u-trainee-1",
        text: "Trenger mer øving på verktøymåling.",
        goals: ["run-lathe"],
        by: "u-instructor-1",
      },
    ]);

    const href = await page.locator("#report-link").getAttribute("href");
    expect(href).toBe("/api/trainees/u-trainee-1/report.html?lang=nb");
    await page.goto(`${served.baseUrl}${href}`);
    const signed = page.locator("tr", { hasText: "run-lathe" });
    expect(await signed.locator(".mark").textContent()).toBe("K");
    expect(await signed.locator(".comment").textContent()).toBe("Kjørte serien trygt og målte delene selv.");
  });

  it("shows an instructor only the machines on the admin page", async () => {
    await page.goto(`${served.baseUrl}/admin`);
    await page.locator('#machines-body tr[data-machine="lathe-1"]').waitFor({ timeout: 10_000 });
    expect(await page.locator("#instructor-note").isVisible()).toBe(true);
    expect(await page.locator("#config-panel").isHidden()).toBe(true);
    await logOut(page);
  });

  it("shows an admin machines, users, courses and the masked config, creates a user and a course, and checks the config again", async () => {
    await logIn(page, served.baseUrl, "root", "/admin");
    await page.locator("#config-check", { hasText: "ok" }).waitFor({ timeout: 10_000 });
    const lathe = page.locator('#machines-body tr[data-machine="lathe-1"]');
    expect(await lathe.locator("th[scope=row]").textContent()).toBe("lathe-1");
    expect(await page.locator("#parts-body tr", { hasText: "mqtt" }).textContent()).toContain("Tilkoblet");
    expect(await page.locator("#config-file").textContent()).toBe(configFile);
    const configText = await page.locator("#config-text").textContent();
    expect(configText).toContain("mqtt://***@broker.local:1883");
    expect(configText).not.toContain("broker-pass-123");
    expect(await page.locator("#users-body tr").count()).toBe(4);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await screenshotBoth(page, "admin");

    await page.getByLabel("Brukernavn").fill("nora");
    await page.getByLabel("Fullt navn").fill("Nora Lærling");
    await page.getByRole("button", { name: "Opprett bruker" }).click();
    await page.locator("#user-answer", { hasText: "generert-passord-123" }).waitFor({ timeout: 5000 });
    expect(await page.locator("#users-body tr", { hasText: "Nora Lærling" }).count()).toBe(1);

    await page.getByLabel("Kursnavn").fill("CNC kveld, høst 2027");
    await page.getByLabel("Startdato").fill("2027-09-01");
    await page.getByLabel("Sluttdato").fill("2027-12-15");
    await page.getByRole("button", { name: "Opprett kurs" }).click();
    await page
      .locator("#course-answer", { hasText: "Kurset CNC kveld, høst 2027 er opprettet." })
      .waitFor({ timeout: 5000 });

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
