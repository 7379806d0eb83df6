// @ts-check
// The program upload page: pick a machine with a DNC line, pick a file or
// paste a program, see its problems by line before anything is sent, send,
// follow the transfer (bytes, lines, rate, paused by the machine), cancel,
// and see one's own transfers and programs. Every text comes from the
// server's dictionary; every element is built with text, never innerHTML.

import { ApiError, createApi } from "./dnc-api.js";
import {
  codeHeadline,
  lineRange,
  lineText,
  problemPlace,
  progressTexts,
  safeFileName,
} from "./dnc-format.js";
import { createNumberFormatter, createTimeFormatter } from "./format.js";
import { createTranslator, pickLanguage } from "./i18n.js";

/**
 * @typedef {{ id: string, name: string, kind: string, profile: string, profileName: string,
 *   transport: string, memoryBytes: number, busy: boolean, mayStart: boolean }} Machine
 * @typedef {{ line: number, column?: number, severity: "error" | "warning", code: string, message: string }} Problem
 * @typedef {{ id: string, machine: string, fileName: string, mode: string, state: string, bytesSent: number,
 *   bytesTotal: number, linesSent: number, linesTotal: number, rate: number, pausedByMachine: boolean,
 *   error?: string, errorCode?: string, resumeFromLine?: number, startedAt: number, endedAt?: number }} TransferView
 */

const LANGUAGE_KEY = "maskinport.language";
const ENDED = new Set(["done", "failed", "cancelled"]);
const config = JSON.parse(byId("maskinport-config").textContent ?? "{}");
const api = createApi();

const form = /** @type {HTMLFormElement} */ (byId("upload"));
const machineSelect = /** @type {HTMLSelectElement} */ (byId("machine"));
const machineStatus = byId("machine-status");
const fileInput = /** @type {HTMLInputElement} */ (byId("file"));
const fileNameInput = /** @type {HTMLInputElement} */ (byId("file-name"));
const programInput = /** @type {HTMLTextAreaElement} */ (byId("program"));
const modeFieldset = byId("mode");
const validateButton = /** @type {HTMLButtonElement} */ (byId("validate"));
const sendButton = /** @type {HTMLButtonElement} */ (byId("send"));
const summary = byId("validation-summary");
const problemsSection = byId("problems");
const problemList = byId("problem-list");
const transferSection = byId("transfer");
const transferState = byId("transfer-state");
const transferBar = /** @type {HTMLProgressElement} */ (byId("transfer-bar"));
const transferLabel = byId("transfer-label");
const transferText = byId("transfer-text");
const transferPaused = byId("transfer-paused");
const transferError = byId("transfer-error");
const cancelButton = /** @type {HTMLButtonElement} */ (byId("cancel"));

let language = pickLanguage(config.languages, config.defaultLanguage, location.search, readSavedLanguage());
let t = createTranslator(config.i18n, language, config.defaultLanguage);
let number = createNumberFormatter(language);
let time = createTimeFormatter(language, config.timeZone);

/** @type {{ userId: string, role: string } | undefined} */
let me;
/** @type {Machine[]} */
let machines = [];
/** The last validation: for which machine, mode and text, and its answer. */
/** @type {{ key: string, ok: boolean, errors: number, warnings: number, problems: Problem[], lines: number, bytes: number } | undefined} */
let validation;
/** @type {string | undefined} what the validation summary says, kept to re-render on a language change */
let summaryKey;
/** @type {Record<string, string | number>} */
let summaryValues = {};
/** @type {TransferView | undefined} */
let transfer;
/** @type {EventSource | undefined} */
let stream;
/** @type {ReturnType<typeof setTimeout> | undefined} */
let validateTimer;
let validating = 0;

/** @param {string} id */
function byId(id) {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`dnc.html has no #${id}`);
  return element;
}

function readSavedLanguage() {
  try {
    return localStorage.getItem(LANGUAGE_KEY);
  } catch {
    return null;
  }
}

