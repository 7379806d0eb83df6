import type { Page } from "playwright-core";

// Keyboard-only walks through a page for the browser tests: Tab (or
// Shift+Tab) from where focus is, one stop per press, until focus comes back
// round. Each stop says what got focus, where it sits in the document, and
// whether it showed a focus indicator: its outline or box-shadow while focused
// against the same element's once focus has moved on (the previous stop is
// measured at the next press, so nothing is focused from a script, which
// would change what :focus-visible matches).

/** One Tab stop. */
export type TabStop = {
  /** A readable name: tag, #id, and the accessible text or label (trimmed). */
  name: string;
  /** Position of the element among all elements of the document (document order). */
  order: number;
  /** Its tabindex attribute when it has one (a positive one reorders the page). */
  tabindex: number | null;
  /** Has a non-empty box on screen (a focused invisible element is a lost cursor). */
  visible: boolean;
  /** Outline or box-shadow while focused differ from the element's unfocused look; null until measured. */
  indicator: boolean | null;
  /** The focused look, for the failure message. */
  focusedLook: string;
};

/**
 * Runs in the page on every press (a string: the tests' TypeScript has no DOM
 * library). Keeps the previous stop on `window` to measure its unfocused look.
 */
const STEP = `(() => {
  const w = window;
  const look = (el) => {
    const s = getComputedStyle(el);
    const outline = s.outlineStyle === "none" || parseFloat(s.outlineWidth) === 0
      ? "none" : s.outlineStyle + " " + s.outlineWidth + " " + s.outlineColor;
    return "outline: " + outline + "; box-shadow: " + s.boxShadow;
  };
  let measured = null;
  for (const start of document.querySelectorAll("[data-kbd-start]")) start.remove();
  const prev = w.__kbdPrev;
  const el = document.activeElement;
  // A date field takes several presses (day, month, year, the browser's own
  // calendar button): it keeps the look of its first one.
  if (prev && prev.el === el) return { stop: null, same: true, measured: null };
  if (prev && prev.el !== el && prev.el.isConnected) measured = look(prev.el) !== prev.look;
  if (!el || el === document.body || el === document.documentElement) {
    w.__kbdPrev = undefined;
    return { stop: null, measured };
  }
  const text = (el.getAttribute("aria-label") || (el.labels && el.labels[0] && el.labels[0].textContent)
    || el.textContent || el.getAttribute("title") || el.getAttribute("name") || "").replace(/\\s+/g, " ").trim();
  const rect = el.getBoundingClientRect();
  const all = document.getElementsByTagName("*");
  let order = -1;
  for (let i = 0; i < all.length; i++) if (all[i] === el) { order = i; break; }
  const focusedLook = look(el);
  w.__kbdPrev = { el, look: focusedLook };
  (w.__kbdReached ??= new WeakSet()).add(el);
  const tabindex = el.getAttribute("tabindex");
  return {
    stop: {
      name: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (text ? " “" + text.slice(0, 120) + "”" : ""),
      order,
      tabindex: tabindex === null ? null : Number(tabindex),
      visible: rect.width > 0 && rect.height > 0,
      indicator: null,
      focusedLook,
    },
    measured,
  };
})()`;

type StepResult = { stop: TabStop | null; same?: true; measured: boolean | null };

/**
 * Press `key` once; returns the new stop (null when focus left the page's
 * elements; `last` again when focus stayed inside the same element) and
 * measures the last one.
 */
export async function press(page: Page, key: string, last?: TabStop): Promise<TabStop | null> {
  await page.keyboard.press(key);
  const { stop, same, measured } = (await page.evaluate(STEP)) as StepResult;
  if (same) return last ?? null;
  if (last && measured !== null) last.indicator = measured;
  return stop;
}

/**
 * Forgets the last stop and puts the keyboard at the top of the document, as
 * after a fresh load: focus on a stand-in at the start of <body> that the
 * next press removes (blur() alone leaves Chromium's starting point where
 * focus was).
 */
export async function fromTop(page: Page, end: "top" | "bottom" = "top"): Promise<void> {
  await page.evaluate(`(() => {
    window.__kbdPrev = undefined;
    const start = document.createElement("span");
    start.tabIndex = -1;
    start.dataset.kbdStart = "";
    document.body.${end === "top" ? "prepend" : "append"}(start);
    start.focus();
  })()`);
}

/**
 * Tab (or Shift+Tab with `backwards`) from the top (or the bottom) until
 * focus leaves the page or comes back to the first stop. A walk that does not
 * end within `max` presses is a keyboard trap, and throws saying where it
 * went round; one that goes round early is found by `checkTabOrder`, which
 * knows what it should have reached.
 */
