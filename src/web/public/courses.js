// `/courses`: the courses an instructor teaches (an admin: all), each a
// link; `/courses/<id>`: that course as a matrix, trainees × goals, each
// cell P/F/K as icon + letter (the word for screen readers), a trainee's
// name opening their evidence (/trainees/<id>). Data: GET /api/courses,
// /api/courses/:id, /api/courses/:id/matrix, /api/catalogue.

import { getJson, loginUrl } from "./api.js";
import { createDateFormatter, goalTitle, MARKS, markParts } from "./evidence-format.js";
import { markBadge } from "./goal-list.js";
import { icon } from "./machine-card.js";
import { config, startShell } from "./shell.js";

const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
const heading = byId("courses-heading");
const dates = byId("course-dates");
const status = byId("courses-status");
const errorBox = byId("courses-error");
const listPanel = byId("courses-panel");
const listBody = byId("courses-body");
const matrixPanel = byId("matrix-panel");
const caption = byId("matrix-caption");
const head = byId("matrix-head");
const body = byId("matrix-body");
const legend = byId("mark-legend");
const summaryLink = /** @type {HTMLAnchorElement} */ (byId("summary-link"));

const courseId = location.pathname.split("/")[2]
  ? decodeURIComponent(location.pathname.split("/")[2] ?? "")
  : null;

/**
 * @typedef {{ id: string, name: string, startDate: string, endDate: string }} Course
 * @typedef {{ goals: { id: string, code?: string | null, title: Record<string, string> }[],
 *   trainees: { id: string, name: string, statuses: Record<string, string> }[] }} Matrix
 */
const state = {
  /** @type {Course[]} */
  courses: [],
  /** @type {Course | null} */
  course: null,
  /** @type {Matrix | null} */
  matrix: null,
  /** @type {[string, Record<string, string | number>] | null} */
  problem: null,
  loaded: false,
};

const shell = startShell({
  page: "courses",
  titleKey: courseId ? "course.pageTitle" : "courses.pageTitle",
  onLanguage: render,
});

/** @template {keyof HTMLElementTagNameMap} K @param {K} tag @param {string} [className] @param {(Node | string)[]} children */
function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

/** A course's dates, "04.01.2027 – 29.01.2027", from its ISO dates (noon UTC: the same day in any zone). */
function courseDates(/** @type {Course} */ course) {
  const date = createDateFormatter(shell.ctx.language, config.timeZone);
  const at = (/** @type {string} */ iso) => date(Date.parse(`${iso}T12:00:00Z`));
  return [at(course.startDate), at(course.endDate)];
}

function render() {
  const { t } = shell.ctx;
  status.hidden = state.loaded || state.problem !== null;
  errorBox.hidden = state.problem === null;
  if (state.problem) errorBox.textContent = t(...state.problem);
  listPanel.hidden = courseId !== null || !state.loaded;
  matrixPanel.hidden = courseId === null || !state.loaded;
  summaryLink.hidden = courseId === null || !state.loaded;
  if (courseId === null) renderList();
  else renderMatrix();
}

function renderList() {
  const { t } = shell.ctx;
  heading.textContent = t("courses.heading");
  if (state.courses.length === 0 && state.loaded) {
    const cell = el("td", "muted", t("courses.empty"));
    cell.colSpan = 3;
    listBody.replaceChildren(el("tr", "", cell));
    return;
  }
  listBody.replaceChildren(
    ...state.courses.map((course) => {
      const link = el("a", "", course.name);
      link.href = `/courses/${encodeURIComponent(course.id)}`;
      const name = el("th", "", link);
      name.scope = "row";
      const [start, end] = courseDates(course);
      return el("tr", "", name, el("td", "", start ?? ""), el("td", "", end ?? ""));
    }),
  );
}

function renderMatrix() {
  const { t, language } = shell.ctx;
  const course = state.course;
  heading.textContent = course?.name ?? t("courses.heading");
  dates.textContent = course ? courseDates(course).join(" – ") : "";
  summaryLink.href = `/api/courses/${encodeURIComponent(courseId ?? "")}/summary.csv`;
  const matrix = state.matrix;
  if (!matrix) return;
  caption.textContent = t("course.caption", { name: course?.name ?? "" });

  const corner = el("th", "", t("course.trainee"));
  corner.scope = "col";
  const goalHeads = matrix.goals.map((g) => {
    const cell = el("th", "goal-col");
    cell.scope = "col";
    if (g.code) cell.append(el("span", "goal-col-code", g.code));
    cell.append(el("span", "goal-col-title", goalTitle(g, language, g.id)));
    return cell;
  });
  head.replaceChildren(corner, ...goalHeads);

  if (matrix.trainees.length === 0) {
    const cell = el("td", "muted", t("course.noTrainees"));
    cell.colSpan = matrix.goals.length + 1;
    body.replaceChildren(el("tr", "", cell));
  } else {
    body.replaceChildren(
      ...matrix.trainees.map((trainee) => {
        const link = el("a", "", trainee.name);
        link.href = `/trainees/${encodeURIComponent(trainee.id)}`;
        const name = el("th", "", link);
        name.scope = "row";
        const cells = matrix.goals.map((g) => {
          const parts = markParts(trainee.statuses[g.id] ?? "none");
          const cell = el(
            "td",
            "mark-cell",
            icon(parts.icon, "icon mark-icon"),
            el("span", "mark-letter", parts.letter),
            el("span", "visually-hidden", t(parts.key)),
          );
          cell.dataset.mark = parts.mark;
          return cell;
        });
        return el("tr", "", name, ...cells);
      }),
    );
  }
  legend.replaceChildren(...MARKS.map((m) => el("li", "", markBadge(m, t))));
}

async function start() {
  const me = await shell.me;
  if (me === null) {
    location.replace(loginUrl());
    return;
  }
  if (courseId === null) {
    const courses = await getJson("/api/courses");
    if (!courses.ok) state.problem = ["courses.failed", { status: courses.status }];
    else {
      state.courses = courses.body.courses;
      state.loaded = true;
    }
    render();
    return;
  }
  const [course, matrix] = await Promise.all([
    getJson(`/api/courses/${encodeURIComponent(courseId)}`),
    getJson(`/api/courses/${encodeURIComponent(courseId)}/matrix`),
  ]);
  if (matrix.status === 403 || course.status === 403) state.problem = ["course.forbidden", {}];
  else if (matrix.status === 404 || course.status === 404)
    state.problem = ["course.notFound", { id: courseId }];
  else if (!matrix.ok) state.problem = ["courses.failed", { status: matrix.status }];
  else {
    state.course = course.ok ? course.body.course : null;
    state.matrix = matrix.body;
    state.loaded = true;
  }
  render();
}

start();
