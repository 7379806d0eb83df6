import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normaliseEob } from "../../../src/dnc/program/text.ts";
import { screenshotBoth } from "../support/app-views.ts";
import { recordPageErrors } from "../support/chromium.ts";
import {
  type DncInChromium,
  GOOD_PROGRAM,
  logInThroughApi,
  openDncInChromium,
  PROGRAM_WITH_ERROR_AT_LINE_6,
  SLOW_CONTROL,
} from "../support/dnc-in-chromium.ts";
import type { SimulatedGateway } from "./sim-gateway.ts";

// The upload page in Debian's Chromium against the gateway's DNC line to a
// simulated control: a logged-in trainee picks a file with an error, sees it
// on the right line before anything is sent, fixes it, sends, and sees the
// transfer complete; the control holds the program. Also: a trainee who is
// not checked in cannot send, the page switches to English, and axe-core
// finds no serious or critical violation. Screenshot: /tmp/maskinport-dnc-upload.png.

/** 200 motion blocks: long enough to still be running on a slow control when it is stopped. */
const LONG = ["%", "O2000 (LONG)"]
  .concat(Array.from({ length: 200 }, (_, i) => `N${i + 10} G01 X${i}.5 F0.2`))
  .concat(["M30", "%", ""])
  .join("\n");
