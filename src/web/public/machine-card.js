// One machine's card on the live page: built once, then updated in place
// (text only changes when it differs), so hundreds of updates a second cost
// next to nothing and nothing ever goes through innerHTML.

import { formatDuration } from "./format.js";
import { sparklinePaths } from "./sparkline.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const SPARK_WIDTH = 300;
const SPARK_HEIGHT = 44;
const MAX_ALARMS_SHOWN = 3;

/** @import { ActiveAlarm, MachineSnapshot } from "../../core/events.ts" */
/** @import { SparkSample } from "./sparkline.js" */
/** @import { Occupant } from "./sessions.js" */
/** @import { PageContext } from "./shell.js" */

/** What a card shows: the machine, its snapshot, the speed samples of the sparkline and who is there. */
/**
 * @typedef {{
 *   id: string, name: string, kind: string,
 *   snapshot: MachineSnapshot | null,
 *   samples: SparkSample[],
 *   occupant: Occupant,
 * }} CardMachine
 */
/** The current language's helpers plus the server-corrected time and the sparkline's window. */
/** @typedef {PageContext & { now: number, windowMs: number }} CardContext */

/** @type {Record<MachineSnapshot["state"] | "unknown", string>} */
export const STATE_ICONS = {
  offline: "i-offline",
  idle: "i-idle",
  running: "i-running",
  feed_hold: "i-feed-hold",
  stopped: "i-stopped",
  alarm: "i-alarm",
  setup: "i-setup",
  unknown: "i-offline",
};

/**
 * The icon of a state as the server names it; an unknown one gets the offline icon.
 * @param {string} state
 */
export function stateIcon(state) {
  return Object.hasOwn(STATE_ICONS, state)
    ? STATE_ICONS[/** @type {keyof typeof STATE_ICONS} */ (state)]
    : STATE_ICONS.unknown;
}

/**
 * An icon from the page's sprite (decorative: hidden from screen readers).
 * @param {string} id the symbol's id in the sprite
 * @param {string} [className]
 */
export function icon(id, className = "icon") {
  return iconParts(id, className).svg;
}

/**
 * The icon and its <use>, whose href changes when the icon does.
 * @param {string} id
 * @param {string} className
 */
function iconParts(id, className) {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS(SVG_NS, "use");
  use.setAttribute("href", `#${id}`);
  svg.append(use);
  return { svg, use };
}

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string} className
 * @param {...(Node | string)} children
 * @returns {HTMLElementTagNameMap[K]} text children only: nothing goes through innerHTML
 */
export function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

/**
 * @param {Element} node
 * @param {string} text
 */
export function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/**
 * Set an attribute only when it differs: the wall redraws every card once a
 * second, and an unchanged value written again still costs a style or paint pass.
 * @param {Element} node
 * @param {string} name
 * @param {string} value
 */
