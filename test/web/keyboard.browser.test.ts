import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { normaliseEob } from "../../src/dnc/program/text.ts";
import type { EvidenceService } from "../../src/evidence/service.ts";
import type { StateSegment } from "../../src/web/states-route.ts";
import type { SimulatedGateway } from "./dnc/sim-gateway.ts";
import { seriousAxeViolations } from "./support/app-views.ts";
import { launchChromium, recordPageErrors } from "./support/chromium.ts";
import {
  type DncInChromium,
  GOOD_PROGRAM,
  logInThroughApi,
  openDncInChromium,
  PROGRAM_WITH_ERROR_AT_LINE_6,
  SLOW_CONTROL,
} from "./support/dnc-in-chromium.ts";
import { FakeFleet } from "./support/fake-fleet.ts";
import {
  historyWithStatesOnly,
  serveFleetWithTraining,
  siteConfigFrom,
} from "./support/fleet-with-training.ts";
import {
  checkTabOrder,
  fromTop,
  positiveTabindexes,
  press,
  tabTo,
  tabWalk,
  walkProblems,
} from "./support/keyboard.ts";
import { recordOlasDays } from "./support/olas-days.ts";
import type { ServedApp } from "./support/serve.ts";
import { openTrainingWorld, passwordOf, type TrainingWorld } from "./support/training-world.ts";

// Issue 15's "keyboard-only navigation reaches every action", in Debian's
// Chromium over the real training layer (users, courses, sessions and the
// evidence ledger in SQLite, the real API) and, for program upload, the
// gateway's DNC line to the simulated control. Every view is walked with Tab
// and Shift+Tab (support/keyboard.ts): each stop in document order, on
// screen, with a visible focus indicator (its outline or box-shadow changes
// when focused), and focus leaves the page again (no trap). Then each action
// is reached and triggered with keys only (page.keyboard: Tab, Shift+Tab,
// Enter, Space, Escape, arrows) and its effect checked where it lands: the
// session service, the ledger, the user store, the simulated control.

const SEND_DNC = "Sende et program til maskinen med DNC og sjekke at det kom fram";
const RUN_LATHE = "Kjøre et innkjørt program i automatikk i dreiebenken, med programmet sendt selv";

const CONFIG = `site: raufoss
gateway: { id: gw-1 }
mqtt:
  url: mqtt://broker.local:1883
machines:
  - id: lathe-1
    name: Mazak QT 200
    kind: lathe
    monitor: { type: shdr, host: 127.0.0.1, port: 7878 }
`;

/** What has focus now, as the walk names it (tag#id), or "body" when focus was dropped. */
async function focused(page: Page): Promise<string> {
  return (await page.evaluate(
    "(() => { const a = document.activeElement; return !a || a === document.body ? 'body' : a.tagName.toLowerCase() + (a.id ? '#' + a.id : ''); })()",
  )) as string;
}

/** The names in a walk that match, in walk order. */
const names = (stops: { name: string }[], pattern: RegExp) =>
  stops.map((s) => s.name).filter((n) => pattern.test(n));

