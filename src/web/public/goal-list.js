// One trainee's goals as a list of cards: P/F/K as icon + letter + word (so
// nothing relies on colour), the dates, the sign-off comment, the evidence
// behind the goal in a table, and the actions the viewer has (confirm F,
// set F, sign off with a comment). Rebuilt from data on every change; an
// open sign-off form keeps its text and focus across rebuilds (a language
// switch must not eat a half-written comment).

import { countByType, goalActions, goalTitle, markParts, newestFirst } from "./evidence-format.js";
import { icon } from "./machine-card.js";

/**
 * @typedef {import("./evidence-format.js").GoalProgress} GoalProgress
 * @typedef {import("./evidence-format.js").CatalogueGoal} CatalogueGoal
 * @typedef {{
 *   t: (key: string, values?: Record<string, string | number>) => string,
 *   language: string,
 *   date: (ts: number | undefined | null) => string,
 *   catalogue: Map<string, CatalogueGoal>,
 *   machineName: (id: string) => string,
 *   viewer: { role: string, own: boolean },
 *   onMark: (goalId: string, status: "F" | "K", comment?: string) => Promise<string | null>,
 *   rerender: () => void,
 * }} GoalListContext
 */

/** What survives a rebuild: which evidence lists are open, and the open sign-off form. */
const ui = {
  /** @type {Set<string>} */
  openEvidence: new Set(),
  /** @type {{ goalId: string, text: string, focused: boolean } | null} */
  signing: null,
  /** @type {Map<string, { text: string, tone: string }>} the last answer per goal */
  answers: new Map(),
  /** @type {string | null} the goal whose answer takes the keyboard at the next rebuild */
  focusAnswer: null,
};

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {string} [className] @param {(Node | string)[]} children
 * @returns {HTMLElementTagNameMap[K]}
 */
function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

/** The mark as a badge: icon, letter and word. @param {string} mark @param {GoalListContext["t"]} t */
export function markBadge(mark, t) {
  const parts = markParts(mark);
  const badge = el(
    "span",
    "mark-badge",
    icon(parts.icon, "icon mark-icon"),
    el("span", "mark-letter", parts.letter),
    el("span", "mark-word", t(parts.key)),
  );
  badge.dataset.mark = parts.mark;
  return badge;
}

/** @param {HTMLElement} list @param {GoalProgress[]} goals @param {GoalListContext} ctx */
export function renderGoals(list, goals, ctx) {
  const active = document.activeElement;
  const refocus =
    active instanceof HTMLElement && list.contains(active) ? active.dataset.focusKey : undefined;
  list.replaceChildren(...goals.map((goal) => goalItem(goal, ctx)));
  const answered = ui.focusAnswer;
  ui.focusAnswer = null;
  // A saved mark: the pressed button is gone, so the keyboard goes to the answer that says so.
  const answer = answered && list.querySelector(`[data-goal="${CSS.escape(answered)}"] .goal-answer`);
  if (answer instanceof HTMLElement && !answer.hidden) {
    answer.tabIndex = -1;
    answer.focus();
  } else if (refocus) {
    const again = list.querySelector(`[data-focus-key="${CSS.escape(refocus)}"]`);
    if (again instanceof HTMLElement) again.focus();
  }
}

