// The live fleet page: keeps a model of every machine from the event stream
// and redraws the cards that changed, at most once per animation frame, plus
// once a second for the ticking durations, clock and sparklines. Who is
// checked in comes from the sessions API, refreshed on session events.

import { createAssignments } from "./assign.js";
import { createFleetLayout } from "./fleet-layout.js";
import { connectLive } from "./live-connection.js";
import { createMachineCard, icon, renderMachineCard, stateIcon } from "./machine-card.js";
import { createSessionDirectory } from "./sessions.js";
import { byId, config, startShell } from "./shell.js";
import { trimSamples } from "./sparkline.js";

/**
 * Changed cards are redrawn at most this often. Each redraw costs a layout and
 * a paint of the wall; at 60 machines × 4 updates/s some card changes in every
 * animation frame, and redrawing at the frame rate kept Chromium's main thread
 * half busy (bench/web). Four times a second is live to the eye and keeps every
 * update well within the 1 s goal.
 */
const REDRAW_INTERVAL_MS = 250;
const SUMMARY_ORDER = ["alarm", "running", "feed_hold", "stopped", "setup", "idle", "offline"];

/** @import { MachineEvent, MachineSnapshot } from "../../core/events.ts" */
/** @import { FleetMessage, LiveStatus, SignalsMessage, SignalValues } from "./live-connection.js" */
/** @import { CardContext, CardMachine, MachineCard } from "./machine-card.js" */
/** @typedef {{ machine: CardMachine, card: MachineCard }} FleetTile */

const fleetElement = byId("main");
const summaryElement = byId("summary");
const connElement = byId("conn");
const connText = byId("conn-text");
const lostBanner = byId("lost-banner");
const clockElement = byId("clock");
const emptyElement = byId("empty");
const tzNote = byId("tz-note");
const layout = createFleetLayout(fleetElement, document.querySelector(".foot"));

/** @type {Map<string, FleetTile>} machine id → tile, in configured order */
const fleet = new Map();
/** @type {Set<string>} */
const dirty = new Set();
let frameRequested = false;
let lastRedraw = 0;
let clockOffset = 0; // server time − browser time, so durations do not depend on the browser's clock
/** @type {LiveStatus} */
let connection = "connecting";
const shell = startShell({ page: "fleet", titleKey: "page.title", onLanguage: applyLanguage });
let ctx = makeContext();
const sessions = createSessionDirectory(() => {
  for (const id of fleet.keys()) markDirty(id);
});
// Staff assign and check out from the tiles; the controls stay hidden for everyone else.
const assignments = createAssignments({
  ctx: () => ctx,
  machineName: (id) => fleet.get(id)?.machine.name ?? id,
});

/** @returns {CardContext} */
function makeContext() {
  return { ...shell.ctx, windowMs: config.sparklineWindowMs, now: Date.now() + clockOffset };
}

// ---- model updates from the stream ---------------------------------------------------------

/** @param {FleetMessage} data */
function onSnapshot(data) {
  clockOffset = data.serverTime - Date.now();
  const seen = new Set();
  for (const entry of data.machines) {
    seen.add(entry.id);
    const existing = fleet.get(entry.id);
    if (existing) {
      Object.assign(existing.machine, { name: entry.name, kind: entry.kind, snapshot: entry.snapshot });
    } else {
      /** @type {CardMachine} */
      const machine = {
        id: entry.id,
        name: entry.name,
        kind: entry.kind,
        snapshot: entry.snapshot,
        samples: [],
        occupant: null,
      };
      const card = createMachineCard(machine);
      card.root.append(assignments.controlsFor(entry.id));
      fleet.set(entry.id, { machine, card });
    }
    const tile = fleet.get(entry.id);
    if (tile) recordSpeed(tile.machine, entry.snapshot?.signals?.["spindle.speed"]);
    if (config.history) loadHistory(entry.id);
  }
  for (const id of [...fleet.keys()]) if (!seen.has(id)) fleet.delete(id);
  fleetElement.replaceChildren(...[...fleet.values()].map((entry) => entry.card.root));
  emptyElement.hidden = fleet.size > 0;
  renderAll();
}

/** @param {MachineSnapshot} snapshot */
function onState(snapshot) {
  const entry = fleet.get(snapshot.machine);
  if (!entry) return;
  entry.machine.snapshot = snapshot;
  recordSpeed(entry.machine, snapshot.signals?.["spindle.speed"]);
  markDirty(snapshot.machine);
}

/**
 * Events carry the same facts as the snapshot that follows them; applying
 * them at once means an alarm shows even if its snapshot is still on the way.
 * @param {MachineEvent} event
 */
function onEvent(event) {
  const entry = fleet.get(event.machine);
  if (!entry?.machine.snapshot) return;
  const snap = entry.machine.snapshot;
  if (event.type === "alarm.raise") {
    const others = snap.alarms.filter((a) => !(a.key === event.key && a.nativeCode === event.nativeCode));
    snap.alarms = [
      ...others,
      {
        key: event.key,
        nativeCode: event.nativeCode,
        severity: event.severity,
        text: event.text,
        since: event.ts,
      },
    ];
  } else if (event.type === "alarm.clear") {
    snap.alarms = snap.alarms.filter((a) => !(a.key === event.key && a.nativeCode === event.nativeCode));
  } else if (event.type === "state.change") {
    snap.state = event.to;
    snap.since = event.ts;
  } else if (event.type === "session.start") {
    snap.session = event.pseudonym;
    sessions.refreshSoon();
  } else if (event.type === "session.end") {
    snap.session = null;
    sessions.refreshSoon();
  } else {
    return;
  }
  markDirty(event.machine);
}

