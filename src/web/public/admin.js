// /admin: machines and their connections (GET /api/machines, /healthz) for
// instructors and admins; users and courses with forms to create them, and
// the effective config (secrets masked) with the latest check-config result
// and a "check again" button, for admins. The API refuses what a role may
// not do; this page only hides it.

import { getJson, loginUrl, sendJson } from "./api.js";
import { createDateFormatter } from "./evidence-format.js";
import { icon } from "./machine-card.js";
import { config, startShell } from "./shell.js";

const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/**
 * @typedef {{ ok: boolean, detail?: string }} Check
 * @typedef {{ status: string, checks: Record<string, Check> }} Health
 * @typedef {{ id: string, name: string, kind: string, snapshot: { state: string } | null }} Machine
 * @typedef {{ line: number | null, path: string, message: string }} Problem
 * @typedef {{ file: string, ok: boolean, checkedAt: number, problems: Problem[] }} ConfigCheck
 * @typedef {{ file: string | null, loadedAt: number, canCheck: boolean, check: ConfigCheck | null, config: unknown }} ConfigView
 */
const state = {
  role: "",
  /** @type {Machine[]} */
  machines: [],
  /** @type {Health | null} */
  health: null,
  /** @type {{ id: string, username: string, displayName: string, role: string, disabled: boolean }[]} */
  users: [],
  /** @type {{ id: string, name: string, startDate: string, endDate: string }[]} */
  courses: [],
  /** @type {ConfigView | null} */
  config: null,
  /** @type {Record<string, [string, Record<string, string | number>, string] | null>} what each form or list last said */
  said: { users: null, courses: null, user: null, course: null, config: null },
  checking: false,
};

const shell = startShell({ page: "admin", titleKey: "admin.pageTitle", onLanguage: render });

/** @template {keyof HTMLElementTagNameMap} K @param {K} tag @param {string} [className] @param {(Node | string)[]} children */
function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

function rowHeader(/** @type {Node | string} */ content) {
  const cell = el("th", "", content);
  cell.scope = "row";
  return cell;
}

/** Connected or not, as an icon and a word. @param {boolean | undefined} ok */
function connection(ok) {
  const { t } = shell.ctx;
  if (ok === undefined) return el("span", "conn-flag", t("admin.noCheck"));
  const flag = el(
    "span",
    `conn-flag ${ok ? "conn-ok" : "conn-bad"}`,
    icon(ok ? "i-check" : "i-offline", "icon"),
    t(ok ? "admin.connected" : "admin.disconnected"),
  );
  return flag;
}

/** The health check of a machine's own adapter (`shdr:<id>`, `opcua:<id>`); agents shared by machines have none. */
function machineCheck(/** @type {string} */ id) {
  const checks = state.health?.checks ?? {};
  const key = Object.keys(checks).find((k) => k.endsWith(`:${id}`));
  return key === undefined ? undefined : checks[key];
}

function show(
  /** @type {string} */ id,
  /** @type {[string, Record<string, string | number>, string] | null} */ said,
) {
  const node = byId(id);
  node.hidden = said === null;
  if (said) {
    node.textContent = shell.ctx.t(said[0], said[1]);
    node.className = `message message-${said[2]}`;
  }
}

function render() {
  const { t, stateLabel, kindLabel, language } = shell.ctx;
  const admin = state.role === "admin";
  const date = createDateFormatter(language, config.timeZone);
  byId("instructor-note").hidden = state.role !== "instructor";
  for (const id of ["users-panel", "courses-panel", "config-panel"]) byId(id).hidden = !admin;

  const health = state.health;
  const healthBox = byId("health");
  healthBox.textContent = health
    ? t("admin.health", {
        status: t(
          health.status === "ok"
            ? "admin.healthOk"
            : health.status === "down"
              ? "admin.healthDown"
              : "admin.healthDegraded",
        ),
      })
    : "";
  healthBox.dataset.status = health?.status ?? "";

  byId("machines-body").replaceChildren(
    ...state.machines.map((m) => {
      const check = machineCheck(m.id);
      const ok = check?.ok ?? (m.snapshot ? m.snapshot.state !== "offline" : undefined);
      const row = el(
        "tr",
        "",
        rowHeader(m.id),
        el("td", "", m.name),
        el("td", "", kindLabel(m.kind)),
        el("td", "", stateLabel(m.snapshot?.state ?? "unknown")),
        el("td", "", connection(ok)),
      );
      row.dataset.machine = m.id;
      return row;
    }),
  );
  byId("parts-body").replaceChildren(
    ...Object.entries(health?.checks ?? {}).map(([part, check]) =>
      el("tr", "", rowHeader(part), el("td", "", connection(check.ok)), el("td", "", check.detail ?? "")),
    ),
  );
  if (!admin) return;

  show("users-error", state.said.users);
  byId("users-body").replaceChildren(
    ...state.users.map((u) =>
      el(
        "tr",
        "",
        rowHeader(u.username),
        el("td", "", u.displayName),
        el("td", "", t(`role.${u.role}`)),
        el("td", "", t(u.disabled ? "admin.disabled" : "admin.active")),
      ),
    ),
  );
  show("user-answer", state.said.user);

  show("admin-courses-error", state.said.courses);
  byId("admin-courses-body").replaceChildren(
    ...state.courses.map((c) => {
      const link = el("a", "", c.name);
      link.href = `/courses/${encodeURIComponent(c.id)}`;
      const at = (/** @type {string} */ iso) => date(Date.parse(`${iso}T12:00:00Z`));
      return el("tr", "", rowHeader(link), el("td", "", at(c.startDate)), el("td", "", at(c.endDate)));
    }),
  );
  show("course-answer", state.said.course);
  renderConfig();
}