const AXE = readFileSync(new URL("../../../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

describe("program upload page in Chromium", () => {
  let dnc: DncInChromium;
  let gateway: SimulatedGateway;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dnc = await openDncInChromium(115200);
    ({ gateway, page } = dnc);
    recordPageErrors(page, pageErrors);
  });

  afterAll(async () => {
    await dnc?.close();
  });

  it("asks for a login first", async () => {
    await page.goto(`${gateway.baseUrl}/dnc`);
    await page.locator("#login-needed").waitFor({ timeout: 15_000 });
    expect(await page.locator("#upload").isHidden()).toBe(true);
    // The shared app shell: menu bar with this page current, a login link back here.
    expect(await page.locator('a[data-nav="dnc"]').getAttribute("aria-current")).toBe("page");
    await page.locator("#login-link").waitFor({ timeout: 5000 });
    expect(await page.locator("#login-link").getAttribute("href")).toBe("/login?next=%2Fdnc");
    expect(await page.locator("#logout").isHidden()).toBe(true);
    pageErrors.length = 0; // the 401 of /api/me is the expected answer here
  });

  it("says a trainee who is not checked in cannot send", async () => {
    // Log in through the API in the browser's own context: the cookie lands in the browser.
    expect(await logInThroughApi(page, gateway.baseUrl, "ola")).toBe(200);
    await page.goto(`${gateway.baseUrl}/dnc`);
    await page.locator("#upload").waitFor({ timeout: 15_000 });
    expect(await page.locator("#machine").inputValue()).toBe("lathe-4"); // the only machine with a line
    expect(await page.locator("#machine-status").textContent()).toContain("ikke sjekket inn");
    expect(await page.locator("#mode").isHidden()).toBe(true); // drip-feed is for instructors
    // Logged in, as the menu bar says on every page.
    await page.locator("#user-text", { hasText: "(elev)" }).waitFor({ timeout: 5000 });
    expect(await page.locator("#logout").isVisible()).toBe(true);
    expect(await page.locator("#login-link").isHidden()).toBe(true);
    expect(await page.locator('li[data-roles="trainee"] a[data-nav="progress"]').isVisible()).toBe(true);
  });

  it("shows a validation error on the right line before anything is sent; fixed, it sends to completion", async () => {
    gateway.checkIns.checkIn("u-trainee-1", "lathe-4");
    await page.reload();
    await page.locator("#machine-status", { hasText: "Klar" }).waitFor({ timeout: 15_000 });

    await page.locator("#file").setInputFiles({
      name: "Flens OP1 (v2).nc",
      mimeType: "text/plain",
      buffer: Buffer.from(PROGRAM_WITH_ERROR_AT_LINE_6, "latin1"),
    });
    expect(await page.locator("#file-name").inputValue()).toBe("Flens OP1 _v2_.nc");
    const problem = page.locator('#problem-list li[data-line="6"]').first();
    await problem.waitFor({ timeout: 5000 });
    expect(await problem.locator(".problem-place").textContent()).toBe("Linje 6, kolonne 1");
    expect(await problem.locator("strong").textContent()).toBe("Små bokstaver utenfor kommentar");
    expect(await problem.locator("code").textContent()).toBe("t0101");
    expect(await page.locator("#validation-summary").textContent()).toMatch(/feil må rettes/);
    expect(await page.locator("#send").isDisabled()).toBe(true);
    expect(gateway.sim.stats().charsReceived).toBe(0);

    // The problem's button takes the cursor to the line (keyboard: Enter on the focused button).
    await problem.locator(".problem-place").focus();
    await page.keyboard.press("Enter");
    // (Runs in the page; typed by hand, as the tests' TypeScript has no DOM library.)
    const selection = await page.locator("#program").evaluate((el) => {
      type Area = { value: string; selectionStart: number; selectionEnd: number };
      const area = el as unknown as Area;
      const doc = (globalThis as unknown as { document: { activeElement: unknown } }).document;
      return {
        focused: doc.activeElement === el,
        text: area.value.slice(area.selectionStart, area.selectionEnd),
      };
    });
    expect(selection).toEqual({ focused: true, text: "t0101" });

    // Fix the line by typing over the selection.
    await page.keyboard.type("T0101");
    await page.locator("#validation-summary", { hasText: "i orden" }).waitFor({ timeout: 5000 });
    expect(await page.locator("#problems").isHidden()).toBe(true);
    expect(await page.locator("#program").inputValue()).toBe(GOOD_PROGRAM);

    await page.locator("#send").click();
    await page.locator('#transfer[data-state="done"]').waitFor({ timeout: 15_000 });
    const bar = page.locator("#transfer-bar");
    expect(await bar.getAttribute("value")).toBe(await bar.getAttribute("max"));
    expect(await page.locator("#transfer-text").textContent()).toMatch(/^100 % · /);
    expect(await page.locator("#transfer-state").textContent()).toContain("er sendt til Old Fanuc lathe");
    expect(await page.locator("#cancel").isHidden()).toBe(true);

    const stored = await gateway.sim.waitForProgram();
    expect(stored.text).toBe(normaliseEob(GOOD_PROGRAM));
    expect(gateway.library.transfers()[0]).toMatchObject({
      user: "u-trainee-1",
      name: "Flens OP1 _v2_.nc",
      result: "ok",
    });

    const row = page.locator("#history-rows tr").first();
    await row.waitFor({ timeout: 5000 });
    expect(await row.locator("td").nth(2).textContent()).toBe("Flens OP1 _v2_.nc");
    expect(await row.locator("td").nth(4).textContent()).toBe("Ferdig");
    expect(await page.locator("#library-list li").first().textContent()).toContain("Flens OP1 _v2_.nc");
    await page.screenshot({ path: "/tmp/maskinport-dnc-upload.png", fullPage: true });
    await page.evaluate("window.scrollTo(0, 0)"); // the menu bar and the form's top in the picture
    await screenshotBoth(page, "dnc-upload");
  });

  it("lists the versions in the library and loads an older one back into the editor to send again", async () => {
    // A second version of the same program: one comment changed.
    const second = GOOD_PROGRAM.replace("(", "(V2 ");
    expect(second).not.toBe(GOOD_PROGRAM);
    await page.locator("#program").fill(second);
    await page.locator("#validation-summary", { hasText: "i orden" }).waitFor({ timeout: 5000 });
    await page.locator("#send").click();
    await page.locator('#transfer[data-state="done"]').waitFor({ timeout: 15_000 });
    expect((await gateway.sim.waitForProgram({ count: 2 })).text).toBe(normaliseEob(second));
    const program = page.locator('#library-list li.program[data-name="Flens OP1 _v2_.nc"]');
    await program.locator(".versions li").nth(1).waitFor({ timeout: 5000 });
    expect(await program.locator(".versions li").count()).toBe(2);
    expect(await program.locator(".versions li").first().textContent()).toMatch(/ linjer · [\d\s\u00a0]+ B/);

    // The older version (second in the list, newest first) back into the editor, by keyboard.
    await page.locator("#program").fill("");
    const load = program.locator(".versions li").nth(1).locator("button.load-version");
    expect(await load.getAttribute("aria-label")).toMatch(
      /^Hent inn versjonen fra .+ av Flens OP1 _v2_\.nc i programfeltet$/,
    );
    await load.focus();
    await page.keyboard.press("Enter");
    await page.locator("#library-status", { hasText: "er hentet inn" }).waitFor({ timeout: 5000 });
    expect(await page.locator("#program").inputValue()).toBe(GOOD_PROGRAM);
    expect(await page.locator("#file-name").inputValue()).toBe("Flens OP1 _v2_.nc");
    await page.locator("#validation-summary", { hasText: "i orden" }).waitFor({ timeout: 5000 });
    await page.locator("#send").click();
    await page.locator('#transfer[data-state="done"]').waitFor({ timeout: 15_000 });
    expect((await gateway.sim.waitForProgram({ count: 3 })).text).toBe(normaliseEob(GOOD_PROGRAM));
    await screenshotBoth(page, "dnc-library");
  });

  it("switches to English, texts from the server's lists included", async () => {
    await page.locator('button[data-lang="en"]').click();
    await page.locator('html[lang="en"]').waitFor({ state: "attached", timeout: 5000 });
    expect(await page.locator("h1").textContent()).toBe("Send a program to a machine");
    expect(await page.locator("#user-text").textContent()).toContain("(trainee)"); // the shell's texts too
    expect(await page.title()).toBe("Maskinport – send program");
    expect(await page.locator("#machine option:checked").textContent()).toContain("Lathe");
    expect(await page.locator("#history-rows tr td").nth(4).textContent()).toBe("Done");
    expect(await page.locator("#transfer-state").textContent()).toContain("Done");
    await page.locator('button[data-lang="nb"]').click();
    await page.locator('html[lang="nb"]').waitFor({ state: "attached", timeout: 5000 });
  });

  it("has no serious or critical accessibility violation (axe-core), and no script errors", async () => {
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      const axe = (
        globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; impact: string }[] }> } }
      ).axe;
      const result = await axe.run();
      return result.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => v.id);
    });
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