/** @param {string} kind */
function kindLabel(kind) {
  const label = t(`kind.${kind}`);
  return label === `kind.${kind}` ? kind : label;
}

/** @param {number} bytes */
function sizeText(bytes) {
  if (bytes >= 1024 * 1024) return `${number(Math.round(bytes / 104857.6) / 10)} MiB`;
  if (bytes >= 1024) return `${number(Math.round(bytes / 102.4) / 10)} KiB`;
  return `${number(bytes)} B`;
}

/** @param {unknown} err */
function errorText(err) {
  if (!(err instanceof ApiError)) return t("dnc.http.failed", { status: "?" });
  if (err.code === "bad_body") {
    const issues = /** @type {{ field: string, message: string }[]} */ (err.body.issues ?? []);
    return t("dnc.http.bad_body", { details: issues.map((i) => `${i.field}: ${i.message}`).join("; ") });
  }
  const known = codeHeadline("dnc.http", err.code, t);
  return known ?? t("dnc.http.failed", { status: err.status });
}

function selectedMachine() {
  return machines.find((m) => m.id === machineSelect.value);
}

function mode() {
  const checked = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name="mode"]:checked'));
  return checked?.value === "drip" ? "drip" : "send";
}

function validationKey() {
  return `${machineSelect.value}\u0000${mode()}\u0000${programInput.value}`;
}

// ---- machines ------------------------------------------------------------------------------

async function loadMachines() {
  const chosen = machineSelect.value;
  machines = (await api.machines()).machines;
  renderMachines(chosen);
}

/** @param {string} chosen */
function renderMachines(chosen) {
  machineSelect.replaceChildren();
  const placeholder = new Option(t("dnc.machine.choose"), "");
  machineSelect.append(placeholder);
  for (const m of machines) {
    const option = new Option(
      t("dnc.machine.option", { name: m.name, kind: kindLabel(m.kind), profile: m.profileName }),
      m.id,
    );
    machineSelect.append(option);
  }
  if (machines.length === 1) machineSelect.value = machines[0]?.id ?? "";
  else if (machines.some((m) => m.id === chosen)) machineSelect.value = chosen;
  renderMachineStatus();
}

function renderMachineStatus() {
  const m = selectedMachine();
  machineStatus.className = "status";
  if (machines.length === 0) machineStatus.textContent = t("dnc.machine.none");
  else if (m === undefined) machineStatus.textContent = "";
  else if (!m.mayStart) {
    machineStatus.textContent = t("dnc.machine.notCheckedIn");
    machineStatus.classList.add("warn");
  } else if (m.busy) {
    machineStatus.textContent = t("dnc.machine.busy");
    machineStatus.classList.add("warn");
  } else
    machineStatus.textContent = t("dnc.machine.ready", {
      profile: m.profileName,
      memory: sizeText(m.memoryBytes),
    });
  renderSendButton();
}

// ---- validation ----------------------------------------------------------------------------

function scheduleValidation() {
  if (validateTimer) clearTimeout(validateTimer);
  validateTimer = setTimeout(() => void validateNow(), 400);
}

async function validateNow() {
  if (validateTimer) clearTimeout(validateTimer);
  const m = selectedMachine();
  if (m === undefined) return setSummary("dnc.validate.needMachine");
  if (programInput.value.length > config.maxProgramBytes) {
    return setSummary("dnc.program.tooLarge", { max: sizeText(config.maxProgramBytes) }, "bad");
  }
  const key = validationKey();
  const ticket = ++validating;
  setSummary("dnc.validate.checking");
  try {
    const answer = await api.validate({
      machine: m.id,
      fileName: fileNameInput.value || "program.nc",
      program: programInput.value,
      mode: mode(),
    });
    if (ticket !== validating) return; // a newer check is on its way
    validation = { key, ...answer };
    renderValidation();
  } catch (err) {
    if (ticket !== validating) return;
    validation = undefined;
    summaryKey = undefined;
    summary.textContent = errorText(err);
    summary.className = "status bad";
    renderProblems([]);
    renderSendButton();
  }
}

