// The live fleet page: keeps a model of every machine from the event stream
// and redraws the cards that changed, at most once per animation frame, plus
// once a second for the ticking durations, clock and sparklines. Who is
// checked in comes from the sessions API, refreshed on session events.

import { createFleetLayout } from "./fleet-layout.js";
import { connectLive } from "./live-connection.js";
import { createMachineCard, icon, renderMachineCard, STATE_ICONS } from "./machine-card.js";
import { createSessionDirectory } from "./sessions.js";
import { config, startShell } from "./shell.js";
import { trimSamples } from "./sparkline.js";

const SUMMARY_ORDER = ["alarm", "running", "feed_hold", "stopped", "setup", "idle", "offline"];

const fleetElement = document.getElementById("main");
const summaryElement = document.getElementById("summary");
const connElement = document.getElementById("conn");
const connText = document.getElementById("conn-text");
const lostBanner = document.getElementById("lost-banner");
const clockElement = document.getElementById("clock");
const emptyElement = document.getElementById("empty");
const tzNote = document.getElementById("tz-note");
const layout = createFleetLayout(fleetElement, document.querySelector(".foot"));

/** id → { machine: { id, name, kind, snapshot, samples, occupant }, card } in configured order. */
const fleet = new Map();
const dirty = new Set();
let frameRequested = false;
let clockOffset = 0; // server time − browser time, so durations do not depend on the browser's clock
let connection = "connecting";
const shell = startShell({ page: "fleet", titleKey: "page.title", onLanguage: applyLanguage });
let ctx = makeContext();
const sessions = createSessionDirectory(() => {
  for (const id of fleet.keys()) markDirty(id);
});

function makeContext() {
  return { ...shell.ctx, windowMs: config.sparklineWindowMs, now: Date.now() + clockOffset };
}

// ---- model updates from the stream ---------------------------------------------------------

function onSnapshot(data) {
  clockOffset = data.serverTime - Date.now();
  const seen = new Set();
  for (const entry of data.machines) {
    seen.add(entry.id);
    const existing = fleet.get(entry.id);
    if (existing) {
      Object.assign(existing.machine, { name: entry.name, kind: entry.kind, snapshot: entry.snapshot });
    } else {
      const machine = {
        id: entry.id,
        name: entry.name,
        kind: entry.kind,
        snapshot: entry.snapshot,
        samples: [],
        occupant: null,
      };
      fleet.set(entry.id, { machine, card: createMachineCard(machine) });
    }
    recordSpeed(fleet.get(entry.id).machine, entry.snapshot?.signals?.["spindle.speed"]);
    if (config.history) loadHistory(entry.id);
  }
  for (const id of [...fleet.keys()]) if (!seen.has(id)) fleet.delete(id);
  fleetElement.replaceChildren(...[...fleet.values()].map((entry) => entry.card.root));
  emptyElement.hidden = fleet.size > 0;
  renderAll();
}

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

function recordSpeed(machine, entry) {
  if (entry === undefined) return;
  const value = typeof entry.value === "number" ? entry.value : null;
  const last = machine.samples.at(-1);
  if (last && last.ts >= entry.ts) return;
  machine.samples.push({ ts: entry.ts, value });
  if (machine.samples.length > 3000)
    machine.samples = trimSamples(machine.samples, ctx.now - config.sparklineWindowMs);
}

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
    const body = await response.json();
    const entry = fleet.get(id);
    if (!entry) return;
    const past = body.points.map((p) => ({ ts: p.ts, value: p.value }));
    const lastPast = past.at(-1)?.ts ?? Number.NEGATIVE_INFINITY;
    const live = entry.machine.samples.filter((s) => s.ts > lastPast);
    entry.machine.samples = [...past, ...live];
    markDirty(id);
  } catch {
    // The sparkline then starts from live values; nothing else depends on history.
  }
}

// ---- rendering ---------------------------------------------------------------------------------

function markDirty(id) {
  dirty.add(id);
  if (!frameRequested) {
    frameRequested = true;
    requestAnimationFrame(renderDirty);
  }
}

function renderDirty() {
  frameRequested = false;
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

function render(entry) {
  const { machine } = entry;
  machine.occupant = sessions.occupant(machine.id, Boolean(machine.snapshot?.session));
  renderMachineCard(entry.card, machine, ctx);
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
    chip.append(icon(STATE_ICONS[state], "chip-icon"), count, label);
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
