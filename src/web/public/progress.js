// A trainee's goals with P/F/K and the evidence behind each: `/progress` is
// the trainee's own (they confirm a proposed F), `/trainees/<id>` the same
// view for an instructor, who also signs off (K, with a comment), adds a
// note and prints the report. Data: GET /api/catalogue,
// /api/trainees/:id/progress; writes: POST …/goals/:goal/status, …/notes.
// The API decides who may see and do what; this page only offers.

import { getJson, loginUrl, sendJson } from "./api.js";
import { createDateFormatter, goalTitle, markCounts } from "./evidence-format.js";
import { renderGoals } from "./goal-list.js";
import { config, startShell } from "./shell.js";

const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const heading = byId("progress-heading");
const status = byId("progress-status");
const errorBox = byId("progress-error");
const summary = byId("progress-summary");
const list = byId("goal-list");
const reportLink = /** @type {HTMLAnchorElement} */ (byId("report-link"));
const notePanel = byId("note-panel");
const noteForm = /** @type {HTMLFormElement} */ (byId("note-form"));
const noteText = /** @type {HTMLTextAreaElement} */ (byId("note-text"));
const noteGoal = /** @type {HTMLSelectElement} */ (byId("note-goal"));
const noteAnswer = byId("note-answer");

const path = location.pathname.split("/");
/** The trainee this page is about: from the URL on /trainees/<id>, else the logged-in user. */
const traineeFromUrl = path[1] === "trainees" ? decodeURIComponent(path[2] ?? "") : null;

/** @type {{ traineeId: string | null, trainee: { id: string, name: string } | null, goals: import("./evidence-format.js").GoalProgress[], catalogue: Map<string, import("./evidence-format.js").CatalogueGoal>, machines: Map<string, string>, role: string, problem: [string, Record<string, string | number>] | null, loaded: boolean }} */
const state = {
  traineeId: traineeFromUrl,
  trainee: null,
  goals: [],
  catalogue: new Map(),
  machines: new Map(),
  role: "trainee",
  problem: null,
  loaded: false,
};
/** The note form's last answer, as [key, values, tone]. */
let noteShown = /** @type {[string, Record<string, string | number>, string] | null} */ (null);

const shell = startShell({
  page: traineeFromUrl ? "courses" : "progress",
  titleKey: "progress.pageTitle",
  onLanguage: render,
});

function render() {
  const { t, language } = shell.ctx;
  const own = traineeFromUrl === null;
  heading.textContent =
    own || state.trainee === null
      ? t("progress.heading")
      : t("progress.headingFor", { name: state.trainee.name });
  status.hidden = state.loaded || state.problem !== null;
  errorBox.hidden = state.problem === null;
  if (state.problem) errorBox.textContent = t(...state.problem);
  const ready = state.loaded && state.problem === null;

  summary.hidden = !ready;
  const counts = markCounts(state.goals);
  summary.textContent = t("progress.summary", { n: counts.n, k: counts.K, f: counts.F, p: counts.P });

  reportLink.hidden = !ready || state.role === "trainee";
  if (state.traineeId) {
    reportLink.href = `/api/trainees/${encodeURIComponent(state.traineeId)}/report.html?lang=${language}`;
  }

  notePanel.hidden = !ready || state.role !== "instructor";
  renderNoteGoals();
  noteAnswer.hidden = noteShown === null;
  if (noteShown) {
    noteAnswer.textContent = t(noteShown[0], noteShown[1]);
    noteAnswer.className = `message message-${noteShown[2]}`;
  }

  if (!ready) {
    list.replaceChildren();
    return;
  }
  renderGoals(list, state.goals, {
    t,
    language,
    date: createDateFormatter(language, config.timeZone),
    catalogue: state.catalogue,
    machineName: (id) => state.machines.get(id) ?? id,
    viewer: { role: state.role, own },
    onMark: mark,
    rerender: render,
  });
}