/**
 * @param {string} key
 * @param {Record<string, string | number>} [values]
 * @param {string} [tone]
 */
function setSummary(key, values = {}, tone = "") {
  summaryKey = key;
  summaryValues = values;
  summary.textContent = t(key, values);
  summary.className = `status ${tone}`.trim();
  renderSendButton();
}

function renderValidation() {
  if (validation === undefined) return;
  const m = selectedMachine();
  if (validation.ok) {
    setSummary(
      validation.warnings > 0 ? "dnc.validate.okWarnings" : "dnc.validate.ok",
      { profile: m?.profileName ?? "", lines: number(validation.lines), bytes: sizeText(validation.bytes) },
      "good",
    );
  } else setSummary("dnc.validate.failed", { errors: number(validation.errors) }, "bad");
  renderProblems(validation.problems);
}

/** @param {Problem[]} problems */
function renderProblems(problems) {
  problemsSection.hidden = problems.length === 0;
  problemList.replaceChildren(
    ...problems.map((p) => {
      const item = document.createElement("li");
      item.className = `problem ${p.severity}`;
      item.dataset.line = String(p.line);
      const go = document.createElement("button");
      go.type = "button";
      go.className = "problem-place";
      go.textContent = problemPlace(p, t);
      go.title = t("dnc.problem.goTo", { line: p.line });
      go.addEventListener("click", () => goToLine(p.line));
      const severity = document.createElement("span");
      severity.className = "severity";
      severity.textContent = t(`dnc.severity.${p.severity}`);
      const headline = document.createElement("strong");
      headline.textContent = codeHeadline("dnc.problem", p.code, t) ?? "";
      const detail = document.createElement("span");
      detail.className = "detail";
      detail.lang = "en";
      detail.textContent = p.message;
      const code = document.createElement("code");
      code.textContent = lineText(programInput.value, p.line);
      item.append(go, " ", severity, " ", headline, " ", code, detail);
      return item;
    }),
  );
}

/** @param {number} line */
function goToLine(line) {
  const { start, end } = lineRange(programInput.value, line);
  programInput.focus();
  programInput.setSelectionRange(start, end);
  // Scroll the line into view: the textarea has no API for it, so estimate from the line height.
  const lineHeight = Number.parseFloat(getComputedStyle(programInput).lineHeight) || 20;
  programInput.scrollTop = Math.max(0, (line - 3) * lineHeight);
}

function renderSendButton() {
  const m = selectedMachine();
  const running = transfer !== undefined && !ENDED.has(transfer.state);
  const fresh = validation !== undefined && validation.key === validationKey() && validation.ok;
  sendButton.disabled = !(m?.mayStart && !m.busy && fresh && !running);
}

// ---- transfer ------------------------------------------------------------------------------

/** @param {SubmitEvent} event */
async function onSubmit(event) {
  event.preventDefault();
  const m = selectedMachine();
  if (m === undefined || sendButton.disabled) return;
  sendButton.disabled = true;
  try {
    const { transfer: started } = await api.start({
      machine: m.id,
      fileName: fileNameInput.value,
      program: programInput.value,
      mode: mode(),
    });
    showTransfer({
      ...started,
      bytesSent: 0,
      bytesTotal: started.bytes,
      linesSent: 0,
      linesTotal: started.lines,
      rate: 0,
      pausedByMachine: false,
      startedAt: Date.now(),
    });
    follow(started.id);
  } catch (err) {
    if (err instanceof ApiError && err.code === "invalid_program") {
      validation = { key: validationKey(), .../** @type {any} */ (err.body) };
      renderValidation();
    } else {
      summaryKey = undefined;
      summary.textContent = errorText(err);
      summary.className = "status bad";
    }
    await loadMachines().catch(() => {});
    renderSendButton();
  }
}