function renderConfig() {
  const { t, time } = shell.ctx;
  const view = state.config;
  show("config-error", state.said.config);
  byId("config-facts").hidden = view === null;
  const checkAgain = /** @type {HTMLButtonElement} */ (byId("check-again"));
  checkAgain.hidden = !view?.canCheck;
  checkAgain.disabled = state.checking;
  checkAgain.textContent = t(state.checking ? "admin.checking" : "admin.checkAgain");
  if (view === null) {
    byId("problems-wrap").hidden = true;
    byId("config-text").textContent = "";
    return;
  }
  const now = Date.now();
  byId("config-file").textContent = view.file ?? "–";
  byId("config-loaded").textContent = time.since(view.loadedAt, now);
  const check = view.check;
  const checkText = byId("config-check");
  checkText.replaceChildren();
  if (check) {
    const when = time.since(check.checkedAt, now);
    checkText.append(
      icon(check.ok ? "i-check" : "i-alarm", "icon"),
      check.ok
        ? t("admin.checkOk", { time: when })
        : t("admin.checkBad", { n: check.problems.length, time: when }),
    );
    checkText.dataset.ok = String(check.ok);
  }
  const problems = check?.problems ?? [];
  byId("problems-wrap").hidden = problems.length === 0;
  byId("problems-caption").textContent = t("admin.problemsCaption", { file: check?.file ?? "" });
  byId("problems-body").replaceChildren(
    ...problems.map((p) =>
      el(
        "tr",
        "",
        rowHeader(p.line === null ? "–" : String(p.line)),
        el("td", "", el("code", "", p.path)),
        el("td", "", p.message),
      ),
    ),
  );
  byId("config-text").textContent = JSON.stringify(view.config, null, 2);
}

/** @param {import("./api.js").ApiAnswer} answer */
const failure = (answer) =>
  answer.body?.issues?.[0]
    ? `${answer.body.issues[0].field}: ${answer.body.issues[0].message}`
    : (answer.body?.message ?? String(answer.status));

async function loadMachines() {
  const [machines, health] = await Promise.all([getJson("/api/machines"), getJson("/healthz")]);
  if (machines.ok) state.machines = machines.body.machines;
  // /healthz answers 503 with the same body when the gateway is down.
  if (health.body?.checks) state.health = health.body;
  render();
}

async function loadUsers() {
  const answer = await getJson("/api/users");
  state.said.users = answer.ok ? null : ["admin.listFailed", { status: answer.status }, "error"];
  if (answer.ok) state.users = answer.body.users;
}

async function loadCourses() {
  const answer = await getJson("/api/courses");
  state.said.courses = answer.ok ? null : ["admin.listFailed", { status: answer.status }, "error"];
  if (answer.ok) state.courses = answer.body.courses;
}

async function loadConfig() {
  const answer = await getJson("/api/admin/config");
  if (answer.ok) state.config = answer.body;
  else if (answer.status === 501) state.said.config = ["admin.noConfig", {}, "info"];
  else state.said.config = ["admin.listFailed", { status: answer.status }, "error"];
}

/** The form's named fields as strings, leaving out the empty optional ones. @param {HTMLFormElement} form */
function fieldsOf(form) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [name, value] of new FormData(form)) {
    if (typeof value === "string" && value.trim() !== "") out[name] = value.trim();
  }
  return out;
}

byId("user-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const fields = fieldsOf(form);
  const answer = await sendJson("/api/users", fields);
  if (answer.ok) {
    const password = answer.body.generatedPassword;
    state.said.user = password
      ? ["admin.generatedPassword", { password }, "ok"]
      : ["admin.userCreated", { username: answer.body.user.username }, "ok"];
    form.reset();
    await loadUsers();
  } else {
    state.said.user = ["admin.saveFailed", { message: failure(answer) }, "error"];
  }
  render();
});

byId("course-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const answer = await sendJson("/api/courses", fieldsOf(form));
  if (answer.ok) {
    state.said.course = ["admin.courseCreated", { name: answer.body.course.name }, "ok"];
    form.reset();
    await loadCourses();
  } else {
    state.said.course = ["admin.saveFailed", { message: failure(answer) }, "error"];
  }
  render();
});

byId("check-again").addEventListener("click", async () => {
  state.checking = true;
  render();
  const answer = await sendJson("/api/admin/config/check", {});
  state.checking = false;
  if (answer.ok && state.config) state.config = { ...state.config, check: answer.body.check };
  else if (!answer.ok) state.said.config = ["admin.saveFailed", { message: failure(answer) }, "error"];
  render();
  byId("config-check").focus();
});

async function start() {
  const me = await shell.me;
  if (me === null) {
    location.replace(loginUrl());
    return;
  }
  state.role = me.role;
  await loadMachines();
  if (me.role === "admin") {
    await Promise.all([loadUsers(), loadCourses(), loadConfig()]);
    render();
  }
  setInterval(loadMachines, 5000);
}

start();
