import { DEFAULT_LANGUAGE, DICTIONARY, LANGUAGES, type MessageKey, translate } from "./i18n.ts";
import { makeAsset, readPublicFile, type StaticAsset } from "./static-assets.ts";

/** What the browser needs to know that is not in the event stream. Embedded in every page as JSON. */
export type LivePageConfig = {
  timeZone: string;
  /** Local times ("HH:MM", site zone) at which a shift starts: the machine page's "current shift". */
  shiftStarts: readonly string[];
  /** Whether GET /api/machines/:id/history can seed the sparklines. */
  history: boolean;
  sparklineWindowMs: number;
  defaultLanguage: typeof DEFAULT_LANGUAGE;
  languages: readonly string[];
  i18n: typeof DICTIONARY;
};

/** Without `web.shiftStarts`: the school's day, morning and afternoon classes and an evening course. */
export const DEFAULT_SHIFT_STARTS: readonly string[] = ["07:00", "15:00", "22:00"];

export function livePageConfig(options: {
  timeZone: string;
  history: boolean;
  shiftStarts?: readonly string[];
}): LivePageConfig {
  return {
    timeZone: options.timeZone,
    // Any order: the page takes the latest start at or before now (shift.js).
    shiftStarts: options.shiftStarts ?? DEFAULT_SHIFT_STARTS,
    history: options.history,
    sparklineWindowMs: 10 * 60_000,
    defaultLanguage: DEFAULT_LANGUAGE,
    languages: LANGUAGES,
    i18n: DICTIONARY,
  };
}

const INCLUDE = /<!--include:([\w-]+\.html)-->/g;

/** The live wall (`GET /`). */
export function renderLivePage(config: LivePageConfig): StaticAsset {
  return renderPage("live.html", config);
}

/**
 * Render a page shell from public/<file>, after replacing each
 * `<!--include:name.html-->` with public/partials/name.html (the shared menu
 * bar and icons): `{{t:key}}` becomes the text in
 * the default language (so the first paint is already readable before any
 * script runs) and the `<!--maskinport-config-->` comment a JSON data block
 * with the config. (The template stays valid HTML, so the linter can read
 * it.) The result is fixed for the life of the app, so it is rendered once.
 */
export function renderPage(file: string, config: LivePageConfig): StaticAsset {
  const html = withPartials(readPublicFile(file).toString("utf8"))
    .replace('<html lang="nb">', `<html lang="${config.defaultLanguage}">`)
    .replace(/\{\{t:([\w.]+)\}\}/g, (_, key: string) => {
      if (!(key in DICTIONARY.nb)) throw new Error(`${file} uses unknown i18n key "${key}"`);
      return escapeHtml(translate(config.defaultLanguage, key as MessageKey));
    })
    .replace(
      "<!--maskinport-config-->",
      () => `<script type="application/json" id="maskinport-config">${jsonForScript(config)}</script>`,
    );
  return makeAsset(Buffer.from(html, "utf8"), "text/html; charset=utf-8");
}

/** `<!--include:x.html-->` replaced by public/partials/x.html (the icon sprite, the shared menu bar). */
export function withPartials(template: string): string {
  return template.replace(INCLUDE, (_, partial: string) =>
    readPublicFile(`partials/${partial}`).toString("utf8"),
  );
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON that cannot end its <script> element early or be read as markup. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