/** @param {GoalProgress} goal @param {GoalListContext} ctx */
function goalItem(goal, ctx) {
  const { t } = ctx;
  const info = ctx.catalogue.get(goal.goalId);
  const title = goalTitle(info, ctx.language, goal.goalId);
  const titleId = `goal-${goal.goalId}-title`;

  const meta = [];
  if (info?.code) meta.push(t("goal.code", { code: info.code }));
  if (info?.assessment === "instructor") meta.push(t("goal.instructorAssessed"));
  const head = el("header", "goal-head", markBadge(goal.status, t), el("h2", "goal-title", title));
  head.querySelector("h2")?.setAttribute("id", titleId);
  if (meta.length > 0) head.append(el("span", "muted goal-meta", meta.join(" · ")));

  const article = el("article", "goal-card", head);
  article.setAttribute("aria-labelledby", titleId);

  const dates = [];
  if (goal.dates.P !== undefined) dates.push(t("goal.begunAt", { date: ctx.date(goal.dates.P) }));
  if (goal.dates.F !== undefined) dates.push(t("goal.finishedAt", { date: ctx.date(goal.dates.F) }));
  if (goal.dates.K !== undefined) {
    dates.push(
      goal.signedBy
        ? t("goal.signedBy", { date: ctx.date(goal.dates.K), name: goal.signedBy })
        : t("goal.signedAt", { date: ctx.date(goal.dates.K) }),
    );
  }
  if (dates.length > 0) article.append(el("p", "goal-dates", dates.join(" · ")));
  if (goal.proposedF && (goal.status === "none" || goal.status === "P")) {
    article.append(el("p", "goal-proposed", icon("i-mark-f", "icon"), t("goal.proposed")));
  }
  if (goal.comment) article.append(el("p", "goal-comment", t("goal.comment", { text: goal.comment })));
  article.append(evidenceDetails(goal, title, ctx));

  const actions = actionsOf(goal, title, ctx);
  if (actions) article.append(actions);

  const item = el("li", "goal", article);
  item.dataset.goal = goal.goalId;
  item.dataset.mark = markParts(goal.status).mark;
  return item;
}

/** @param {GoalProgress} goal @param {string} title @param {GoalListContext} ctx */
function evidenceDetails(goal, title, ctx) {
  const { t } = ctx;
  const details = el(
    "details",
    "goal-evidence",
    el("summary", "", t("goal.evidence", { n: goal.evidence.length })),
  );
  details.open = ui.openEvidence.has(goal.goalId);
  details.addEventListener("toggle", () => {
    if (details.open) ui.openEvidence.add(goal.goalId);
    else ui.openEvidence.delete(goal.goalId);
  });
  if (goal.evidence.length === 0) {
    details.append(el("p", "muted", t("goal.noEvidence")));
    return details;
  }
  const counts = countByType(goal.evidence)
    .map(({ type, count }) => `${count} × ${typeLabel(type, t)}`)
    .join(" · ");
  details.append(el("p", "goal-counts", `${t("goal.counts")}: ${counts}`));
  const th = (/** @type {string} */ key) => {
    const cell = el("th", "", t(key));
    cell.scope = "col";
    return cell;
  };
  const rows = newestFirst(goal.evidence).map((e) => {
    const when = el("th", "", ctx.date(e.ts));
    when.scope = "row";
    return el(
      "tr",
      "",
      when,
      el("td", "", typeLabel(e.type, t)),
      el("td", "", e.machine ? ctx.machineName(e.machine) : "–"),
      el("td", "", e.summary),
    );
  });
  const table = el(
    "table",
    "data evidence-table",
    el("caption", "visually-hidden", t("goal.evidenceCaption", { goal: title })),
    el("thead", "", el("tr", "", th("ev.date"), th("ev.type"), th("ev.machine"), th("ev.details"))),
    el("tbody", "", ...rows),
  );
  details.append(el("div", "table-wrap", table));
  return details;
}

/** @param {string} type @param {GoalListContext["t"]} t */
function typeLabel(type, t) {
  const text = t(`evtype.${type}`);
  return text === `evtype.${type}` ? type : text;
}

