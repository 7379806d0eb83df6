// The machine page (/machines/<id>): the current snapshot, active alarms
// with their age, and the last hour or the current shift as plots with a
// state band. History comes from /api/machines/<id>/history and /states; the
// live stream extends it. Everything is redrawn on one 1 s timer, so a busy
// machine costs the page one redraw a second, however fast its signals come.

import { getJson } from "./api.js";
import { createAssignments } from "./assign.js";
import { formatDuration } from "./format.js";
import { connectLive } from "./live-connection.js";
import { icon, stateIcon } from "./machine-card.js";
import { createMachinePlots } from "./machine-plots.js";
import { createMachineTables } from "./machine-tables.js";
import { alignSeries, mergeStates } from "./plot-data.js";
import { createSessionDirectory } from "./sessions.js";
import { byId, config, startShell } from "./shell.js";
import { currentShiftStart } from "./shift.js";
import { renderStateBand } from "./state-band.js";

/** @import { ActiveAlarm, MachineEvent, MachineSnapshot } from "../../core/events.ts" */
/** @import { FleetEntry, FleetMessage, LiveStatus, SignalsMessage } from "./live-connection.js" */
/** @import { MachinePlots } from "./machine-plots.js" */
/** @typedef {{ ts: number, value: unknown }} PlotPoint */
/** @typedef {{ state: string, from: number, to: number }} Segment */

const PLOTTED = ["spindle.speed", "spindle.load", "feed.override"];
/** @type {[signal: string, labelKey: string, unitKey: string][]} */
const READINGS = [
  ["program.name", "field.program", ""],
  ["spindle.speed", "field.spindleSpeed", "unit.rpm"],
  ["spindle.load", "field.spindleLoad", "unit.percent"],
  ["feed.override", "field.feedOverride", "unit.percent"],
  ["part.count", "field.partCount", ""],
];
const MAX_LIVE_POINTS = 5000;
/** Events that add a row to a table: the tables are asked again this long after the last one. */
const TABLE_EVENTS = ["cycle.end", "alarm.raise", "alarm.clear", "program.transfer"];
const TABLE_REFRESH_DELAY_MS = 1500;

const machineId = decodeURIComponent(location.pathname.split("/")[2] ?? "");
const $ = byId;

/** @type {FleetEntry} */
let machine = { id: machineId, name: machineId, kind: "", snapshot: null };
let clockOffset = 0;
/** @type {LiveStatus} */
let connection = "connecting";
/** @type {"hour" | "shift"} */
let windowKind = "hour";
/** @type {{ points: PlotPoint[][], segments: Segment[], from: number }} */
let history = { points: PLOTTED.map(() => []), segments: [], from: 0 };
/**
 * Values and state changes seen live since the history was loaded.
 * @type {{ points: PlotPoint[][], changes: { state: string, ts: number }[] }}
 */
let live = { points: PLOTTED.map(() => []), changes: [] };
/** @type {MachinePlots | null} */
let plots = null;
/** @type {"loading" | "ok" | "none"} */
let historyState = "loading";

const shell = startShell({ page: "machine", titleKey: "machine.pageTitle", onLanguage: relabel });
const sessions = createSessionDirectory(() => renderNow());
// Staff assign a trainee here and check one out (hidden for everyone else).
const assignments = createAssignments({ ctx: () => shell.ctx, machineName: () => machine.name });
$("occupant").after(assignments.controlsFor(machineId));
const tables = createMachineTables(machineId);
/** @type {ReturnType<typeof setTimeout> | undefined} */
let tableRefresh;
const now = () => Date.now() + clockOffset;
const windowStart = () =>
  windowKind === "hour" ? now() - 3_600_000 : currentShiftStart(now(), config.timeZone, config.shiftStarts);

// ---- data ----------------------------------------------------------------------------------

