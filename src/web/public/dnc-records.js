// @ts-check
// The upload page's records: the user's own transfers (running and
// audited) and their program library with its versions. Texts are made at
// render time, so a language change re-renders them.

import { byId } from "./dnc-dom.js";

/** @typedef {import("./dnc-dom.js").PageView} PageView */
/**
 * @typedef {{ startedAt: number, machine: string, fileName: string | null, direction: string,
 *   result: string, running: boolean, bytes: number }} HistoryRow
 * @typedef {{ hash: string, bytes: number, lines: number, createdAt: number }} LibraryVersion
 * @typedef {{ name: string, versions: LibraryVersion[] }} LibraryProgram
 */

/**
 * @param {{ history(): Promise<any>, library(): Promise<any> }} api
 * @param {() => PageView} view
 * @param {(program: LibraryProgram, version: LibraryVersion) => void} onLoad "load into the editor" on a version
 */
export function createRecords(api, view, onLoad) {
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
        li.className = "program";
        li.dataset.name = p.name;
        const name = document.createElement("strong");
        name.textContent = p.name;
        const latest = p.versions[0];
        const info = document.createElement("span");
        const when = latest ? time.since(latest.createdAt, now) : "";
        info.textContent = ` – ${t("dnc.library.versions", { n: number(p.versions.length), time: when })}`;
        // Newest first, as the library lists them; each can go back into the editor.
        const versions = document.createElement("ol");
        versions.className = "versions";
        versions.append(
          ...p.versions.map((v) => {
            const item = document.createElement("li");
            item.dataset.hash = v.hash;
            const at = time.since(v.createdAt, now);
            const text = document.createElement("span");
            text.textContent = t("dnc.library.version", {
              time: at,
              lines: number(v.lines),
              bytes: `${number(v.bytes)} B`,
            });
            const load = document.createElement("button");
            load.type = "button";
            load.className = "load-version";
            load.textContent = t("dnc.library.load");
            load.setAttribute("aria-label", t("dnc.library.loadLabel", { time: at, name: p.name }));
            load.addEventListener("click", () => onLoad(p, v));
            item.append(text, " ", load);
            return item;
          }),
        );
        li.append(name, info, versions);
        return li;
      }),
    );
  }

  return {
    load: () => Promise.all([loadHistory(), loadLibrary()]),
    loadHistory,
    loadLibrary,
    /** Re-render in the current language. */
    render() {
      renderHistory();
      renderLibrary();
    },
  };
}
