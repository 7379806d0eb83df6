// One alarm on the alarms page: built once, updated in place (the age ticks
// every second, and an open acknowledgement form must keep its text and focus).

import { formatDuration } from "./format.js";
import { el, icon, setText } from "./machine-card.js";

/** @import { PageContext } from "./shell.js" */

/**
 * @typedef {{ id: string, machine: string, code: string, severity: "fault" | "warning", text: string,
 *   since: number, clearedAt: number | null }} AlarmEntry
 * @typedef {{ machine: string, code: string, note: string, at: number, by: { id: string, name: string } | null }} AlarmAck
 */

/** @typedef {ReturnType<typeof createAlarmItem>} AlarmItem */

/**
 * @param {AlarmEntry} alarm
 * @param {{ onAck(alarm: AlarmEntry, note: string): Promise<string | null> }} actions
 */
export function createAlarmItem(alarm, actions) {
  const severity = el("span", "alarm-severity");
  const machine = el("a", "alarm-machine");
  machine.href = `/machines/${encodeURIComponent(alarm.machine)}`;
  const code = el("span", "alarm-code", alarm.code);
  const text = el("span", "alarm-text");
  const raised = el("span", "alarm-raised");
  const status = el("span", "alarm-status");
  const ack = el("p", "alarm-ack");
  ack.hidden = true;

  const ackButton = el("button", "button");
  ackButton.type = "button";
  ackButton.hidden = true;
  const note = el("textarea", "");
  note.id = `note-${alarm.id}`;
  note.rows = 2;
  note.maxLength = 500;
  note.required = true;
  const noteLabel = el("label", "");
  noteLabel.htmlFor = note.id;
  const save = el("button", "button button-primary");
  save.type = "submit";
  const cancel = el("button", "button");
  cancel.type = "button";
  const formError = el("p", "message message-error");
  formError.setAttribute("role", "alert");
  formError.hidden = true;
  const form = el(
    "form",
    "ack-form",
    el("div", "field", noteLabel, note),
    formError,
    el("div", "actions", save, cancel),
  );
  form.hidden = true;

  ackButton.addEventListener("click", () => {
    form.hidden = false;
    ackButton.hidden = true;
    note.focus();
  });
  const closeForm = () => {
    form.hidden = true;
    formError.hidden = true;
    note.value = "";
    ackButton.hidden = false;
    ackButton.focus();
  };
  cancel.addEventListener("click", closeForm);
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      closeForm();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    save.disabled = true;
    const problem = await actions.onAck(alarm, note.value);
    save.disabled = false;
    formError.hidden = problem === null;
    formError.textContent = problem ?? "";
    // Saved: the form goes and the button comes back to acknowledge again,
    // with the keyboard on it (a hidden focused button would drop it at the top).
    if (problem === null) closeForm();
    else note.focus();
  });

  const root = el(
    "li",
    `alarm-entry alarm-${alarm.severity}`,
    el(
      "div",
      "alarm-line",
      icon(alarm.severity === "fault" ? "i-alarm" : "i-warning", "alarm-icon"),
      severity,
      machine,
      code,
      text,
    ),
    el("div", "alarm-line alarm-times", raised, status),
    ack,
    ackButton,
    form,
  );
  root.dataset.alarm = alarm.id;
  return { root, severity, machine, text, raised, status, ack, ackButton, noteLabel, save, cancel, form };
}

/**
 * @param {AlarmItem} p
 * @param {AlarmEntry} alarm
 * @param {AlarmAck | undefined} ack the latest acknowledgement of this alarm
 * @param {PageContext & { now: number, machineName(id: string): string, canAck: boolean }} ctx
 */
export function renderAlarmItem(p, alarm, ack, ctx) {
  const { t } = ctx;
  const set = setText;
  p.root.dataset.status = alarm.clearedAt === null ? "active" : "cleared";
  set(p.severity, t(`severity.${alarm.severity}`));
  set(p.machine, ctx.machineName(alarm.machine));
  set(p.text, alarm.text);
  set(p.raised, `${t("col.time")}: ${ctx.time.since(alarm.since, ctx.now)}`);
  set(
    p.status,
    alarm.clearedAt === null
      ? t("alarms.active", { duration: formatDuration(ctx.now - alarm.since, t) })
      : t("alarms.cleared", { time: ctx.time.since(alarm.clearedAt, ctx.now) }),
  );
  p.ack.hidden = ack === undefined;
  if (ack) {
    const when = ctx.time.since(ack.at, ctx.now);
    set(
      p.ack,
      `${ack.by ? t("alarms.ackedBy", { name: ack.by.name, time: when }) : t("alarms.acked", { time: when })}: ${ack.note}`,
    );
  }
  p.ackButton.hidden = !ctx.canAck || !p.form.hidden;
  set(p.ackButton, t("alarms.ack"));
  p.ackButton.setAttribute(
    "aria-label",
    t("alarms.ackLabel", { code: alarm.code, machine: ctx.machineName(alarm.machine) }),
  );
  set(p.noteLabel, t("alarms.note"));
  set(p.save, t("alarms.save"));
  set(p.cancel, t("alarms.cancel"));
}
