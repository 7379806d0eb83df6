// Translator for the page and the server. The dictionary comes from
// src/web/i18n.ts, embedded in the page by the server, and the server's
// translate() is this same function: one source of strings and one of how a
// `{name}` is filled in. It must stay valid in a browser and in Node (no DOM here).

/** @typedef {(key: string, values?: Record<string, string | number>) => string} Translate */

/**
 * BCP 47 locale used for numbers, dates and times per page language.
 * @type {Record<string, string>}
 */
export const LOCALES = { nb: "nb-NO", en: "en-GB" };

/**
 * @param {Record<string, Record<string, string>>} dictionary language → key → template
 * @param {string} language
 * @param {string} [fallback]
 * @returns {Translate}
 */
export function createTranslator(dictionary, language, fallback = "nb") {
  const primary = dictionary[language] ?? {};
  const secondary = dictionary[fallback] ?? {};
  return function t(key, values = {}) {
    const template = primary[key] ?? secondary[key] ?? key;
    return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  };
}

/**
 * Language from ?lang=, then the saved choice, then the site default.
 * @param {readonly string[]} languages
 * @param {string} defaultLanguage
 * @param {string} search location.search
 * @param {string | null} saved
 * @returns {string}
 */
export function pickLanguage(languages, defaultLanguage, search, saved) {
  const fromUrl = new URLSearchParams(search).get("lang");
  if (fromUrl !== null && languages.includes(fromUrl)) return fromUrl;
  if (saved !== null && languages.includes(saved)) return saved;
  return defaultLanguage;
}