describe("a slow control in Chromium: paused by the machine, then cancelled", () => {
  let dnc: DncInChromium;
  let gateway: SimulatedGateway;
  let page: Page;

  beforeAll(async () => {
    // The control stores 150 characters a second from a 9600 baud line: its buffer fills, it says XOFF.
    dnc = await openDncInChromium(9600, SLOW_CONTROL);
    ({ gateway, page } = dnc);
  });

  afterAll(async () => {
    await dnc?.close();
  });

  it("shows the machine's pause, and the cancel button stops the transfer", async () => {
    expect(await logInThroughApi(page, gateway.baseUrl, "kari")).toBe(200); // an instructor: no check-in needed
    await page.goto(`${gateway.baseUrl}/dnc`);
    await page.locator("#machine-status", { hasText: "Klar" }).waitFor({ timeout: 15_000 });
    expect(await page.locator("#mode").isVisible()).toBe(true); // instructors may drip-feed
    const long = LONG;
    await page.locator("#program").fill(long);
    await page.locator("#validation-summary", { hasText: "i orden" }).waitFor({ timeout: 5000 });
    await page.locator("#send").click();

    await page.locator("#transfer-paused").waitFor({ state: "visible", timeout: 10_000 });
    expect(await page.locator("#transfer-state").textContent()).toBe("Pauset av maskinen");
    const sentBefore = Number(await page.locator("#transfer-bar").getAttribute("value"));
    expect(sentBefore).toBeGreaterThan(0);

    await page.locator("#cancel").click();
    await page.locator('#transfer[data-state="cancelled"]').waitFor({ timeout: 5000 });
    expect(await page.locator("#transfer-error").textContent()).toMatch(/^Avbrutt\. /);
    expect(await page.locator("#cancel").isHidden()).toBe(true);
    const received = gateway.sim.stats().charsReceived;
    await new Promise((r) => setTimeout(r, 500));
    expect(gateway.sim.stats().charsReceived).toBe(received); // the line is quiet after the cancel
    expect(received).toBeLessThan(long.length);
    expect(gateway.library.transfers()[0]).toMatchObject({ user: "u-instructor-1", result: "cancelled" });
    // The line is free again: the send button comes back once the page has reloaded the machines.
    await page.locator("#send:not([disabled])").waitFor({ timeout: 5000 });
  });
});

describe("drip-feed in Chromium: an instructor starts it and stops it", () => {
  let dnc: DncInChromium;
  let gateway: SimulatedGateway;
  let page: Page;

  beforeAll(async () => {
    // A slow control again, so the drip-feed is still running when the instructor stops it.
    dnc = await openDncInChromium(9600, SLOW_CONTROL);
    ({ gateway, page } = dnc);
  });

  afterAll(async () => {
    await dnc?.close();
  });

  it("lets an instructor drip-feed and stop the drip-feed", async () => {
    expect(await logInThroughApi(page, gateway.baseUrl, "kari")).toBe(200);
    await page.goto(`${gateway.baseUrl}/dnc`);
    await page.locator("#machine-status", { hasText: "Klar" }).waitFor({ timeout: 15_000 });
    await page.locator("#program").fill(LONG);
    await page.locator('input[name="mode"][value="drip"]').check();
    await page.locator("#validation-summary", { hasText: "i orden" }).waitFor({ timeout: 5000 });
    await page.locator("#send:not([disabled])").waitFor({ timeout: 5000 });
    await page.locator("#send").click();
    const stop = page.getByRole("button", { name: "Stopp drypp-matingen" });
    await stop.waitFor({ timeout: 10_000 });
    await page.locator("#transfer-bar:not([value='0'])").waitFor({ timeout: 10_000 });
    await stop.focus();
    await page.keyboard.press("Enter");
    await page.locator('#transfer[data-state="cancelled"]').waitFor({ timeout: 5000 });
    expect(await stop.isHidden()).toBe(true);
    expect(gateway.library.transfers()[0]).toMatchObject({
      user: "u-instructor-1",
      direction: "drip",
      result: "cancelled",
    });
    const row = page.locator("#history-rows tr").first();
    await row.locator("td", { hasText: "Drypp-matet" }).waitFor({ timeout: 5000 });
  });
});