describe("the keyboard walk itself", () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  beforeAll(async () => {
    browser = await launchChromium();
    page = await browser.context.newPage();
  });
  afterAll(async () => browser?.close());

  it("finds a stop without a focus indicator, a positive tabindex, one out of order, and a trap", async () => {
    await page.setContent(`<style>#bare:focus { outline: none }</style>
      <button id="plain">ok</button><button id="bare">bare</button><a href="#" id="first" tabindex="2">first</a>`);
    const stops = await tabWalk(page);
    expect(walkProblems(stops)).toEqual([
      expect.stringMatching(/^button#bare “bare”: no visible focus indicator \(outline: none/),
    ]);
    expect(await positiveTabindexes(page)).toEqual(["a#first: tabindex 2 reorders the page"]);
    await expect(checkTabOrder(page)).rejects.toThrow(/no visible focus indicator[\s\S]*tabindex 2/);
    expect(walkProblems([stops[1]!, stops[0]!])).toContainEqual(
      expect.stringMatching(/^button#plain “ok”: comes after button#bare/),
    );
    // A field that swallows Tab keeps the keyboard in; so does one that sends it back to the first.
    await page.setContent(`<input id="a"><input id="b"><button>c</button>`);
    await page.evaluate(
      "document.getElementById('b').addEventListener('keydown', (e) => { if (e.key === 'Tab') e.preventDefault(); })",
    );
    await expect(tabWalk(page, { max: 10 })).rejects.toThrow(/keyboard trap: 10 presses of Tab never left/);
    await page.setContent(`<input id="a"><input id="b"><button>c</button>`);
    await page.evaluate(
      "document.getElementById('b').addEventListener('keydown', (e) => { if (e.key === 'Tab' && !e.shiftKey) { e.preventDefault(); document.getElementById('a').focus(); } })",
    );
    await expect(checkTabOrder(page)).rejects.toThrow(/button “c”: never reached by Tab/);
  });
});

describe("keyboard only through the web app, over the real training layer", () => {
  let fleet: FakeFleet;
  let world: TrainingWorld;
  let evidence: EvidenceService;
  let served: ServedApp;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;
  let dir: string;
  let configFile: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "maskinport-keyboard-"));
    configFile = join(dir, "site.yaml");
    writeFileSync(configFile, CONFIG);
    fleet = new FakeFleet();
    world = await openTrainingWorld({ evidence: true });
    evidence = world.evidence!;
    await recordOlasDays(world, fleet); // Ola: a proposed F on send-dnc, an F awaiting K on run-lathe
    const siteConfig = await siteConfigFrom(configFile);
    served = await serveFleetWithTraining(fleet, world, (deps) => ({
      history: historyWithStatesOnly(deps, syntheticStates),
      siteConfig,
    }));
    browser = await launchChromium();
    page = await browser.context.newPage();
    await page.setViewportSize({ width: 1920, height: 1080 });
    // 401 (not logged in yet) is an answer the pages expect.
    recordPageErrors(page, pageErrors, /status of 401/);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await world?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Logs out by keyboard: Tab to the menu bar's button, Enter. */
  const logOutByKeyboard = async () => {
    await fromTop(page);
    await tabTo(page, /^button#logout/);
    await page.keyboard.press("Enter");
    await page.waitForURL(/\/login$/, { timeout: 10_000 });
  };

  /** Logs in by keyboard: the login page focuses the user name; type, Tab, type, Enter. */
  const logInByKeyboard = async (username: string, next: string) => {
    await page.goto(`${served.baseUrl}/login?next=${encodeURIComponent(next)}`);
    await page.locator("#username:focus").waitFor({ timeout: 5000 });
    await page.keyboard.type(username);
    await page.keyboard.press("Tab");
    await page.keyboard.type(passwordOf(username));
    await page.keyboard.press("Enter");
    await page.waitForURL(`${served.baseUrl}${next}`, { timeout: 10_000 });
  };

  it("login: user name, password, submit in order, and Enter logs in", async () => {
    await page.goto(`${served.baseUrl}/login`);
    await page.locator("#username").waitFor();
    const stops = await checkTabOrder(page);
    expect(names(stops, /^(input|button#login-submit)/)).toEqual([
      "input#username “Brukernavn”",
      "input#password “Passord”",
      "button#login-submit “Logg inn”",
    ]);
    expect(stops[0]!.name).toBe("a “Hopp til innholdet”"); // the skip link first

    await logInByKeyboard("kari", "/");
    const me = (await page.evaluate("fetch('/api/me').then((r) => r.json())")) as { role: string };
    expect(me.role).toBe("instructor");
  });

  it("fleet wall: the menu, the language toggle and every machine's tile; Enter opens a machine", async () => {
    await page.locator("#conn[data-status='live']").waitFor({ timeout: 15_000 });
    const stops = await checkTabOrder(page);
    expect(names(stops, /Detaljer for/)).toEqual(fleet.machines.map((m) => `a “Detaljer for ${m.name}”`));
    expect(names(stops, /^a “(Maskinoversikt|Alarmer|QR-ark|Kurs|Administrasjon)”/)).toHaveLength(5);

    // The skip link takes the keyboard past the menu.
    await fromTop(page);
    await press(page, "Tab");
    await page.keyboard.press("Enter");
    const afterSkip = await press(page, "Tab");
    expect(afterSkip?.name).toBe(`a “Detaljer for ${fleet.machines[0]!.name}”`);

    // Language by keyboard: Space on EN, then Shift+Tab and Enter on NB.
    await fromTop(page);
    await tabTo(page, /^button “EN”/);
    await page.keyboard.press("Space");
    await page.locator('html[lang="en"]').waitFor({ state: "attached", timeout: 5000 });
    await press(page, "Shift+Tab");
    await page.keyboard.press("Enter");
    await page.locator('html[lang="nb"]').waitFor({ state: "attached", timeout: 5000 });

    await fromTop(page);
    await tabTo(page, /Detaljer for Mazak QT 200/);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${served.baseUrl}/machines/lathe-1`);
  });

  it("machine detail: the time window buttons by Enter and Space", async () => {
    await page.locator("#plots-status").waitFor({ state: "hidden", timeout: 10_000 });
    await checkTabOrder(page);
    await fromTop(page);
    await tabTo(page, /^button#shift-button/);
    await page.keyboard.press("Enter");
    await page.locator('button[data-window="shift"][aria-pressed="true"]').waitFor({ timeout: 5000 });
    await press(page, "Shift+Tab");
    await page.keyboard.press("Space");
    await page.locator('button[data-window="hour"][aria-pressed="true"]').waitFor({ timeout: 5000 });
    expect(await page.locator('button[data-window="shift"]').getAttribute("aria-pressed")).toBe("false");
  });

  it("alarms: an instructor acknowledges with a note by keyboard; Escape closes the form", async () => {
    await page.goto(`${served.baseUrl}/alarms`);
    await page.locator("#conn[data-status='live']").waitFor({ timeout: 15_000 });
    fleet.raiseAlarm("mill-2", "2001", "DØR ÅPEN", Date.now());
    const entry = page.locator(".alarm-entry", { hasText: "DØR ÅPEN" });
    await entry.waitFor({ timeout: 5000 });
    await checkTabOrder(page);

    // Escape leaves the form and gives the keyboard back to the button that opened it.
    await fromTop(page);
    await tabTo(page, /Kvitter alarm 2001 på Haas VF-2/);
    await page.keyboard.press("Enter");
    expect(await focused(page)).toMatch(/^textarea#note-/);
    await page.keyboard.type("skal bort");
    await page.keyboard.press("Escape");
    expect(await entry.locator("form").isHidden()).toBe(true);
    expect(await page.evaluate("document.activeElement.getAttribute('aria-label')")).toBe(
      "Kvitter alarm 2001 på Haas VF-2",
    );

    await page.keyboard.press("Enter");
    expect(await entry.locator("textarea").inputValue()).toBe(""); // what was dropped stays dropped
    await page.keyboard.type("Døra lukket, elev informert");
    await press(page, "Tab");
    expect(await focused(page)).toBe("button");
    await page.keyboard.press("Enter");
    await entry.locator(".alarm-ack", { hasText: "Døra lukket, elev informert" }).waitFor({ timeout: 5000 });
    const acks = (await page.evaluate("fetch('/api/alarms/acks').then((r) => r.json())")) as {
      acks: { machine: string; code: string; note: string; by: { name: string } | null }[];
    };
    expect(acks.acks[0]).toMatchObject({
      machine: "mill-2",
      code: "2001",
      note: "Døra lukket, elev informert",
      by: { name: "Kari Instruktør" },
    });
    expect(await focused(page)).not.toBe("body"); // the keyboard is not thrown back to the top
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it("QR sheet: the print button by Enter", async () => {
    await page.goto(`${served.baseUrl}/qr`);
    await checkTabOrder(page);
    await page.evaluate("window.print = () => { window.__printed = (window.__printed ?? 0) + 1; }");
    await fromTop(page);
    await tabTo(page, /^button#print/);
    await page.keyboard.press("Enter");
    expect(await page.evaluate("window.__printed")).toBe(1);
  });

  it("course list and matrix: Enter on the course, arrows scroll the matrix, Enter on a trainee", async () => {
    await page.goto(`${served.baseUrl}/courses`);
    await page.getByRole("link", { name: world.courseA.name }).waitFor({ timeout: 10_000 });
    await checkTabOrder(page);
    await fromTop(page);
    await tabTo(page, new RegExp(`^a “${world.courseA.name}”`));
    await page.keyboard.press("Enter");
    await page.waitForURL(`${served.baseUrl}/courses/${world.courseA.id}`);
    await page.locator("#matrix-body tr", { hasText: "Ola Nordmann" }).waitFor({ timeout: 10_000 });
    await checkTabOrder(page);

    // The matrix is wider than a phone: its region takes focus and scrolls with the arrow keys.
    await page.setViewportSize({ width: 390, height: 844 });
    await fromTop(page);
    await tabTo(page, /^div#matrix-wrap/);
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await vi.waitFor(async () =>
      expect(
        await page
          .locator("#matrix-wrap")
          .evaluate((n) => (n as unknown as { scrollLeft: number }).scrollLeft),
      ).toBeGreaterThan(0),
    );
    await page.setViewportSize({ width: 1920, height: 1080 });

    await fromTop(page);
    await tabTo(page, /^a “Ola Nordmann”/);
    await page.keyboard.press("Enter");
    await page.waitForURL(`${served.baseUrl}/trainees/${world.people.elev1.id}`);
  });

  it("trainee page: open the evidence, sign off K with a comment and add a note, all by keyboard", async () => {
    const ola = world.people.elev1.id;
    const lathe = page.locator('.goal[data-goal="run-lathe"]');
    await lathe.waitFor({ timeout: 10_000 });
    await checkTabOrder(page);

    // Enter on a goal's summary opens its evidence.
    await fromTop(page);
    await tabTo(page, /^summary “Bevis \(5\)”/);
    await page.keyboard.press("Enter");
    expect(await lathe.locator("details").getAttribute("open")).toBe("");

    await tabTo(page, new RegExp(`^button “Kvitter «${RUN_LATHE}»`));
    await page.keyboard.press("Enter");
    expect(await focused(page)).toBe("textarea#sign-run-lathe");
    // Escape drops the form and returns to its button.
    await page.keyboard.press("Escape");
    expect(await lathe.locator(".sign-form").isHidden()).toBe(true);
    expect(await page.evaluate("document.activeElement.textContent")).toMatch(/Kvitter/);
    await page.keyboard.press("Enter");
    await page.keyboard.type("Kjørte serien trygt og målte delene selv.");
    await press(page, "Tab");
    await page.keyboard.press("Enter");
    await lathe.locator('.mark-badge[data-mark="K"]').waitFor({ timeout: 5000 });
    expect((await evidence.marksOf(ola)).get("run-lathe")?.mark).toBe("K");
    expect(await focused(page)).not.toBe("body");

    // The note: text, then the goal with the arrow keys, then the save button.
    await fromTop(page);
    await tabTo(page, /^textarea#note-text/);
    await page.keyboard.type("Trenger mer øving på verktøymåling.");
    await press(page, "Tab");
    expect(await focused(page)).toBe("select#note-goal");
    const wanted = await page
      .locator('#note-goal option[value="run-lathe"]')
      .evaluate((n) => (n as unknown as { index: number }).index);
    for (let i = 0; i < wanted; i++) await page.keyboard.press("ArrowDown");
    expect(await page.locator("#note-goal").inputValue()).toBe("run-lathe");
    await press(page, "Tab");
    await page.keyboard.press("Enter");
    await page.locator("#note-answer", { hasText: "Notatet er lagret." }).waitFor({ timeout: 5000 });
    const note = (await evidence.exportOf(ola)).records.find((r) => r.type === "note");
    expect(note?.goals).toEqual(["run-lathe"]);
    await logOutByKeyboard();
  });

  it("progress: a trainee confirms a proposed F by keyboard", async () => {
    await logInByKeyboard("elev1", "/progress");
    const sendDnc = page.locator('.goal[data-goal="send-dnc"]');
    await sendDnc.waitFor({ timeout: 10_000 });
    await checkTabOrder(page);
    await fromTop(page);
    await tabTo(page, new RegExp(`^button “Bekreft at «${SEND_DNC}» er ferdig”`));
    await page.keyboard.press("Enter");
    await sendDnc.locator('.mark-badge[data-mark="F"]').waitFor({ timeout: 5000 });
    expect((await evidence.marksOf(world.people.elev1.id)).get("send-dnc")?.mark).toBe("F");
    expect(await focused(page)).not.toBe("body");
  });

  it("check-in: a trainee checks in on a machine by keyboard, and checks out again", async () => {
    await page.goto(`${served.baseUrl}/checkin/mill-2`);
    await page.locator("#checkin-button").waitFor({ timeout: 10_000 });
    await checkTabOrder(page);
    await fromTop(page);
    await tabTo(page, /^button#checkin-button/);
    await page.keyboard.press("Enter");
    await page
      .locator("#checkin-answer", { hasText: "Du er sjekket inn på Haas VF-2." })
      .waitFor({ timeout: 5000 });
    expect(world.sessions.current("mill-2")?.userId).toBe(world.people.elev1.id);
    expect(await focused(page)).toBe("button#checkout-button");
    await page.keyboard.press("Enter");
    await vi.waitFor(() => expect(world.sessions.current("mill-2")).toBeUndefined());
    expect(await focused(page)).not.toBe("body");
    await logOutByKeyboard();
  });

  it("admin: creates a user and checks the config again by keyboard", async () => {
    await logInByKeyboard("admin", "/admin");
    await page.locator("#config-check", { hasText: "ok" }).waitFor({ timeout: 10_000 });
    const stops = await checkTabOrder(page);
    expect(names(stops, /^(input|select|button)#?new-|^button “Opprett|^button#check-again/)).toEqual([
      "input#new-username “Brukernavn”",
      "input#new-display-name “Fullt navn”",
      "select#new-role “Rolle”",
      "input#new-email “E-post (valgfritt)”",
      "input#new-password “Passord (tomt: porten lager et)”",
      "button “Opprett bruker”",
      "input#new-course-name “Kursnavn”",
      "input#new-course-start “Startdato”",
      "input#new-course-end “Sluttdato”",
      "button “Opprett kurs”",
      "button#check-again “Kontroller filen igjen”",
    ]);

    await fromTop(page);
    await tabTo(page, /^input#new-username/);
    await page.keyboard.type("nora");
    await press(page, "Tab");
    await page.keyboard.type("Nora Lærling");
    await tabTo(page, /^button “Opprett bruker”/);
    await page.keyboard.press("Enter");
    await page.locator("#user-answer", { hasText: "Passordet vises bare nå" }).waitFor({ timeout: 5000 });
    expect((await world.users.list()).map((u) => u.displayName)).toContain("Nora Lærling");

    writeFileSync(configFile, CONFIG.replace("kind: lathe", "kind: lathee"));
    await fromTop(page);
    await tabTo(page, /^button#check-again/);
    await page.keyboard.press("Space");
    await page.locator("#config-check", { hasText: "Problemer: 1" }).waitFor({ timeout: 5000 });
    expect(await focused(page)).toBe("dd#config-check");
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(pageErrors, pageErrors.join("\n")).toEqual([]);
  });
});

describe("keyboard only on the program upload page (DNC), against the simulated control", () => {
  let dnc: DncInChromium;
  let gateway: SimulatedGateway;
  let page: Page;

  beforeAll(async () => {
    // A slow control (150 characters a second stored, a small buffer): the transfer is still running to cancel.
    dnc = await openDncInChromium(9600, SLOW_CONTROL);
    ({ gateway, page } = dnc);
  });

  afterAll(async () => {
    await dnc?.close();
  });

  it("validates, jumps to the error, fixes it, sends to completion, then cancels a second send", async () => {
    expect(await logInThroughApi(page, gateway.baseUrl, "ola")).toBe(200);
    gateway.checkIns.checkIn("u-trainee-1", "lathe-4");
    await page.goto(`${gateway.baseUrl}/dnc`);
    await page.locator("#machine-status", { hasText: "Klar" }).waitFor({ timeout: 15_000 });
    await checkTabOrder(page);

    // The program typed (pasted) into the text field, then "validate" by Enter.
    await fromTop(page);
    await tabTo(page, /^textarea#program/);
    await page.keyboard.insertText(PROGRAM_WITH_ERROR_AT_LINE_6);
    await tabTo(page, /^button#validate/);
    await page.keyboard.press("Enter");
    const problem = page.locator('#problem-list li[data-line="6"]').first();
    await problem.waitFor({ timeout: 5000 });
    expect(gateway.sim.stats().charsReceived).toBe(0);
    await checkTabOrder(page); // the problem list's buttons are in the walk too

    await fromTop(page);
    await tabTo(page, /^button “Linje 6, kolonne 1/);
    await page.keyboard.press("Enter");
    expect(await focused(page)).toBe("textarea#program");
    await page.keyboard.type("T0101");
    await page.locator("#validation-summary", { hasText: "i orden" }).waitFor({ timeout: 5000 });

    await tabTo(page, /^button#send/);
    await page.keyboard.press("Enter");
    await page.locator('#transfer[data-state="done"]').waitFor({ timeout: 30_000 });
    expect((await gateway.sim.waitForProgram()).text).toBe(normaliseEob(GOOD_PROGRAM));

    // A second, long send: cancel is reached from the send button by Tab, and stops the line.
    const long = ["%", "O2000 (LONG)"]
      .concat(Array.from({ length: 200 }, (_, i) => `N${i + 10} G01 X${i}.5 F0.2`))
      .concat(["M30", "%", ""])
      .join("\n");
    await fromTop(page);
    await tabTo(page, /^textarea#program/);
    await page.keyboard.press("ControlOrMeta+A");
    await page.keyboard.insertText(long);
    await page.locator("#validation-summary", { hasText: "i orden" }).waitFor({ timeout: 5000 });
    await page.locator("#send:not([disabled])").waitFor({ timeout: 5000 });
    await tabTo(page, /^button#send/);
    await page.keyboard.press("Enter");
    await page.locator("#cancel").waitFor({ state: "visible", timeout: 10_000 });
    expect(await focused(page)).not.toBe("body");
    await tabTo(page, /^button#cancel/);
    await page.keyboard.press("Enter");
    await page.locator('#transfer[data-state="cancelled"]').waitFor({ timeout: 5000 });
    const received = gateway.sim.stats().charsReceived;
    await new Promise((r) => setTimeout(r, 500));
    expect(gateway.sim.stats().charsReceived).toBe(received);
    expect(gateway.library.transfers()[0]).toMatchObject({ user: "u-trainee-1", result: "cancelled" });
    expect(await focused(page)).not.toBe("body");
  });
});

/** Running and idle in turns: the machine page's state band has segments to draw. */
function syntheticStates(q: { machine: string; from: number; to: number }): StateSegment[] {
  const step = (q.to - q.from) / 4;
  return (["running", "idle", "running", "idle"] as const).map((state, i) => ({
    state,
    from: q.from + i * step,
    to: q.from + (i + 1) * step,
  }));
}
