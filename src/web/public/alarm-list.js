// One alarm on the alarms page: built once, updated in place (the age ticks
// every second, and an open acknowledgement form must keep its text and focus).

import { formatDuration } from "./format.js";
import { icon } from "./machine-card.js";

/**
 * @typedef {{ id: string, machine: string, code: string, severity: "fault" | "warning", text: string,
 *   since: number, clearedAt: number | null }} AlarmEntry
 * @typedef {{ machine: string, code: string, note: string, at: number, by: { id: string, name: string } | null }} AlarmAck
 */

function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

/** @param {AlarmEntry} alarm @param {{ onAck(alarm: AlarmEntry, note: string): Promise<string | null> }} actions */
export function createAlarmItem(alarm, actions) {
  const p = {};
  p.severity = el("span", "alarm-severity");
  p.machine = el("a", "alarm-machine");
  p.machine.href = `/machines/${encodeURIComponent(alarm.machine)}`;
  p.code = el("span", "alarm-code", alarm.code);
  p.text = el("span", "alarm-text");
  p.raised = el("span", "alarm-raised");
  p.status = el("span", "alarm-status");
  p.ack = el("p", "alarm-ack");
  p.ack.hidden = true;

  p.ackButton = el("button", "button");
  p.ackButton.type = "button";
  p.ackButton.hidden = true;
  p.note = el("textarea");
  p.note.id = `note-${alarm.id}`;
  p.note.rows = 2;
  p.note.maxLength = 500;
  p.note.required = true;
  p.noteLabel = el("label");
  p.noteLabel.htmlFor = p.note.id;
  p.save = el("button", "button button-primary");
  p.save.type = "submit";
  p.cancel = el("button", "button");
  p.cancel.type = "button";
  p.formError = el("p", "message message-error");
  p.formError.setAttribute("role", "alert");
  p.formError.hidden = true;
  p.form = el(
    "form",
    "ack-form",
    el("div", "field", p.noteLabel, p.note),
    p.formError,
    el("div", "actions", p.save, p.cancel),
  );
  p.form.hidden = true;

  p.ackButton.addEventListener("click", () => {
    p.form.hidden = false;
    p.ackButton.hidden = true;
    p.note.focus();
  });
  p.cancel.addEventListener("click", () => {
    p.form.hidden = true;
    p.ackButton.hidden = false;
    p.ackButton.focus();
  });
  p.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    p.save.disabled = true;
    const problem = await actions.onAck(alarm, p.note.value);
    p.save.disabled = false;
    p.formError.hidden = problem === null;
    p.formError.textContent = problem ?? "";
    if (problem === null) {
      p.form.hidden = true;
      p.note.value = "";
    } else p.note.focus();
  });

  p.root = el(
    "li",
    `alarm-entry alarm-${alarm.severity}`,
    el(
      "div",
      "alarm-line",
      icon(alarm.severity === "fault" ? "i-alarm" : "i-warning", "alarm-icon"),
      p.severity,
      p.machine,
      p.code,
      p.text,
    ),
    el("div", "alarm-line alarm-times", p.raised, p.status),
    p.ack,
    p.ackButton,
    p.form,
  );
  p.root.dataset.alarm = alarm.id;
  return p;
}

/**
 * @param {AlarmEntry} alarm
 * @param {AlarmAck | undefined} ack the latest acknowledgement of this alarm
 * @param {{ t: Function, time: any, now: number, machineName(id: string): string, canAck: boolean }} ctx
 */
export function renderAlarmItem(p, alarm, ack, ctx) {
  const { t } = ctx;
  const set = (node, text) => {
    if (node.textContent !== text) node.textContent = text;
  };
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