/** @param {GoalProgress} goal @param {string} title @param {GoalListContext} ctx */
function actionsOf(goal, title, ctx) {
  const { t } = ctx;
  const can = goalActions(goal, ctx.viewer);
  const answer = el("p", "message goal-answer");
  answer.setAttribute("role", "status");
  const last = ui.answers.get(goal.goalId);
  answer.hidden = last === undefined;
  if (last) {
    answer.textContent = last.text;
    answer.classList.add(`message-${last.tone}`);
  }
  const buttons = el("div", "actions");
  const box = el("div", "goal-actions", buttons, answer);

  /** @param {"F" | "K"} status @param {string} [comment] */
  const mark = async (status, comment) => {
    const problem = await ctx.onMark(goal.goalId, status, comment);
    ui.answers.set(
      goal.goalId,
      problem === null
        ? { text: t("goal.saved", { mark: `${status} – ${t(`mark.${status}`)}` }), tone: "ok" }
        : { text: t("goal.saveFailed", { message: problem }), tone: "error" },
    );
    if (problem === null) {
      if (ui.signing?.goalId === goal.goalId) ui.signing = null; // signed: the form closes
      ui.focusAnswer = goal.goalId;
      ctx.rerender(); // shows the answer (the list was rebuilt from the ledger before it was known)
    }
    return problem;
  };

  const button = (/** @type {string} */ text, /** @type {string} */ key, /** @type {string} */ label) => {
    const b = el("button", "button", text);
    b.type = "button";
    b.dataset.focusKey = `${goal.goalId}:${key}`;
    b.setAttribute("aria-label", label);
    buttons.append(b);
    return b;
  };

  if (can.confirmF) {
    const b = button(t("goal.confirmF"), "confirm", t("goal.confirmFLabel", { goal: title }));
    b.classList.add("button-primary");
    b.addEventListener("click", async () => {
      b.disabled = true;
      await mark("F");
    });
  }
  if (can.setF) {
    const b = button(t("goal.setF"), "setF", `${t("goal.setF")}: ${title}`);
    b.addEventListener("click", async () => {
      b.disabled = true;
      await mark("F");
    });
  }
  if (can.sign) {
    const open = ui.signing?.goalId === goal.goalId;
    const b = button(t("goal.sign"), "sign", t("goal.signLabel", { goal: title }));
    b.classList.add("button-primary");
    b.hidden = open;
    const form = signForm(goal, t, async (comment) => {
      const problem = await mark("K", comment);
      if (problem === null) ui.signing = null;
      return problem;
    });
    form.hidden = !open;
    b.addEventListener("click", () => {
      ui.signing = { goalId: goal.goalId, text: "", focused: true };
      b.hidden = true;
      form.hidden = false;
      form.querySelector("textarea")?.focus();
    });
    box.insertBefore(form, answer);
  }
  return buttons.childElementCount > 0 || !answer.hidden ? box : null;
}

/**
 * The sign-off form: a comment is required (the API says so too; the form
 * says it first, in the page's language).
 * @param {GoalProgress} goal @param {GoalListContext["t"]} t
 * @param {(comment: string) => Promise<string | null>} submit
 */
function signForm(goal, t, submit) {
  const id = `sign-${goal.goalId}`;
  const label = el("label", "", t("goal.signComment"));
  label.htmlFor = id;
  const text = el("textarea");
  text.id = id;
  text.rows = 3;
  text.maxLength = 2000;
  text.required = true;
  text.dataset.focusKey = `${goal.goalId}:comment`;
  if (ui.signing?.goalId === goal.goalId) text.value = ui.signing.text;
  text.addEventListener("input", () => {
    if (ui.signing?.goalId === goal.goalId) ui.signing.text = text.value;
  });
  const error = el("p", "message message-error");
  error.setAttribute("role", "alert");
  error.hidden = true;
  const save = el("button", "button button-primary", t("goal.signSave"));
  save.type = "submit";
  save.dataset.focusKey = `${goal.goalId}:save`;
  const cancel = el("button", "button", t("form.cancel"));
  cancel.type = "button";
  const form = el(
    "form",
    "sign-form",
    el("div", "field", label, text),
    error,
    el("div", "actions", save, cancel),
  );
  form.noValidate = true;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (text.value.trim() === "") {
      error.textContent = t("goal.commentRequired");
      error.hidden = false;
      text.setAttribute("aria-invalid", "true");
      text.focus();
      return;
    }
    save.disabled = true;
    const problem = await submit(text.value.trim());
    save.disabled = false;
    if (problem !== null) {
      error.textContent = t("goal.saveFailed", { message: problem });
      error.hidden = false;
      text.focus();
    }
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      cancel.click();
    }
  });
  cancel.addEventListener("click", () => {
    ui.signing = null;
    form.hidden = true;
    const opener = form.parentElement?.querySelector(
      `[data-focus-key="${CSS.escape(`${goal.goalId}:sign`)}"]`,
    );
    if (opener instanceof HTMLElement) {
      opener.hidden = false;
      opener.focus();
    }
  });
  return form;
}