function setAttr(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

/** @typedef {{ element: HTMLDivElement, reading: HTMLElement, label: HTMLElement, value: HTMLElement, unit: HTMLElement }} Gauge */

/** @returns {Gauge} */
function gauge() {
  const label = el("dt", "gauge-label");
  const value = el("span", "gauge-value");
  const unit = el("span", "gauge-unit");
  const reading = el("dd", "gauge-reading", value, unit);
  return { element: el("div", "gauge", label, reading), reading, label, value, unit };
}

/** @typedef {ReturnType<typeof createMachineCard>} MachineCard */

/**
 * Build the DOM of a card. Returns the element and handles to the parts that change.
 * @param {{ id: string }} machine
 */
export function createMachineCard(machine) {
  const speed = gauge();
  const load = gauge();
  const feed = gauge();
  const parts = gauge();
  const link = el("a", "card-link");
  link.href = `/machines/${encodeURIComponent(machine.id)}`;
  const name = el("h2", "card-name", link);
  const id = el("span", "card-id");
  const kind = el("span", "card-kind");
  const traineeLabel = el("span", "trainee-label");
  const traineeName = el("span", "trainee-name");
  const trainee = el(
    "div",
    "trainee",
    icon("i-person"),
    el("span", "trainee-text", traineeLabel, traineeName),
  );

  const badgeIcon = iconParts(STATE_ICONS.unknown, "badge-icon");
  const badgeText = el("span", "badge-text");
  const badgeSince = el("span", "badge-since");
  const badge = el("div", "badge", badgeIcon.svg, badgeText, badgeSince);
  badge.setAttribute("role", "status");

  const programLabel = el("span", "program-label");
  const programName = el("span", "program-name");

  const loadBar = el("span", "load-bar-fill");
  load.reading.append(el("span", "load-bar", loadBar)); // inside the dd: a dl's div holds only dt and dd

  const sparkArea = document.createElementNS(SVG_NS, "path");
  sparkArea.setAttribute("class", "spark-area");
  const sparkLine = document.createElementNS(SVG_NS, "path");
  sparkLine.setAttribute("class", "spark-line");
  const sparkSvg = document.createElementNS(SVG_NS, "svg");
  sparkSvg.setAttribute("viewBox", `0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`);
  sparkSvg.setAttribute("preserveAspectRatio", "none");
  sparkSvg.setAttribute("class", "spark-svg");
  sparkSvg.setAttribute("aria-hidden", "true");
  sparkSvg.append(sparkArea, sparkLine);
  const sparkCaption = el("figcaption", "spark-caption");
  const sparkPeak = el("span", "spark-peak");
  const spark = el("figure", "spark", sparkSvg, el("div", "spark-legend", sparkCaption, sparkPeak));

  const alarmsTitle = el("h3", "alarms-title");
  const alarmList = el("ul", "alarm-list");
  const alarms = el("section", "alarms", alarmsTitle, alarmList);
  alarms.hidden = true;

  const root = el(
    "article",
    "card",
    el("header", "card-head", el("div", "card-title", name, el("p", "card-meta", id, kind)), trainee),
    badge,
    alarms,
    el("div", "program", programLabel, programName),
    el("dl", "gauges", speed.element, load.element, feed.element, parts.element),
    spark,
  );
  root.dataset.machine = machine.id;
  return {
    root,
    link,
    id,
    kind,
    trainee,
    traineeLabel,
    traineeName,
    badgeUse: badgeIcon.use,
    badgeText,
    badgeSince,
    programLabel,
    programName,
    speed,
    load,
    loadBar,
    feed,
    parts,
    sparkArea,
    sparkLine,
    sparkCaption,
    sparkPeak,
    spark,
    alarmsTitle,
    alarmList,
    alarms,
  };
}

/**
 * @param {MachineSnapshot | null} snapshot
 * @param {string} id a signal id
 */
function signal(snapshot, id) {
  const entry = snapshot?.signals?.[id];
  return entry === undefined ? null : entry.value;
}

/**
 * Bring a card up to date with its machine (`machine.occupant`: see
 * sessions.js describeOccupant). `ctx`: { t, number, time, now,
 * windowMs, kindLabel } — the translator and formatters of the current
 * language, and the server-corrected current time.
 * @param {MachineCard} p
 * @param {CardMachine} machine
 * @param {CardContext} ctx
 */
export function renderMachineCard(p, machine, ctx) {
  const { t, number } = ctx;
  const snap = machine.snapshot;
  const state = snap?.state ?? "unknown";

  if (p.root.dataset.state !== state) {
    p.root.dataset.state = state;
    p.badgeUse.setAttribute("href", `#${stateIcon(state)}`);
  }
  setText(p.link, machine.name);
  setAttr(p.link, "aria-label", t("card.details", { name: machine.name }));
  setText(p.id, machine.id);
  setText(p.kind, ctx.kindLabel(machine.kind));
  setText(p.badgeText, t(`state.${state}`));
  setText(p.badgeSince, snap ? t("state.for", { duration: formatDuration(ctx.now - snap.since, t) }) : "");

  // Never the pseudonym: a name for instructors, "you" for the trainee themself, else only that someone is there.
  const who = machine.occupant;
  p.trainee.classList.toggle("trainee-none", who === null);
  p.trainee.classList.toggle("trainee-you", who?.kind === "you");
  setText(p.traineeLabel, who === null ? t("field.noTrainee") : `${t("field.trainee")}:`);
  setText(
    p.traineeName,
    who === null ? "" : who.kind === "name" ? who.name : t(who.kind === "you" ? "who.you" : "who.occupied"),
  );

  const program = signal(snap, "program.name");
  setText(p.programLabel, t("field.program"));
  setText(p.programName, program === null || program === "" ? t("field.noProgram") : String(program));
  p.programName.classList.toggle("missing", program === null || program === "");

  setText(p.speed.label, t("field.spindleSpeed"));
  setText(p.speed.value, number(signal(snap, "spindle.speed")));
  setText(p.speed.unit, t("unit.rpm"));

  const load = signal(snap, "spindle.load");
  setText(p.load.label, t("field.spindleLoad"));
  setText(p.load.value, number(load));
  setText(p.load.unit, t("unit.percent"));
  const loadPercent = typeof load === "number" ? Math.max(0, Math.min(100, load)) : 0;
  const transform = `scaleX(${loadPercent / 100})`;
  if (p.loadBar.style.transform !== transform) p.loadBar.style.transform = transform;
  p.loadBar.classList.toggle("high", loadPercent >= 90);

  setText(p.feed.label, t("field.feedOverride"));
  setText(p.feed.value, number(signal(snap, "feed.override")));
  setText(p.feed.unit, t("unit.percent"));

  setText(p.parts.label, t("field.partCount"));
  setText(p.parts.value, number(signal(snap, "part.count")));
  setText(p.parts.unit, "");

  renderAlarms(p, snap?.alarms ?? [], ctx);
  renderSparkline(p, machine.samples, ctx);
}

/**
 * @param {MachineCard} p
 * @param {readonly ActiveAlarm[]} alarms
 * @param {CardContext} ctx
 */
function renderAlarms(p, alarms, ctx) {
  const { t } = ctx;
  p.alarms.hidden = alarms.length === 0;
  if (alarms.length === 0) {
    if (p.alarmList.firstChild) p.alarmList.replaceChildren();
    return;
  }
  setText(p.alarmsTitle, t("alarms.title"));
  // Faults before warnings, newest first: the thing to act on is on top.
  const sorted = [...alarms].sort((a, b) =>
    a.severity === b.severity ? b.since - a.since : a.severity === "fault" ? -1 : 1,
  );
  const items = sorted.slice(0, MAX_ALARMS_SHOWN).map((alarm) => {
    const item = el(
      "li",
      `alarm alarm-${alarm.severity}`,
      icon(alarm.severity === "fault" ? "i-alarm" : "i-warning", "alarm-icon"),
      el("span", "alarm-code", alarm.nativeCode || alarm.key),
      el("span", "alarm-text", alarm.text || t(`severity.${alarm.severity}`)),
      el("span", "alarm-since", t("alarms.since", { time: ctx.time.since(alarm.since, ctx.now) })),
    );
    item.title = `${t(`severity.${alarm.severity}`)} ${alarm.nativeCode}`;
    return item;
  });
  if (sorted.length > MAX_ALARMS_SHOWN) {
    items.push(el("li", "alarm-more", t("alarms.more", { n: sorted.length - MAX_ALARMS_SHOWN })));
  }
  // Rebuilt only when the visible content changed, so the ticking clock does not thrash the list.
  const signature = items.map((i) => i.textContent).join("\n");
  if (p.alarmList.dataset.signature !== signature) {
    p.alarmList.dataset.signature = signature;
    p.alarmList.replaceChildren(...items);
  }
}

/**
 * @param {MachineCard} p
 * @param {readonly SparkSample[]} samples
 * @param {CardContext} ctx
 */
function renderSparkline(p, samples, ctx) {
  const { t } = ctx;
  const minutes = Math.round(ctx.windowMs / 60_000);
  const paths = sparklinePaths(samples, {
    now: ctx.now,
    windowMs: ctx.windowMs,
    width: SPARK_WIDTH,
    height: SPARK_HEIGHT,
  });
  p.spark.classList.toggle("spark-empty", paths === null);
  setText(p.sparkCaption, paths === null ? t("sparkline.empty") : t("sparkline.label", { minutes }));
  setText(
    p.sparkPeak,
    paths === null || paths.peak === 0 ? "" : `↑ ${ctx.number(paths.peak)} ${t("unit.rpm")}`,
  );
  setAttr(p.sparkLine, "d", paths?.line ?? "");
  setAttr(p.sparkArea, "d", paths?.area ?? "");
}