export async function tabWalk(
  page: Page,
  options: { backwards?: boolean; max?: number } = {},
): Promise<TabStop[]> {
  const key = options.backwards ? "Shift+Tab" : "Tab";
  const max = options.max ?? 120;
  await fromTop(page, options.backwards ? "bottom" : "top");
  const stops: TabStop[] = [];
  for (let i = 0; i < max; i++) {
    const stop = await press(page, key, stops.at(-1));
    // Past the last element focus leaves the page (Tab) or goes round to the first (Shift+Tab).
    if (!stop || (stops.length > 0 && stop.name === stops[0]!.name && stop.order === stops[0]!.order)) {
      return stops;
    }
    if (stop !== stops.at(-1)) stops.push(stop);
  }
  throw new Error(
    `keyboard trap: ${max} presses of ${key} never left the page; the last stops: ${stops
      .slice(-6)
      .map((s) => s.name)
      .join(" → ")}`,
  );
}

/**
 * Presses `key` (Tab by default) until the focused element's name matches
 * `target`; fails naming the stops it passed. Returns the stop reached.
 */
export async function tabTo(
  page: Page,
  target: RegExp,
  options: { key?: string; max?: number } = {},
): Promise<TabStop> {
  const passed: string[] = [];
  let last: TabStop | undefined;
  for (let i = 0; i < (options.max ?? 80); i++) {
    const stop = await press(page, options.key ?? "Tab", last);
    if (stop && target.test(stop.name)) return stop;
    passed.push(stop?.name ?? "(outside the page)");
    last = stop ?? undefined;
  }
  throw new Error(`never reached ${target} by keyboard; passed: ${passed.join(" → ")}`);
}

/**
 * What is wrong with a walk, as readable lines (empty when all is well):
 * a stop out of document order or with a positive tabindex, an invisible
 * stop, a stop without a visible focus indicator.
 */
export function walkProblems(stops: readonly TabStop[]): string[] {
  const problems: string[] = [];
  stops.forEach((s, i) => {
    if (s.tabindex !== null && s.tabindex > 0)
      problems.push(`${s.name}: tabindex ${s.tabindex} reorders the page`);
    if (i > 0 && s.order <= stops[i - 1]!.order)
      problems.push(`${s.name}: comes after ${stops[i - 1]!.name}`);
    if (!s.visible) problems.push(`${s.name}: focused but not on screen`);
    if (s.indicator === false) problems.push(`${s.name}: no visible focus indicator (${s.focusedLook})`);
  });
  return problems;
}

/**
 * Elements with a positive tabindex, which Chromium visits before all others
 * from the top of the page but never when Tab starts inside it (as the walk
 * does), so they are looked for in the document as well.
 */
export async function positiveTabindexes(page: Page): Promise<string[]> {
  return (await page.evaluate(`[...document.querySelectorAll("[tabindex]")]
    .filter((el) => el.tabIndex > 0)
    .map((el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + ": tabindex " + el.tabIndex + " reorders the page")`)) as string[];
}

/**
 * What Tab should have reached but did not since `w.__kbdReached` was last
 * cleared: links, enabled form controls (one radio per group), summaries,
 * and anything with tabindex ≥ 0, when rendered (not hidden, not in a
 * closed <details>, not inert). Named as the walk names them, roughly.
 */
export async function unreached(page: Page): Promise<string[]> {
  return (await page.evaluate(`(() => {
    const reached = window.__kbdReached ?? new WeakSet();
    const seenRadio = new Set();
    const out = [];
    for (const el of document.querySelectorAll(
      "a[href], button, input:not([type=hidden]), select, textarea, details > summary:first-of-type, [tabindex]",
    )) {
      if (el.tabIndex < 0 || el.disabled || el.getClientRects().length === 0 || el.closest("[inert]")) continue;
      if (el.type === "radio") {
        if (seenRadio.has(el.name)) continue;
        seenRadio.add(el.name);
      }
      if (!reached.has(el)) out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " “" + (el.textContent || "").trim().slice(0, 60) + "”");
    }
    return out;
  })()`)) as string[];
}

/**
 * The walk both ways: forwards in document order, backwards the same stops
 * reversed, every stop visible with a focus indicator, every control reached
 * (no trap), no positive tabindex.
 */
export async function checkTabOrder(page: Page): Promise<TabStop[]> {
  await page.evaluate("window.__kbdReached = new WeakSet()");
  const forwards = await tabWalk(page);
  const problems = [...walkProblems(forwards), ...(await positiveTabindexes(page))];
  for (const missed of await unreached(page)) {
    problems.push(`${missed}: never reached by Tab (a keyboard trap, or skipped)`);
  }
  const backwards = await tabWalk(page, { backwards: true });
  const there = forwards.map((s) => s.name);
  const back = backwards.map((s) => s.name).reverse();
  if (there.join("\n") !== back.join("\n")) {
    problems.push(
      `Shift+Tab does not retrace Tab:\n  Tab:       ${there.join(" → ")}\n  Shift+Tab: ${back.join(" → ")}`,
    );
  }
  if (problems.length > 0) throw new Error(`keyboard walk problems:\n${problems.join("\n")}`);
  return forwards;
}
