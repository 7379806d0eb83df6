// @ts-check
// The upload page's records: the user's own transfers (running and
// audited) and their program library with its versions. Texts are made at
// render time, so a language change re-renders them.

import { byId } from "./dnc-dom.js";

/** @typedef {import("./dnc-dom.js").PageView} PageView */
/**
 * @typedef {{ startedAt: number, machine: string, fileName: string | null, direction: string,
 *   result: string, running: boolean, bytes: number }} HistoryRow
 * @typedef {{ name: string, versions: { createdAt: number }[] }} LibraryProgram
 */

/**
 * @param {{ history(): Promise<any>, library(): Promise<any> }} api
 * @param {() => PageView} view
 */
export function createRecords(api, view) {
  /** @type {HistoryRow[]} */
  let rows = [];
  /** @type {LibraryProgram[]} */
  let programs = [];

  async function loadHistory() {
    const answer = await api.history();
    rows = [
      ...answer.running.map((/** @type {any} */ r) => ({
        startedAt: r.startedAt,
        machine: r.machine,
        fileName: r.fileName,
        direction: r.mode,
        result: r.state,
        running: true,
        bytes: r.bytesTotal,
      })),
      ...answer.transfers.map((/** @type {any} */ r) => ({ ...r, running: false })),
    ];
    renderHistory();
  }

  async function loadLibrary() {
    programs = (await api.library()).programs;
    renderLibrary();
  }

  function renderHistory() {
    const { t, number, time, machineName } = view();
    byId("history").hidden = false;
    byId("history-empty").hidden = rows.length > 0;
    byId("history-table").hidden = rows.length === 0;
    const now = Date.now();
    byId("history-rows").replaceChildren(
      ...rows.map((row) => {
        const tr = document.createElement("tr");
        const cells = [
          time.since(row.startedAt, now),
          machineName(row.machine),
          row.fileName ?? "",
          t(`dnc.direction.${row.direction}`),
          row.running ? t(`dnc.state.${row.result}`) : t(`dnc.result.${row.result}`),
          number(row.bytes),
        ];
        cells.forEach((text, i) => {
          const td = document.createElement("td");
          td.textContent = text;
          if (i === 5) td.className = "num";
          if (i === 4) td.dataset.result = row.result;
          tr.append(td);
        });
        return tr;
      }),
    );
  }

  function renderLibrary() {
    const { t, number, time } = view();
    byId("library").hidden = false;
    byId("library-empty").hidden = programs.length > 0;
    const now = Date.now();
    byId("library-list").replaceChildren(
      ...programs.map((p) => {
        const li = document.createElement("li");
        const name = document.createElement("strong");
        name.textContent = p.name;
        const latest = p.versions[0];
        const info = document.createElement("span");
        const when = latest ? time.since(latest.createdAt, now) : "";
        info.textContent = ` – ${t("dnc.library.versions", { n: number(p.versions.length), time: when })}`;
        li.append(name, info);
        return li;
      }),
    );
  }

  return {
    load: () => Promise.all([loadHistory(), loadLibrary()]),
    loadHistory,
    /** Re-render in the current language. */
    render() {
      renderHistory();
      renderLibrary();
    },
  };
}