/** @param {string} id */
function follow(id) {
  stream?.close();
  const source = new EventSource(api.eventsUrl(id));
  stream = source;
  source.addEventListener("progress", (event) =>
    showTransfer(JSON.parse(/** @type {MessageEvent} */ (event).data)),
  );
  source.addEventListener("end", () => {
    source.close();
    if (stream === source) stream = undefined;
    void afterTransfer();
  });
  source.addEventListener("error", () => {
    // The stream broke before its end (gateway restart, network): ask once more by plain GET.
    if (source.readyState !== EventSource.CLOSED) return;
    if (stream === source) stream = undefined;
    api
      .transfer(id)
      .then(({ transfer: view }) => {
        showTransfer(view);
        if (!ENDED.has(view.state)) follow(id);
        else void afterTransfer();
      })
      .catch(() => {});
  });
}

/** @param {TransferView} view */
function showTransfer(view) {
  transfer = view;
  renderTransfer();
  renderSendButton();
}

function renderTransfer() {
  if (transfer === undefined) return;
  transferSection.hidden = false;
  const texts = progressTexts(transfer, t, number);
  transferBar.max = texts.max;
  transferBar.value = texts.value;
  transferLabel.textContent = t("dnc.progress.label", { file: transfer.fileName });
  transferText.textContent = texts.summary;
  const ended = ENDED.has(transfer.state);
  const m = machines.find((x) => x.id === transfer?.machine);
  transferState.textContent =
    transfer.state === "done"
      ? `${texts.state}: ${t("dnc.progress.done", { file: transfer.fileName, machine: m?.name ?? transfer.machine })}`
      : texts.state;
  transferSection.dataset.state = transfer.state;
  transferPaused.hidden = !transfer.pausedByMachine;
  const failed = transfer.state === "failed" || transfer.state === "cancelled";
  transferError.hidden = !failed || transfer.error === undefined;
  if (failed && transfer.error !== undefined) {
    const headline = codeHeadline("dnc.error", transfer.errorCode, t);
    const resume =
      transfer.resumeFromLine !== undefined
        ? ` ${t("dnc.progress.resume", { line: transfer.resumeFromLine })}`
        : "";
    transferError.textContent = `${headline ? `${headline}. ` : ""}${transfer.error}${resume}`;
  }
  cancelButton.hidden = ended;
}

async function onCancel() {
  if (transfer === undefined || ENDED.has(transfer.state)) return;
  cancelButton.disabled = true;
  try {
    const { transfer: view } = await api.cancel(transfer.id);
    showTransfer(view);
  } catch (err) {
    transferError.hidden = false;
    transferError.textContent = errorText(err);
  } finally {
    cancelButton.disabled = false;
  }
}

async function afterTransfer() {
  await Promise.all([loadMachines(), loadHistory(), loadLibrary()]).catch(() => {});
  renderSendButton();
}

// ---- history and library ------------------------------------------------------------------

/** @type {any[]} */
let historyRows = [];
/** @type {any[]} */
let libraryPrograms = [];

async function loadHistory() {
  const answer = await api.history();
  historyRows = [
    ...answer.running.map((/** @type {TransferView} */ r) => ({
      startedAt: r.startedAt,
      machine: r.machine,
      fileName: r.fileName,
      direction: r.mode,
      resultText: t(`dnc.state.${r.state}`),
      result: r.state,
      bytes: r.bytesTotal,
    })),
    ...answer.transfers.map((/** @type {any} */ r) => ({ ...r, resultText: t(`dnc.result.${r.result}`) })),
  ];
  renderHistory();
}

