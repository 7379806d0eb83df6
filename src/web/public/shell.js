// What every page shares: the embedded config, the language (nb/en toggle,
// remembered), the menu bar with the logged-in user and logout, kiosk mode
// (?kiosk=1: no menu, larger type, for the wall screen). Each page's module
// calls startShell() once and re-renders itself when the language changes.

import { currentUser, loginUrl, sendJson } from "./api.js";
import { createNumberFormatter, createTimeFormatter } from "./format.js";
import { createTranslator, pickLanguage } from "./i18n.js";

const LANGUAGE_KEY = "maskinport.language";

export const config = JSON.parse(document.getElementById("maskinport-config")?.textContent ?? "{}");

/** The translator and formatters of one language. */
export function makeContext(language) {
  const t = createTranslator(config.i18n, language, config.defaultLanguage);
  /** A label for a server id (kind, state, event type); the id itself if the dictionary has none. */
  const label = (prefix, id) => {
    const text = t(`${prefix}.${id}`);
    return text === `${prefix}.${id}` ? String(id) : text;
  };
  return {
    language,
    t,
    number: createNumberFormatter(language),
    time: createTimeFormatter(language, config.timeZone),
    kindLabel: (kind) => label("kind", kind),
    stateLabel: (state) => label("state", state),
    eventLabel: (type) => label("event", type),
  };
}

/**
 * @param {{ page: string, titleKey: string, onLanguage?: (ctx: ReturnType<typeof makeContext>) => void }} options
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
      button.addEventListener("click", () => applyLanguage(button.dataset.lang));
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
