// @ts-check
// Pure helpers for the program upload page (no DOM), tested in Node too:
// progress texts, where a problem is, a file name the library accepts, and
// which characters of the text a line number covers.

/** @typedef {import("./i18n.js").Translate} Translate */
/** @typedef {import("./dnc-format.js").ProgressLike} ProgressLike */

/**
 * The progress bar's numbers and sentence parts.
 * @param {ProgressLike} view
 * @param {Translate} t
 * @param {(value: unknown) => string} number
 */
export function progressTexts(view, t, number) {
  const total = Math.max(view.bytesTotal, 1);
  const percent = Math.min(100, Math.floor((view.bytesSent * 100) / total));
  const parts = [
    t("dnc.progress.bytes", { sent: number(view.bytesSent), total: number(view.bytesTotal) }),
    t("dnc.progress.lines", { sent: number(view.linesSent), total: number(view.linesTotal) }),
  ];
  if (view.state === "sending" || view.state === "paused") {
    parts.push(t("dnc.progress.rate", { rate: number(view.rate) }));
  }
  return {
    value: Math.min(view.bytesSent, view.bytesTotal),
    max: Math.max(view.bytesTotal, 1),
    percent,
    summary: `${percent} % · ${parts.join(" · ")}`,
    state: t(`dnc.state.${view.state}`),
  };
}

/**
 * "Linje 6, kolonne 1" / "Line 6".
 * @param {{ line: number, column?: number }} problem
 * @param {Translate} t
 */
export function problemPlace(problem, t) {
  return problem.column === undefined
    ? t("dnc.problem.at", { line: problem.line })
    : t("dnc.problem.atColumn", { line: problem.line, column: problem.column });
}

/**
 * The translated headline for a validation or engine code, or undefined if there is none.
 * @param {string} prefix "dnc.problem" or "dnc.error"
 * @param {string | undefined} code
 * @param {Translate} t
 */
export function codeHeadline(prefix, code, t) {
  if (code === undefined) return undefined;
  const key = `${prefix}.${code}`;
  const text = t(key);
  return text === key ? undefined : text;
}

/**
 * A file name the program library accepts: letters, digits, '.', '-', '_'
 * and spaces, starting with a letter or digit, at most 100 characters
 * ("Ø-ring (v2).NC" → "O-ring _v2_.NC"; Norwegian letters are spelled out
 * the usual way).
 * @param {string} name
 */
export function safeFileName(name) {
  const base = name.split(/[\\/]/).pop() ?? "";
  const spelled = base
    .replace(/[Ææ]/g, (c) => (c === "Æ" ? "AE" : "ae"))
    .replace(/[Øø]/g, (c) => (c === "Ø" ? "O" : "o"))
    .replace(/[Åå]/g, (c) => (c === "Å" ? "AA" : "aa"))
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "");
  const cleaned = spelled
    .replace(/[^A-Za-z0-9_. -]/g, "_")
    .replace(/\.{2,}/g, ".")
    .replace(/^[^A-Za-z0-9]+/, "")
    .slice(0, 100);
  return cleaned === "" ? "program.nc" : cleaned;
}

/**
 * Where 1-based `line` starts and ends in `text` (any end of block), to
 * select it in the editor.
 * @param {string} text
 * @param {number} line
 * @returns {{ start: number, end: number }}
 */
export function lineRange(text, line) {
  let start = 0;
  for (let n = 1; n < line; n++) {
    const next = text.slice(start).search(/\r\n|\r|\n/);
    if (next < 0) return { start: text.length, end: text.length };
    start += next + (text.startsWith("\r\n", start + next) ? 2 : 1);
  }
  const rest = text.slice(start).search(/\r|\n/);
  return { start, end: rest < 0 ? text.length : start + rest };
}

/**
 * The text of 1-based `line`, shortened for showing beside its problem.
 * @param {string} text
 * @param {number} line
 */
export function lineText(text, line) {
  const { start, end } = lineRange(text, line);
  const content = text.slice(start, end);
  return content.length > 80 ? `${content.slice(0, 79)}…` : content;
}
