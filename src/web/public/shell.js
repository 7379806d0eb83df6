// What every page shares: the embedded config, the language (nb/en toggle,
// remembered), the menu bar with the logged-in user and logout, kiosk mode
// (?kiosk=1: no menu, larger type, for the wall screen). Each page's module
// calls startShell() once and re-renders itself when the language changes.

import { currentUser, loginUrl, sendJson } from "./api.js";
import { createNumberFormatter, createTimeFormatter } from "./format.js";
import { createTranslator, pickLanguage } from "./i18n.js";

const LANGUAGE_KEY = "maskinport.language";

/**
 * The page config the server embeds (LivePageConfig in src/web/live-page.ts).
 * @typedef {{
 *   timeZone: string,
 *   shiftStarts: readonly string[],
 *   history: boolean,
 *   sparklineWindowMs: number,
 *   defaultLanguage: string,
 *   languages: readonly string[],
 *   i18n: Record<string, Record<string, string>>,
 * }} PageConfig
 */

/** @type {PageConfig} */
export const config = JSON.parse(document.getElementById("maskinport-config")?.textContent ?? "{}");

/** @typedef {ReturnType<typeof makeContext>} PageContext */

/**
 * The element with this id; a missing one is a bug in the page's HTML, said plainly.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`${location.pathname}: the page has no #${id}`);
  return element;
}

/**
 * The translator and formatters of one language.
 * @param {string} language
 */
export function makeContext(language) {
  const t = createTranslator(config.i18n, language, config.defaultLanguage);
  /** A label for a server id (kind, state, event type); the id itself if the dictionary has none. */
  const label = (/** @type {string} */ prefix, /** @type {string} */ id) => {
    const text = t(`${prefix}.${id}`);
    return text === `${prefix}.${id}` ? String(id) : text;
  };
  return {
    language,
    t,
    number: createNumberFormatter(language),
    time: createTimeFormatter(language, config.timeZone),
    kindLabel: (/** @type {string} */ kind) => label("kind", kind),
    stateLabel: (/** @type {string} */ state) => label("state", state),
    eventLabel: (/** @type {string} */ type) => label("event", type),
    /** Any other server list: "outcome", "direction", "result" (src/web/i18n-domain.ts). */
    label,
  };
}

/**
 * @param {{ page: string, titleKey: string, onLanguage?: (ctx: PageContext) => void }} options
 */
export function startShell(options) {
  const kiosk = new URLSearchParams(location.search).get("kiosk") === "1";
  document.body.classList.toggle("kiosk", kiosk);
  for (const link of document.querySelectorAll("[data-nav]")) {
    if (link instanceof HTMLElement && link.dataset.nav === options.page)
      link.setAttribute("aria-current", "page");
  }

  let language = pickLanguage(config.languages, config.defaultLanguage, location.search, readSavedLanguage());
  const shell = {
    kiosk,
    ctx: makeContext(language),
    /** The logged-in user, or null. */
    me: currentUser(),
  };

  /**
   * @param {string} next
   * @param {boolean} [notify]
   */
  function applyLanguage(next, notify = true) {
    language = next;
    try {
      localStorage.setItem(LANGUAGE_KEY, next);
    } catch {
      // Private mode or a locked-down kiosk: the choice just is not remembered.
    }
    shell.ctx = makeContext(next);
    const { t } = shell.ctx;
    document.documentElement.lang = next;
    document.title = t(options.titleKey);
    for (const node of document.querySelectorAll("[data-i18n]")) {
      if (node instanceof HTMLElement) node.textContent = t(node.dataset.i18n ?? "");
    }
    for (const node of document.querySelectorAll("[data-i18n-aria]")) {
      if (node instanceof HTMLElement) node.setAttribute("aria-label", t(node.dataset.i18nAria ?? ""));
    }
    for (const button of document.querySelectorAll("[data-lang]")) {
      if (button instanceof HTMLElement)
        button.setAttribute("aria-pressed", String(button.dataset.lang === next));
    }
    renderUser();
    if (notify) options.onLanguage?.(shell.ctx);
  }

  let user = /** @type {import("./api.js").Me | null | undefined} */ (undefined);
  function renderUser() {
    const name = document.getElementById("user-name");
    const text = document.getElementById("user-text");
    const logout = document.getElementById("logout");
    const login = document.getElementById("login-link");
    if (!name || !text || !logout || !(login instanceof HTMLAnchorElement) || user === undefined) return;
    const { t } = shell.ctx;
    name.hidden = user === null;
    logout.hidden = user === null;
    login.hidden = user !== null || options.page === "login";
    login.href = loginUrl();
    if (user) {
      const who = user.displayName || user.userId;
      text.textContent = `${t("user.loggedInAs", { name: who })} (${t(`role.${user.role}`)})`;
    }
    // The menu only hides what a role cannot use; the API is what refuses.
    for (const item of document.querySelectorAll("[data-roles]")) {
      if (item instanceof HTMLElement) {
        item.hidden = !user || !(item.dataset.roles ?? "").split(" ").includes(user.role);
      }
    }
  }

  for (const button of document.querySelectorAll("[data-lang]")) {
    if (button instanceof HTMLElement)
      button.addEventListener("click", () => applyLanguage(button.dataset.lang ?? language));
  }
  document.getElementById("logout")?.addEventListener("click", async () => {
    await sendJson("/api/logout", {});
    location.assign("/login");
  });
  shell.me.then((me) => {
    user = me;
    renderUser();
  });
  // The page renders itself after this returns; later toggles call onLanguage.
  applyLanguage(language, false);
  return shell;
}

function readSavedLanguage() {
  try {
    return localStorage.getItem(LANGUAGE_KEY);
  } catch {
    return null;
  }
}
