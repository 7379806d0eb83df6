// /checkin/<machine>: where a trainee's phone lands from the QR code on the
// machine. Log in if needed (and come back), then one big button; the answer
// says plainly whether it worked, and who holds the machine if it is taken.

import { getJson, loginUrl, sendJson } from "./api.js";
import { startShell } from "./shell.js";

/** @import { SessionEntry } from "./sessions.js" */

const machineId = decodeURIComponent(location.pathname.split("/")[2] ?? "");
const heading = /** @type {HTMLElement} */ (document.getElementById("checkin-heading"));
const meta = /** @type {HTMLElement} */ (document.getElementById("checkin-meta"));
const answerBox = /** @type {HTMLElement} */ (document.getElementById("checkin-answer"));
const checkinButton = /** @type {HTMLButtonElement} */ (document.getElementById("checkin-button"));
const checkoutButton = /** @type {HTMLButtonElement} */ (document.getElementById("checkout-button"));

let machine = { id: machineId, name: machineId, kind: "" };
/** The last answer shown, as [key, values, tone], so a language switch can redraw it. */
let shown = /** @type {[string, Record<string, string | number>, string] | null} */ (null);

const shell = startShell({ page: "checkin", titleKey: "checkin.pageTitle", onLanguage: render });

function render() {
  const { t, kindLabel } = shell.ctx;
  heading.textContent = t("checkin.heading", { machine: machine.name });
  meta.textContent = machine.kind ? `${machine.id} · ${kindLabel(machine.kind)}` : machine.id;
  answerBox.replaceChildren();
  if (shown) {
    const [key, values, tone] = shown;
    const p = document.createElement("p");
    p.className = `message message-${tone}`;
    p.textContent = t(key, values);
    answerBox.append(p);
  }
}

/**
 * @param {string} key
 * @param {Record<string, string | number>} [values]
 * @param {"info" | "ok" | "error"} [tone]
 */
function show(key, values = {}, tone = "info") {
  shown = [key, values, tone];
  render();
}

async function start() {
  const info = await getJson(`/api/machines/${encodeURIComponent(machineId)}`);
  if (info.status === 404) {
    show("machine.unknown", { id: machineId }, "error");
    return;
  }
  if (info.ok) machine = { id: info.body.id, name: info.body.name, kind: info.body.kind };
  const me = await shell.me;
  if (me === null) {
    location.replace(loginUrl());
    return;
  }
  if (me.role !== "trainee") {
    show("checkin.notTrainee", { role: shell.ctx.t(`role.${me.role}`) });
    return;
  }
  const sessions = await getJson("/api/sessions");
  /** @type {SessionEntry[]} */
  const entries = sessions.ok ? sessions.body.sessions : [];
  const mine = entries.find((s) => s.machine === machineId && s.you);
  if (mine) {
    show("checkin.done", { machine: machine.name }, "ok");
    checkoutButton.hidden = false;
  } else {
    render();
  }
  checkinButton.hidden = Boolean(mine);
  if (!mine) checkinButton.focus();
}

checkinButton.addEventListener("click", async () => {
  const { t, time } = shell.ctx;
  checkinButton.disabled = true;
  checkinButton.textContent = t("checkin.busy");
  const result = await sendJson(`/api/machines/${encodeURIComponent(machineId)}/checkin`, {});
  checkinButton.disabled = false;
  checkinButton.textContent = shell.ctx.t("checkin.submit");
  if (result.ok) {
    show("checkin.done", { machine: machine.name }, "ok");
    checkinButton.hidden = true;
    checkoutButton.hidden = false;
    checkoutButton.focus();
  } else if (result.status === 409 && result.body?.error === "occupied") {
    const since = time.since(result.body.since, Date.now());
    const name = result.body.occupant?.name;
    if (name) show("checkin.occupiedBy", { machine: machine.name, name, time: since }, "error");
    else show("checkin.occupied", { machine: machine.name, time: since }, "error");
  } else if (result.status === 401) {
    location.replace(loginUrl());
  } else if (result.status === 404 && result.body?.error === "not_found") {
    show("checkin.unavailable", {}, "error");
  } else {
    show("checkin.failed", { message: result.body?.message ?? String(result.status) }, "error");
  }
});

checkoutButton.addEventListener("click", async () => {
  const result = await sendJson(`/api/machines/${encodeURIComponent(machineId)}/checkout`, {});
  if (result.ok) {
    show("checkin.checkedOut", { machine: machine.name }, "ok");
    checkoutButton.hidden = true;
    checkinButton.hidden = false;
    checkinButton.focus(); // the pressed button is gone: keep the keyboard here
  } else {
    show("checkin.failed", { message: result.body?.message ?? String(result.status) }, "error");
  }
});

start();
