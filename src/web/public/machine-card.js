// One machine's card on the live page: built once, then updated in place
// (text only changes when it differs), so hundreds of updates a second cost
// next to nothing and nothing ever goes through innerHTML.

import { formatDuration } from "./format.js";
import { sparklinePaths } from "./sparkline.js";

const SVG_NS = "http://www.w3.org/2000/svg";
const SPARK_WIDTH = 300;
const SPARK_HEIGHT = 44;
const MAX_ALARMS_SHOWN = 3;

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

export function icon(id, className = "icon") {
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("class", className);
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS(SVG_NS, "use");
  use.setAttribute("href", `#${id}`);
  svg.append(use);
  return svg;
}

function el(tag, className, ...children) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function gauge(parts) {
  parts.label = el("dt", "gauge-label");
  parts.value = el("span", "gauge-value");
  parts.unit = el("span", "gauge-unit");
  return el("div", "gauge", parts.label, el("dd", "gauge-reading", parts.value, parts.unit));
}

/** Build the DOM of a card. Returns the element and handles to the parts that change. */
export function createMachineCard(machine) {
  const p = { speed: {}, load: {}, feed: {}, parts: {} };
  p.link = el("a", "card-link");
  p.link.href = `/machines/${encodeURIComponent(machine.id)}`;
  p.name = el("h2", "card-name", p.link);
  p.id = el("span", "card-id");
  p.kind = el("span", "card-kind");
  p.traineeLabel = el("span", "trainee-label");
  p.traineeName = el("span", "trainee-name");
  p.trainee = el(
    "div",
    "trainee",
    icon("i-person"),
    el("span", "trainee-text", p.traineeLabel, p.traineeName),
  );

  p.badgeUse = icon(STATE_ICONS.unknown, "badge-icon");
  p.badgeText = el("span", "badge-text");
  p.badgeSince = el("span", "badge-since");
  p.badge = el("div", "badge", p.badgeUse, p.badgeText, p.badgeSince);
  p.badge.setAttribute("role", "status");

  p.programLabel = el("span", "program-label");
  p.programName = el("span", "program-name");

  p.loadBar = el("span", "load-bar-fill");
  const loadGauge = gauge(p.load);
  loadGauge.lastChild.append(el("span", "load-bar", p.loadBar)); // inside the dd: a dl's div holds only dt and dd

  p.sparkArea = document.createElementNS(SVG_NS, "path");
  p.sparkArea.setAttribute("class", "spark-area");
  p.sparkLine = document.createElementNS(SVG_NS, "path");
  p.sparkLine.setAttribute("class", "spark-line");
  const sparkSvg = document.createElementNS(SVG_NS, "svg");
  sparkSvg.setAttribute("viewBox", `0 0 ${SPARK_WIDTH} ${SPARK_HEIGHT}`);
  sparkSvg.setAttribute("preserveAspectRatio", "none");
  sparkSvg.setAttribute("class", "spark-svg");
  sparkSvg.setAttribute("aria-hidden", "true");
  sparkSvg.append(p.sparkArea, p.sparkLine);
  p.sparkCaption = el("figcaption", "spark-caption");
  p.sparkPeak = el("span", "spark-peak");
  p.spark = el("figure", "spark", sparkSvg, el("div", "spark-legend", p.sparkCaption, p.sparkPeak));

  p.alarmsTitle = el("h3", "alarms-title");
  p.alarmList = el("ul", "alarm-list");
  p.alarms = el("section", "alarms", p.alarmsTitle, p.alarmList);
  p.alarms.hidden = true;

  const root = el(
    "article",
    "card",
    el("header", "card-head", el("div", "card-title", p.name, el("p", "card-meta", p.id, p.kind)), p.trainee),
    p.badge,
    p.alarms,
    el("div", "program", p.programLabel, p.programName),
    el("dl", "gauges", gauge(p.speed), loadGauge, gauge(p.feed), gauge(p.parts)),
    p.spark,
  );
  root.dataset.machine = machine.id;
  p.root = root;
  return p;
}

function signal(snapshot, id) {
  const entry = snapshot?.signals?.[id];
  return entry === undefined ? null : entry.value;
}

/**
 * Bring a card up to date with its machine (`machine.occupant`: see
 * sessions.js describeOccupant). `ctx`: { t, number, time, now,
 * windowMs, kindLabel } — the translator and formatters of the current
 * language, and the server-corrected current time.
 */
export function renderMachineCard(p, machine, ctx) {
  const { t, number } = ctx;
  const snap = machine.snapshot;
  const state = snap?.state ?? "unknown";

  if (p.root.dataset.state !== state) {
    p.root.dataset.state = state;
    p.badgeUse.firstChild.setAttribute("href", `#${STATE_ICONS[state] ?? STATE_ICONS.unknown}`);
  }
  setText(p.link, machine.name);
  p.link.setAttribute("aria-label", t("card.details", { name: machine.name }));
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
  p.loadBar.style.width = `${loadPercent}%`;
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
  p.sparkLine.setAttribute("d", paths?.line ?? "");
  p.sparkArea.setAttribute("d", paths?.area ?? "");
}
