// The alarms page: every alarm across the fleet, newest first, live from the
// event stream (alarm.raise / alarm.clear); the snapshot on (re)connect brings
// the ones already active. Instructors acknowledge with a note
// (POST /api/alarms/ack); everyone logged in sees the acknowledgements.

import { createAlarmItem, renderAlarmItem } from "./alarm-list.js";
import { getJson, sendJson } from "./api.js";
import { connectLive } from "./live-connection.js";
import { byId, startShell } from "./shell.js";

/** @import { ActiveAlarm, MachineEvent } from "../../core/events.ts" */
/** @import { AlarmAck, AlarmEntry, AlarmItem } from "./alarm-list.js" */
/** @import { FleetMessage, LiveStatus } from "./live-connection.js" */

const MAX_ENTRIES = 300;

const feed = byId("alarm-feed");
const empty = byId("alarms-empty");
const connElement = byId("conn");
const connText = byId("conn-text");

/** @type {Map<string, { alarm: AlarmEntry, item: AlarmItem }>} newest first */
let entries = new Map();
/** @type {AlarmAck[]} newest first */
let acks = [];
/** @type {Map<string, string>} machine id → name */
const names = new Map();
let clockOffset = 0;
/** @type {LiveStatus} */
let connection = "connecting";
let canAck = false;

const shell = startShell({ page: "alarms", titleKey: "alarms.pageTitle", onLanguage: renderAll });
shell.me.then((me) => {
  canAck = me !== null && (me.role === "instructor" || me.role === "admin");
  if (me) loadAcks();
  renderAll();
});

/**
 * @param {string} machine
 * @param {string} code
 * @param {number} since
 */
const alarmId = (machine, code, since) => `${machine}|${code}|${since}`;

/**
 * @param {string} machine
 * @param {ActiveAlarm} alarm
 */
function add(machine, { key, nativeCode, severity, text, since }) {
  const code = nativeCode || key;
  const id = alarmId(machine, code, since);
  if (entries.has(id)) return;
  const alarm = { id, machine, code, severity, text, since, clearedAt: null };
  const item = createAlarmItem(alarm, { onAck: acknowledge });
  // Newest first: a new alarm goes on top (the stream delivers in order; a snapshot may not).
  const next = [...entries.values(), { alarm, item }].sort((a, b) => b.alarm.since - a.alarm.since);
  entries = new Map(next.slice(0, MAX_ENTRIES).map((e) => [e.alarm.id, e]));
  feed.replaceChildren(...[...entries.values()].map((e) => e.item.root));
}

/**
 * @param {string} machine
 * @param {string} code
 * @param {number} ts
 */
function clear(machine, code, ts) {
  for (const { alarm } of entries.values()) {
    if (alarm.machine === machine && alarm.code === code && alarm.clearedAt === null) alarm.clearedAt = ts;
  }
}

/** @param {FleetMessage} data */
function onSnapshot(data) {
  clockOffset = data.serverTime - Date.now();
  const active = new Set();
  for (const m of data.machines) {
    names.set(m.id, m.name);
    for (const a of m.snapshot?.alarms ?? []) {
      add(m.id, a);
      active.add(alarmId(m.id, a.nativeCode || a.key, a.since));
    }
  }
  // Cleared while we were cut off: the exact time is in the history, not here.
  for (const { alarm } of entries.values()) {
    if (alarm.clearedAt === null && !active.has(alarm.id)) alarm.clearedAt = data.serverTime;
  }
  renderAll();
}

/** @param {MachineEvent} event */
function onEvent(event) {
  if (event.type === "alarm.raise") add(event.machine, { ...event, since: event.ts });
  else if (event.type === "alarm.clear") clear(event.machine, event.nativeCode || event.key, event.ts);
  else return;
  renderAll();
}

async function loadAcks() {
  const answer = await getJson("/api/alarms/acks");
  if (answer.ok) {
    acks = answer.body.acks;
    renderAll();
  }
}

/**
 * @param {AlarmEntry} alarm
 * @param {string} note
 * @returns {Promise<string | null>} a problem to show, or null when saved
 */
async function acknowledge(alarm, note) {
  const result = await sendJson("/api/alarms/ack", { machine: alarm.machine, code: alarm.code, note });
  if (result.ok) {
    acks = [result.body.ack, ...acks];
    renderAll();
    return null;
  }
  const message = result.body?.issues?.[0]?.message ?? result.body?.message ?? String(result.status);
  return shell.ctx.t("alarms.ackFailed", { message });
}

/**
 * The latest acknowledgement made while this alarm was (or is) up.
 * @param {AlarmEntry} alarm
 */
function ackOf(alarm) {
  return acks.find((a) => a.machine === alarm.machine && a.code === alarm.code && a.at >= alarm.since);
}

function renderAll() {
  const ctx = {
    ...shell.ctx,
    now: Date.now() + clockOffset,
    canAck,
    machineName: (/** @type {string} */ id) => names.get(id) ?? id,
  };
  for (const { alarm, item } of entries.values()) renderAlarmItem(item, alarm, ackOf(alarm), ctx);
  empty.hidden = entries.size > 0;
  connElement.dataset.status = connection;
  connText.textContent = ctx.t(
    connection === "live" ? "conn.live" : connection === "lost" ? "conn.lostShort" : "conn.connecting",
  );
}

connectLive("/events", {
  snapshot: onSnapshot,
  state: () => {},
  event: onEvent,
  signals: () => {},
  status(next) {
    connection = next;
    renderAll();
  },
});
setInterval(renderAll, 1000);
// Other instructors' acknowledgements: asked again now and then rather than streamed (they are rare).
setInterval(() => shell.me.then((me) => me && loadAcks()), 15_000);