async function loadHistory() {
  const to = now();
  const from = windowStart();
  const points = windowKind === "hour" ? 360 : 720;
  const query = (/** @type {string} */ signal) =>
    new URLSearchParams({ signal, from: String(from), to: String(to), points: String(points) });
  const id = encodeURIComponent(machineId);
  const [, states, ...series] = await Promise.all([
    tables.load(from, to),
    getJson(`/api/machines/${id}/states?${new URLSearchParams({ from: String(from), to: String(to) })}`),
    ...PLOTTED.map((signal) => getJson(`/api/machines/${id}/history?${query(signal)}`)),
  ]);
  historyState = series.every((s) => s.ok) ? "ok" : "none";
  history = {
    points: series.map((s) => (s.ok ? s.body.points : [])),
    segments: states.ok ? states.body.segments : [],
    from,
  };
  live = { points: PLOTTED.map(() => []), changes: [] };
  redraw();
}

/** @param {FleetMessage} data */
function onSnapshot(data) {
  clockOffset = data.serverTime - Date.now();
  const entry = data.machines.find((m) => m.id === machineId);
  if (entry) machine = { ...entry };
  renderNow();
}

/** @param {MachineSnapshot} snapshot */
function onState(snapshot) {
  if (snapshot.machine !== machineId) return;
  machine.snapshot = snapshot;
}

/** @param {MachineEvent} event */
function onEvent(event) {
  if (event.machine !== machineId) return;
  if (TABLE_EVENTS.includes(event.type)) refreshTablesSoon();
  if (!machine.snapshot) return;
  const snap = machine.snapshot;
  if (event.type === "state.change") {
    snap.state = event.to;
    snap.since = event.ts;
    live.changes.push({ state: event.to, ts: event.ts });
  } else if (event.type === "alarm.raise") {
    const others = snap.alarms.filter((a) => !(a.key === event.key && a.nativeCode === event.nativeCode));
    snap.alarms = [...others, { ...event, since: event.ts }];
  } else if (event.type === "alarm.clear") {
    snap.alarms = snap.alarms.filter((a) => !(a.key === event.key && a.nativeCode === event.nativeCode));
  } else if (event.type === "session.start" || event.type === "session.end") {
    snap.session = event.type === "session.start" ? event.pseudonym : null;
    sessions.refreshSoon();
  }
}

/** @param {SignalsMessage} update */
function onSignals(update) {
  if (update.machine !== machineId) return;
  const snap = machine.snapshot;
  for (const [id, value] of Object.entries(update.signals)) {
    if (snap) snap.signals[id] = value;
    const index = PLOTTED.indexOf(id);
    const points = live.points[index];
    if (points) {
      points.push({ ts: value.ts, value: value.value });
      if (points.length > MAX_LIVE_POINTS) points.splice(0, points.length - MAX_LIVE_POINTS);
    }
  }
}

/** A burst of events (a cycle ends, an alarm clears) is one request per table, not one per event. */
function refreshTablesSoon() {
  clearTimeout(tableRefresh);
  tableRefresh = setTimeout(() => tables.load(windowStart(), now()).then(redraw), TABLE_REFRESH_DELAY_MS);
}

// ---- rendering -----------------------------------------------------------------------------

function relabel() {
  plots?.destroy();
  plots = createMachinePlots({
    spindle: $("plot-spindle"),
    feed: $("plot-feed"),
    ctx: shell.ctx,
    timeZone: config.timeZone,
  });
  buildReadings();
  redraw();
}

function redraw() {
  renderNow();
  const { t } = shell.ctx;
  const to = now();
  const from = windowStart();
  $("shift-button").textContent = t("machine.shift", {
    time: shell.ctx.time.clock(currentShiftStart(to, config.timeZone, config.shiftStarts)).slice(0, 5),
  });
  const status = $("plots-status");
  status.hidden = historyState === "ok";
  status.textContent = t(historyState === "loading" ? "machine.loading" : "machine.noHistory");
  tables.render({ ...shell.ctx, now: to });
  if (historyState !== "ok" || !plots) return;
  const series = history.points.map((points, i) =>
    [...points, ...live.points[i]].filter((p) => p.ts >= from - 60_000),
  );
  plots.draw(alignSeries(series), from, to);
  const segments = mergeStates(history.segments, live.changes, from, to);
  renderStateBand($("state-band"), $("band-legend"), segments, from, to, { ...shell.ctx, now: to });
}

function buildReadings() {
  const { t } = shell.ctx;
  $("readings").replaceChildren(
    ...READINGS.map(([signal, label]) => {
      const box = document.createElement("div");
      box.className = "reading";
      const dt = document.createElement("dt");
      dt.textContent = t(label);
      const dd = document.createElement("dd");
      dd.dataset.signal = signal;
      box.append(dt, dd);
      return box;
    }),
  );
}

