// The evidence pages' pure helpers (no DOM, tested in Node): P/F/K as a
// letter, an icon and a word; a goal's title in the page's language; what
// the evidence behind a goal adds up to; dates in the site's time zone.

import { LOCALES } from "./i18n.js";

/** @typedef {"none" | "P" | "F" | "K"} Mark */
/** @typedef {{ id: number, type: string, ts: number, machine: string | null, summary: string }} EvidenceItem */
/**
 * @typedef {{ goalId: string, status: Mark, proposedF: boolean, dates: { P?: number, F?: number, K?: number },
 *   signedBy?: string, comment?: string, evidence: EvidenceItem[] }} GoalProgress
 */
/**
 * @typedef {{ id: string, code?: string | null, title: Record<string, string>, assessment?: string,
 *   catalogue?: string, serves?: string[], link?: string }} CatalogueGoal
 */

/** Marks in the order of the training book. */
export const MARKS = /** @type {const} */ (["none", "P", "F", "K"]);

const MARK_ICONS = { none: "i-mark-none", P: "i-mark-p", F: "i-mark-f", K: "i-mark-k" };

/** @param {string} mark */
export function markOf(mark) {
  return /** @type {Mark} */ (MARKS.includes(/** @type {Mark} */ (mark)) ? mark : "none");
}

/**
 * The letter shown in a cell ("–" for not begun), its icon id in the sprite, and its dictionary key.
 * @param {string} mark
 */
export function markParts(mark) {
  const m = markOf(mark);
  return { mark: m, letter: m === "none" ? "–" : m, icon: MARK_ICONS[m], key: `mark.${m}` };
}

/**
 * A goal's title in the page's language, else Norwegian, else its id.
 * @param {CatalogueGoal | undefined} goal @param {string} language @param {string} fallbackId
 */
export function goalTitle(goal, language, fallbackId) {
  return goal?.title?.[language] || goal?.title?.nb || fallbackId;
}

/**
 * How many goals have each mark: { n, P, F, K } (a K goal is not counted as F too).
 * @param {{ status: string }[]} goals
 */
export function markCounts(goals) {
  const counts = { n: goals.length, none: 0, P: 0, F: 0, K: 0 };
  for (const g of goals) counts[markOf(g.status)] += 1;
  return counts;
}

/**
 * The evidence of one goal summed up per type, most first: [{ type, count }].
 * @param {EvidenceItem[]} evidence
 */
export function countByType(evidence) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const e of evidence) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  return [...counts]
    .map(([type, count]) => ({ type, count }))
    .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
}

/** Newest first, as a training office reads a record. @param {EvidenceItem[]} evidence */
export function newestFirst(evidence) {
  return [...evidence].sort((a, b) => b.ts - a.ts || b.id - a.id);
}

/**
 * "15.01.2025" (nb) / "15/01/2025" (en) in the site's zone, not the browser's.
 * @param {string} language @param {string} timeZone
 */
export function createDateFormatter(language, timeZone) {
  const format = new Intl.DateTimeFormat(LOCALES[language] ?? language, {
    timeZone,
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
  });
  /** @param {number | undefined | null} ts */
  return (ts) => (typeof ts === "number" && Number.isFinite(ts) ? format.format(ts) : "–");
}

/**
 * Which actions a viewer has on a goal. The API decides; this only decides
 * what to offer: a trainee confirms a proposed F on their own goals; an
 * instructor sets F before it is there and signs off (K) once F is.
 * @param {GoalProgress} goal @param {{ role: string, own: boolean }} viewer
 */
export function goalActions(goal, viewer) {
  const status = markOf(goal.status);
  const before = status === "none" || status === "P";
  if (viewer.role === "trainee")
    return { confirmF: viewer.own && goal.proposedF && before, setF: false, sign: false };
  if (viewer.role === "instructor") return { confirmF: false, setF: before, sign: status === "F" };
  return { confirmF: false, setF: false, sign: false };
}
