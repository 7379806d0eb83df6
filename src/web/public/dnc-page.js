// @ts-check
// The program upload page: pick a machine with a DNC line, pick a file or
// paste a program, see its problems by line before anything is sent, send,
// follow the transfer (bytes, lines, rate, paused by the machine), cancel,
// and see one's own transfers and programs. Every text comes from the
// server's dictionary; every element is built with text, never innerHTML.

import { ApiError, createApi } from "./dnc-api.js";
import { byId } from "./dnc-dom.js";
import { codeHeadline, lineRange, lineText, problemPlace, safeFileName } from "./dnc-format.js";
import { createRecords } from "./dnc-records.js";
import { createTransferPanel } from "./dnc-transfer.js";
import { createNumberFormatter, createTimeFormatter } from "./format.js";
import { startShell } from "./shell.js";

/**
 * @typedef {{ id: string, name: string, kind: string, profile: string, profileName: string,
 *   transport: string, memoryBytes: number, busy: boolean, mayStart: boolean }} Machine
 * @typedef {{ line: number, column?: number, severity: "error" | "warning", code: string, message: string }} Problem
 */

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

// The shared shell: menu bar with the user and logout, the language toggle (remembered), page title.
const shell = startShell({
  page: "dnc",
  titleKey: "dnc.page.title",
  onLanguage: (ctx) => applyLanguage(ctx),
});
let t = shell.ctx.t;
let number = createNumberFormatter(shell.ctx.language);
let time = createTimeFormatter(shell.ctx.language, config.timeZone);

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
/** @type {ReturnType<typeof setTimeout> | undefined} */
let validateTimer;
let validating = 0;

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
  const running = transferPanel.running();
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
    transferPanel.start(started);
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

async function afterTransfer() {
  await Promise.all([loadMachines(), records.load()]).catch(() => {});
  renderSendButton();
}

/** @returns {import("./dnc-dom.js").PageView} */
function pageView() {
  return { t, number, time, machineName: (id) => machines.find((m) => m.id === id)?.name ?? id };
}

const transferPanel = createTransferPanel({
  api,
  view: pageView,
  errorText,
  onChange: renderSendButton,
  onEnd: () => void afterTransfer(),
});
const records = createRecords(api, pageView, (program, version) => void loadVersion(program.name, version));

/**
 * A version from the library back into the editor, checked against the chosen machine, ready to send again.
 * @param {string} name
 * @param {{ hash: string, createdAt: number }} version
 */
async function loadVersion(name, version) {
  try {
    const { version: loaded } = await api.version(name, version.hash);
    fileNameInput.value = loaded.name;
    programInput.value = loaded.program;
    fileInput.value = "";
    byId("library-status").textContent = t("dnc.library.loaded", {
      time: time.since(version.createdAt, Date.now()),
      name,
    });
    programInput.focus();
    programInput.setSelectionRange(0, 0);
    programInput.scrollIntoView({ block: "center" });
    await validateNow();
  } catch (err) {
    summaryKey = undefined;
    summary.textContent = errorText(err);
    summary.className = "status bad";
  }
}

// ---- language ------------------------------------------------------------------------------

/**
 * The shell has switched the language (and the `data-i18n` texts, the title and the menu):
 * re-render what this page writes itself.
 * @param {import("./shell.js").PageContext} ctx
 */
function applyLanguage(ctx) {
  t = ctx.t;
  number = createNumberFormatter(ctx.language);
  time = createTimeFormatter(ctx.language, config.timeZone);
  renderMachines(machineSelect.value);
  if (summaryKey !== undefined) summary.textContent = t(summaryKey, summaryValues);
  if (validation !== undefined) renderProblems(validation.problems);
  transferPanel.render();
  if (me !== undefined) records.render();
}

// ---- start -------------------------------------------------------------------------------

async function start() {
  try {
    me = await api.me();
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      byId("login-needed").hidden = false;
      return;
    }
    throw err;
  }
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
  byId("history-refresh").addEventListener("click", () => void records.loadHistory());
  await Promise.all([loadMachines(), records.load()]);
}

start().catch(() => {
  summary.textContent = t("dnc.http.offline");
  summary.className = "status bad";
});