function renderNow() {
  const ctx = shell.ctx;
  const { t } = ctx;
  const snap = machine.snapshot;
  const state = snap?.state ?? "unknown";
  $("machine-name").textContent = machine.name;
  document.title = `Maskinport – ${machine.name}`;
  $("machine-meta").textContent = machine.kind
    ? `${machine.id} · ${ctx.kindLabel(machine.kind)}`
    : machine.id;
  $("state-badge").dataset.state = state;
  $("state-icon").setAttribute("href", `#${stateIcon(state)}`);
  $("state-text").textContent = ctx.stateLabel(state);
  $("state-since").textContent = snap
    ? t("state.for", { duration: formatDuration(now() - snap.since, t) })
    : "";
  const who = sessions.occupant(machineId, Boolean(snap?.session));
  $("occupant").textContent =
    who === null
      ? t("field.noTrainee")
      : `${t("field.trainee")}: ${who.kind === "name" ? who.name : t(who.kind === "you" ? "who.you" : "who.occupied")}`;
  assignments.update(machineId, who !== null, who?.kind === "name" ? who.name : null);
  for (const [signal, , unit] of READINGS) {
    const dd = document.querySelector(`dd[data-signal="${signal}"]`);
    if (!dd) continue;
    const value = snap?.signals?.[signal]?.value ?? null;
    const text =
      signal === "program.name"
        ? value === null || value === ""
          ? t("field.noProgram")
          : String(value)
        : `${ctx.number(value)}${unit ? ` ${t(unit)}` : ""}`;
    if (dd.textContent !== text) dd.textContent = text;
  }
  renderAlarms(snap?.alarms ?? []);
  const conn = $("conn");
  conn.dataset.status = connection;
  $("conn-text").textContent = t(
    connection === "live" ? "conn.live" : connection === "lost" ? "conn.lostShort" : "conn.connecting",
  );
}

/** @param {readonly ActiveAlarm[]} alarms */
function renderAlarms(alarms) {
  const ctx = shell.ctx;
  $("no-alarms").hidden = alarms.length > 0;
  const items = [...alarms]
    .sort((a, b) => b.since - a.since)
    .map((alarm) => {
      const li = document.createElement("li");
      li.className = `alarm alarm-${alarm.severity}`;
      const code = document.createElement("strong");
      code.textContent = alarm.nativeCode || alarm.key;
      const text = document.createElement("span");
      text.textContent = `${ctx.t(`severity.${alarm.severity}`)}: ${alarm.text}`;
      const age = document.createElement("span");
      age.className = "muted";
      age.textContent = `${ctx.t("alarms.since", { time: ctx.time.since(alarm.since, now()) })} (${formatDuration(now() - alarm.since, ctx.t)})`;
      li.append(icon(alarm.severity === "fault" ? "i-alarm" : "i-warning", "alarm-icon"), code, text, age);
      return li;
    });
  $("active-alarms").replaceChildren(...items);
}

// ---- start ---------------------------------------------------------------------------------

for (const button of document.querySelectorAll("[data-window]")) {
  if (!(button instanceof HTMLElement)) continue;
  button.addEventListener("click", () => {
    windowKind = button.dataset.window === "shift" ? "shift" : "hour";
    for (const b of document.querySelectorAll("[data-window]")) {
      b.setAttribute("aria-pressed", String(b === button));
    }
    historyState = "loading";
    loadHistory();
  });
}

const first = await getJson(`/api/machines/${encodeURIComponent(machineId)}`);
if (first.status === 404) {
  const error = $("machine-error");
  error.textContent = shell.ctx.t("machine.unknown", { id: machineId });
  error.hidden = false;
} else {
  if (first.ok) machine = first.body;
  relabel();
  loadHistory();
  connectLive("/events", {
    snapshot: onSnapshot,
    state: onState,
    event: onEvent,
    signals: onSignals,
    status(next) {
      if (next === "live" && connection !== "live") sessions.refresh();
      connection = next;
      renderNow();
    },
  });
  setInterval(redraw, 1000);
}
