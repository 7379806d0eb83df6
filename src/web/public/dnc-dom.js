// @ts-check
// Small DOM helpers shared by the upload page's modules.

/**
 * The element with this id; a missing one is a bug in dnc.html, said plainly.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`dnc.html has no #${id}`);
  return element;
}

/**
 * What the page's modules need to write text in the current language.
 * @typedef {{
 *   t: import("./i18n.js").Translate,
 *   number: (value: unknown) => string,
 *   time: { clock(ts: number): string, since(ts: number, now: number): string },
 *   machineName: (id: string) => string,
 * }} PageView
 */
