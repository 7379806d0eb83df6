import type { Lang } from "./model.ts";

/** HTML text and attribute escaping: every value from data goes through this. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * One CSV cell (RFC 4180 quoting). A cell that a spreadsheet would run as a
 * formula (=, +, -, @, tab, CR) gets a leading apostrophe: names come from
 * people and reports are opened in Excel at the training office.
 */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return "";
  let s = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\n\r;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: readonly (string | number | undefined)[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** A date in the site's time zone, as the school writes it (11.01.2027 / 11/01/2027). */
export function formatDate(ts: number | undefined, lang: Lang, timeZone: string): string {
  if (ts === undefined) return "";
  const key = `${lang}|${timeZone}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === "nb" ? "nb-NO" : "en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    dateFormats.set(key, f);
  }
  return f.format(ts);
}

/** ISO 8601 date (yyyy-mm-dd) in the site's time zone, for machine-readable outputs. */
export function isoDate(ts: number | undefined, timeZone: string): string {
  if (ts === undefined) return "";
  return formatDate(ts, "en", timeZone).split("/").reverse().join("-");
}