function renderHistory() {
  byId("history").hidden = false;
  const table = byId("history-table");
  byId("history-empty").hidden = historyRows.length > 0;
  table.hidden = historyRows.length === 0;
  const now = Date.now();
  byId("history-rows").replaceChildren(
    ...historyRows.map((row) => {
      const tr = document.createElement("tr");
      const name = machines.find((m) => m.id === row.machine)?.name ?? row.machine;
      const cells = [
        time.since(row.startedAt, now),
        name,
        row.fileName ?? "",
        t(`dnc.direction.${row.direction}`),
        row.result === "ok" || row.result === "done" ? t("dnc.result.ok") : (row.resultText ?? row.result),
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

async function loadLibrary() {
  libraryPrograms = (await api.library()).programs;
  renderLibrary();
}

function renderLibrary() {
  byId("library").hidden = false;
  byId("library-empty").hidden = libraryPrograms.length > 0;
  const now = Date.now();
  byId("library-list").replaceChildren(
    ...libraryPrograms.map((p) => {
      const li = document.createElement("li");
      const name = document.createElement("strong");
      name.textContent = p.name;
      const latest = p.versions[0];
      const info = document.createElement("span");
      info.textContent = ` – ${t("dnc.library.versions", { n: number(p.versions.length), time: latest ? time.since(latest.createdAt, now) : "" })}`;
      li.append(name, info);
      return li;
    }),
  );
}

// ---- language ------------------------------------------------------------------------------

/** @param {string} next */
function applyLanguage(next) {
  if (!config.languages.includes(next)) return;
  language = next;
  try {
    localStorage.setItem(LANGUAGE_KEY, next);
  } catch {
    // private mode: the choice lasts for this page only
  }
  t = createTranslator(config.i18n, language, config.defaultLanguage);
  number = createNumberFormatter(language);
  time = createTimeFormatter(language, config.timeZone);
  document.documentElement.lang = next;
  document.title = t("dnc.page.title");
  for (const element of document.querySelectorAll("[data-i18n]")) {
    element.textContent = t(/** @type {HTMLElement} */ (element).dataset.i18n ?? "");
  }
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.setAttribute("aria-pressed", String(/** @type {HTMLElement} */ (button).dataset.lang === next));
  }
  renderWho();
  renderMachines(machineSelect.value);
  if (summaryKey !== undefined) summary.textContent = t(summaryKey, summaryValues);
  if (validation !== undefined) renderProblems(validation.problems);
  renderTransfer();
  if (me !== undefined) {
    renderHistory();
    renderLibrary();
  }
}

function renderWho() {
  byId("who").textContent = me ? t(`dnc.user.role.${me.role}`) : "";
}

// ---- start -------------------------------------------------------------------------------

async function start() {
  for (const button of document.querySelectorAll("[data-lang]")) {
    button.addEventListener("click", () =>
      applyLanguage(/** @type {HTMLElement} */ (button).dataset.lang ?? ""),
    );
  }
  if (language !== config.defaultLanguage) applyLanguage(language);
  try {
    me = await api.me();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      byId("login-needed").hidden = false;
      return;
    }
    throw err;
  }
  renderWho();
  form.hidden = false;
  modeFieldset.hidden = !(me?.role === "instructor" || me?.role === "admin");
  machineSelect.addEventListener("change", () => {
    renderMachineStatus();
    if (programInput.value !== "") void validateNow();
  });
  fileInput.addEventListener("change", async () => {
    const file = fileInput.files?.[0];
    if (file === undefined) return;
    fileNameInput.value = safeFileName(file.name);
    programInput.value = await file.text();
    void validateNow();
  });
  programInput.addEventListener("input", () => {
    renderSendButton();
    scheduleValidation();
  });
  for (const radio of form.querySelectorAll('input[name="mode"]')) {
    radio.addEventListener("change", () => void validateNow());
  }
  validateButton.addEventListener("click", () => void validateNow());
  form.addEventListener("submit", (event) => void onSubmit(/** @type {SubmitEvent} */ (event)));
  cancelButton.addEventListener("click", () => void onCancel());
  byId("history-refresh").addEventListener("click", () => void loadHistory());
  await Promise.all([loadMachines(), loadHistory(), loadLibrary()]);
}

start().catch(() => {
  summary.textContent = t("dnc.http.offline");
  summary.className = "status bad";
});