/** @param {SignalsMessage} update */
function onSignals(update) {
  const entry = fleet.get(update.machine);
  if (!entry) return;
  const snap = entry.machine.snapshot;
  if (snap) {
    for (const [id, value] of Object.entries(update.signals)) {
      const current = snap.signals[id];
      if (current === undefined || current.ts <= value.ts) snap.signals[id] = value;
    }
  }
  recordSpeed(entry.machine, update.signals["spindle.speed"]);
  markDirty(update.machine);
}

/**
 * @param {CardMachine} machine
 * @param {SignalValues[string] | undefined} entry
 */
function recordSpeed(machine, entry) {
  if (entry === undefined) return;
  const value = typeof entry.value === "number" ? entry.value : null;
  const last = machine.samples.at(-1);
  if (last && last.ts >= entry.ts) return;
  machine.samples.push({ ts: entry.ts, value });
  if (machine.samples.length > 3000)
    machine.samples = trimSamples(machine.samples, ctx.now - config.sparklineWindowMs);
}

/** @param {string} id */
async function loadHistory(id) {
  const to = Date.now() + clockOffset;
  const query = new URLSearchParams({
    signal: "spindle.speed",
    from: String(to - config.sparklineWindowMs),
    to: String(to),
    points: "150",
  });
  try {
    const response = await fetch(`/api/machines/${encodeURIComponent(id)}/history?${query}`);
    if (!response.ok) return;
    /** @type {{ points: { ts: number, value: unknown }[] }} */
    const body = await response.json();
    const entry = fleet.get(id);
    if (!entry) return;
    const past = body.points.map((p) => ({ ts: p.ts, value: typeof p.value === "number" ? p.value : null }));
    const lastPast = past.at(-1)?.ts ?? Number.NEGATIVE_INFINITY;
    const live = entry.machine.samples.filter((s) => s.ts > lastPast);
    entry.machine.samples = [...past, ...live];
    markDirty(id);
  } catch {
    // The sparkline then starts from live values; nothing else depends on history.
  }
}

// ---- rendering ---------------------------------------------------------------------------------

/** @param {string} id */
function markDirty(id) {
  dirty.add(id);
  if (!frameRequested) {
    frameRequested = true;
    const wait = lastRedraw + REDRAW_INTERVAL_MS - performance.now();
    if (wait <= 0) requestAnimationFrame(renderDirty);
    else setTimeout(() => requestAnimationFrame(renderDirty), wait);
  }
}

function renderDirty() {
  frameRequested = false;
  lastRedraw = performance.now();
  ctx.now = Date.now() + clockOffset;
  for (const id of dirty) {
    const entry = fleet.get(id);
    if (entry) render(entry);
  }
  dirty.clear();
  renderSummary();
  fitLayout();
}

function renderAll() {
  ctx.now = Date.now() + clockOffset;
  for (const entry of fleet.values()) render(entry);
  dirty.clear();
  renderSummary();
  renderClock();
  fitLayout();
}

/** @param {FleetTile} entry */
function render(entry) {
  const { machine } = entry;
  machine.occupant = sessions.occupant(machine.id, Boolean(machine.snapshot?.session));
  renderMachineCard(entry.card, machine, ctx);
  const who = machine.occupant;
  assignments.update(machine.id, who !== null, who?.kind === "name" ? who.name : null);
}

/** Card sizes change with the number of alarms shown and the language of the labels. */
function fitLayout() {
  let alarms = 0;
  for (const { machine } of fleet.values()) alarms += Math.min(4, machine.snapshot?.alarms?.length ?? 0);
  layout.update(
    [...fleet.values()].map((entry) => entry.card.root),
    `${alarms}|${ctx.language}`,
  );
}

function renderSummary() {
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const { machine } of fleet.values()) {
    const state = machine.snapshot?.state ?? "offline";
    counts.set(state, (counts.get(state) ?? 0) + 1);
  }
  const chips = SUMMARY_ORDER.filter((state) => counts.has(state)).map((state) => {
    const chip = document.createElement("li");
    chip.className = "chip";
    chip.dataset.state = state;
    const count = document.createElement("strong");
    count.textContent = String(counts.get(state));
    const label = document.createElement("span");
    label.textContent = ctx.t(`state.${state}`);
    chip.append(icon(stateIcon(state), "chip-icon"), count, label);
    return chip;
  });
  const signature = chips.map((c) => `${c.dataset.state}:${c.textContent}`).join("|");
  if (summaryElement.dataset.signature !== signature) {
    summaryElement.dataset.signature = signature;
    summaryElement.replaceChildren(...chips);
  }
}

function renderClock() {
  clockElement.textContent = ctx.time.clock(ctx.now);
}

function renderConnection() {
  connElement.dataset.status = connection;
  connText.textContent = ctx.t(
    connection === "live" ? "conn.live" : connection === "lost" ? "conn.lostShort" : "conn.connecting",
  );
  lostBanner.hidden = connection !== "lost";
  document.body.classList.toggle("stale", connection === "lost");
}

function applyLanguage() {
  ctx = makeContext();
  tzNote.textContent = ctx.t("footer.timeZone", { zone: config.timeZone });
  renderConnection();
  renderAll();
}

// ---- start -------------------------------------------------------------------------------------

applyLanguage();

connectLive("/events", {
  snapshot: onSnapshot,
  state: onState,
  event: onEvent,
  signals: onSignals,
  status(next) {
    // A reconnect may have missed session events: ask again.
    if (next === "live" && connection !== "live") sessions.refresh();
    connection = next;
    renderConnection();
  },
});

addEventListener("resize", fitLayout);
setInterval(renderAll, 1000);