function renderNoteGoals() {
  const { t, language } = shell.ctx;
  const chosen = noteGoal.value;
  const none = document.createElement("option");
  none.value = "";
  none.textContent = t("note.noGoal");
  const options = state.goals.map((g) => {
    const option = document.createElement("option");
    option.value = g.goalId;
    option.textContent = goalTitle(state.catalogue.get(g.goalId), language, g.goalId);
    return option;
  });
  noteGoal.replaceChildren(none, ...options);
  noteGoal.value = chosen;
}

/** @param {import("./api.js").ApiAnswer} answer */
function problemOf(answer) {
  if (answer.status === 403)
    return /** @type {[string, Record<string, string>]} */ (["progress.forbidden", {}]);
  if (
    answer.status === 404 &&
    answer.body?.error === "not_found" &&
    /trainee/.test(answer.body?.message ?? "")
  ) {
    return /** @type {[string, Record<string, string>]} */ ([
      "progress.notFound",
      { id: state.traineeId ?? "" },
    ]);
  }
  if (answer.status === 404)
    return /** @type {[string, Record<string, string>]} */ (["progress.unavailable", {}]);
  return /** @type {[string, Record<string, string | number>]} */ ([
    "progress.failed",
    { status: answer.status },
  ]);
}

async function load() {
  const progress = await getJson(`/api/trainees/${encodeURIComponent(state.traineeId ?? "")}/progress`);
  if (!progress.ok) {
    state.problem = problemOf(progress);
    render();
    return;
  }
  state.trainee = progress.body.trainee;
  state.goals = progress.body.goals;
  state.problem = null;
  state.loaded = true;
  render();
}

async function start() {
  const me = await shell.me;
  if (me === null) {
    location.replace(loginUrl());
    return;
  }
  state.role = me.role;
  if (traineeFromUrl === null) {
    if (me.role !== "trainee") {
      state.problem = ["progress.notTrainee", { role: shell.ctx.t(`role.${me.role}`) }];
      render();
      return;
    }
    state.traineeId = me.userId;
  }
  const [catalogue, machines] = await Promise.all([getJson("/api/catalogue"), getJson("/api/machines")]);
  /** @type {import("./evidence-format.js").CatalogueGoal[]} */
  const goals = catalogue.ok ? catalogue.body.goals : [];
  state.catalogue = new Map(goals.map((g) => [g.id, g]));
  /** @type {{ id: string, name: string }[]} */
  const fleet = machines.ok ? machines.body.machines : [];
  state.machines = new Map(fleet.map((m) => [m.id, m.name]));
  await load();
}

/**
 * Set F or K; reloads the goals so dates, signer and comment come from the ledger.
 * @param {string} goalId @param {"F" | "K"} next @param {string} [comment]
 * @returns {Promise<string | null>} a problem to show, or null when saved
 */
async function mark(goalId, next, comment) {
  const url = `/api/trainees/${encodeURIComponent(state.traineeId ?? "")}/goals/${encodeURIComponent(goalId)}/status`;
  const result = await sendJson(url, comment === undefined ? { status: next } : { status: next, comment });
  if (!result.ok) {
    const problem = result.body?.issues?.[0]?.message ?? result.body?.message ?? String(result.status);
    render();
    return problem;
  }
  await load(); // the goal list then shows the answer and puts the keyboard on it (goal-list.js)
  return null;
}

noteForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = noteText.value.trim();
  if (text === "") {
    noteShown = ["note.required", {}, "error"];
    render();
    noteText.focus();
    return;
  }
  const goals = noteGoal.value ? [noteGoal.value] : undefined;
  const result = await sendJson(`/api/trainees/${encodeURIComponent(state.traineeId ?? "")}/notes`, {
    text,
    ...(goals ? { goals } : {}),
  });
  if (result.ok) {
    noteShown = ["note.saved", {}, "ok"];
    noteText.value = "";
    await load();
  } else {
    const message = result.body?.issues?.[0]?.message ?? result.body?.message ?? String(result.status);
    noteShown = ["goal.saveFailed", { message }, "error"];
    render();
  }
});

start();
