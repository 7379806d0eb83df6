// The machine page's tables for the chosen window (last hour or current
// shift): cycles, alarms with their durations, program transfers. Read from
// GET /api/machines/<id>/events (the history store); newest first. Who ran a
// cycle comes resolved for this viewer (`who`, src/web/README.md "Who ran a
// cycle"): "you" for the trainee themself, the name for instructors and
// admins, nothing for anyone else. The page never sees a pseudonym.

import { getJson } from "./api.js";
import { formatDuration } from "./format.js";
import { el, setText } from "./machine-card.js";
import { byId } from "./shell.js";

/** @import { PageContext } from "./shell.js" */
/** @typedef {{ you: boolean, trainee: { id: string, name: string } | null }} CycleWho */
/** @typedef {{ startedAt: number, endedAt: number, durationMs: number, program: string | null, partsMade: number, outcome: string, who?: CycleWho | null }} CycleRow */
/** @typedef {{ raisedAt: number, clearedAt: number | null, durationMs: number | null, code: string, severity: string | null, text: string }} AlarmRow */
/** @typedef {{ endedAt: number, direction: string, file: string, bytes: number, durationMs: number, result: string, error: string | null }} TransferRow */
/** @typedef {PageContext & { now: number }} TableContext */

/**
 * One table: its API type, the element ids in machine.html, its columns and
 * how a row reads. `cells` gives each column's text.
 * @template Row
 * @typedef {{
 *   type: string,
 *   id: string,
 *   emptyKey: string,
 *   columns: string[],
 *   cells(row: Row, ctx: TableContext): string[],
 * }} TableSpec
 */

/** @type {TableSpec<CycleRow>} */
const CYCLES = {
  type: "cycle.end",
  id: "cycles",
  emptyKey: "machine.noCycles",
  columns: [
    "machine.col.ended",
    "machine.col.program",
    "machine.col.trainee",
    "machine.col.duration",
    "machine.col.outcome",
    "machine.col.parts",
  ],
  cells: (c, ctx) => [
    ctx.time.since(c.endedAt, ctx.now),
    c.program ?? "–",
    whoRan(c.who, ctx),
    formatDuration(c.durationMs, ctx.t),
    ctx.label("outcome", c.outcome),
    ctx.number(c.partsMade),
  ],
};

/**
 * The trainee cell: "you", a name (only instructors and admins get one), or empty.
 * @param {CycleWho | null | undefined} who
 * @param {TableContext} ctx
 */
function whoRan(who, ctx) {
  if (!who) return "";
  if (who.you) return ctx.t("who.you");
  return who.trainee?.name ?? "";
}

/** @type {TableSpec<AlarmRow>} */
const ALARMS = {
  type: "alarm",
  id: "alarm-history",
  emptyKey: "machine.noAlarmHistory",
  columns: [
    "machine.col.raised",
    "machine.col.cleared",
    "machine.col.duration",
    "machine.col.code",
    "machine.col.text",
  ],
  cells: (a, ctx) => [
    ctx.time.since(a.raisedAt, ctx.now),
    a.clearedAt === null ? ctx.t("machine.stillActive") : ctx.time.since(a.clearedAt, ctx.now),
    // Still active: how long so far, ticking with the page.
    formatDuration(a.durationMs ?? ctx.now - a.raisedAt, ctx.t),
    a.code,
    a.severity ? `${ctx.t(`severity.${a.severity}`)}: ${a.text}` : a.text,
  ],
};

/** @type {TableSpec<TransferRow>} */
const TRANSFERS = {
  type: "program.transfer",
  id: "transfers",
  emptyKey: "machine.noTransfers",
  columns: [
    "machine.col.ended",
    "machine.col.file",
    "machine.col.direction",
    "machine.col.bytes",
    "machine.col.result",
  ],
  cells: (x, ctx) => [
    ctx.time.since(x.endedAt, ctx.now),
    x.file,
    ctx.label("direction", x.direction),
    ctx.number(x.bytes),
    x.error ? `${ctx.label("result", x.result)}: ${x.error}` : ctx.label("result", x.result),
  ],
};

/**
 * @template Row
 * @typedef {{ spec: TableSpec<Row>, rows: Row[] | null | undefined }} TableState
 *   rows: undefined while loading, null when the gateway cannot answer
 */

/** @param {string} machineId */
export function createMachineTables(machineId) {
  /** @type {[TableState<CycleRow>, TableState<AlarmRow>, TableState<TransferRow>]} */
  const tables = [
    { spec: CYCLES, rows: undefined },
    { spec: ALARMS, rows: undefined },
    { spec: TRANSFERS, rows: undefined },
  ];
  let generation = 0;

  /**
   * Ask for all three tables for [from, to); a later call wins over an earlier one still on the way.
   * @param {number} from
   * @param {number} to
   */
  async function load(from, to) {
    const mine = ++generation;
    const query = (/** @type {string} */ type) =>
      new URLSearchParams({ type, from: String(Math.floor(from)), to: String(Math.ceil(to)) });
    const id = encodeURIComponent(machineId);
    const answers = await Promise.all(
      tables.map((table) => getJson(`/api/machines/${id}/events?${query(table.spec.type)}`)),
    );
    if (mine !== generation) return;
    answers.forEach((answer, i) => {
      const table = tables[i];
      // Newest first: the API answers oldest first.
      if (table)
        table.rows =
          answer.ok && Array.isArray(answer.body?.events) ? [...answer.body.events].reverse() : null;
    });
  }

  /** @param {TableContext} ctx */
  function render(ctx) {
    for (const table of tables) renderTable(/** @type {TableState<unknown>} */ (table), ctx);
  }

  return { load, render };
}

/**
 * @param {TableState<unknown>} table
 * @param {TableContext} ctx
 */
function renderTable(table, ctx) {
  const { spec, rows } = table;
  const status = byId(`${spec.id}-status`);
  const wrap = byId(`${spec.id}-table`);
  const message =
    rows === undefined
      ? ctx.t("machine.loading")
      : rows === null
        ? ctx.t("machine.tableUnavailable")
        : rows.length === 0
          ? ctx.t(spec.emptyKey)
          : "";
  setText(status, message);
  status.hidden = message === "";
  wrap.hidden = !rows || rows.length === 0;
  if (!rows || rows.length === 0) return;
  const body = rows.map((row) => spec.cells(row, ctx));
  // Rebuilt only when a cell's text changed (an active alarm's duration ticks), never per frame.
  const signature = JSON.stringify([ctx.language, body]);
  if (wrap.dataset.signature === signature) return;
  wrap.dataset.signature = signature;
  const head = el("tr", "", ...spec.columns.map((key) => headerCell(ctx.t(key))));
  const lines = body.map((cells) => el("tr", "", ...cells.map((text) => el("td", "", text))));
  const caption = el("caption", "visually-hidden", byId(`${spec.id}-title`).textContent ?? "");
  wrap.replaceChildren(el("table", "data", caption, el("thead", "", head), el("tbody", "", ...lines)));
}

/** @param {string} text */
function headerCell(text) {
  const th = el("th", "", text);
  th.scope = "col";
  return th;
}
