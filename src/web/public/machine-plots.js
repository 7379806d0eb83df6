// The machine page's two uPlot charts: spindle speed with spindle load, and
// feed override. uPlot draws on a canvas and is small and fast; it is served
// by the gateway (/assets/uPlot.esm.js), never from a CDN. Redraws are
// batched by the caller (at most once a second).

import uPlot from "./uPlot.esm.js";

/** @import { PageContext } from "./shell.js" */

const AXIS = { stroke: "#c9d3dd", grid: { stroke: "#263342", width: 1 }, ticks: { stroke: "#263342" } };
const COLOURS = { speed: "#56b4e9", load: "#e69f00", feed: "#3fd3a5" };

/** @param {HTMLElement} element */
function size(element) {
  const width = Math.max(280, element.clientWidth);
  return { width, height: width < 600 ? 180 : 240 };
}

/**
 * @param {HTMLElement} element
 * @param {{ series: { label: string, stroke: string, scale: string, dash?: number[] }[], axes: { scale: string, label: string, side: number }[], timeZone: string, time: { clock(ts: number): string } }} spec
 */
function createPlot(element, spec) {
  // Site time, 24-hour, whatever the browser's locale: "13:05", or "12.03 13:05" across midnight.
  const clock = (/** @type {number} */ ts) => spec.time.clock(ts * 1000).slice(0, 5);
  /** @type {uPlot.Options} */
  const options = {
    ...size(element),
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), spec.timeZone),
    cursor: { drag: { x: false, y: false } },
    legend: { live: false },
    scales: { x: { time: true } },
    series: [
      {},
      ...spec.series.map((s) => ({
        label: s.label,
        stroke: s.stroke,
        scale: s.scale,
        width: 2,
        dash: s.dash,
        spanGaps: false,
      })),
    ],
    axes: [
      { ...AXIS, values: (_u, splits) => splits.map(clock) },
      ...spec.axes.map((a) => ({ ...AXIS, scale: a.scale, label: a.label, side: a.side, size: 60 })),
    ],
  };
  const plot = new uPlot(options, [[], ...spec.series.map(() => [])], element);
  // The canvas is a picture; the page's numbers are in the "now" panel, in text.
  element.querySelector("canvas")?.setAttribute("aria-hidden", "true");
  new ResizeObserver(() => plot.setSize(size(element))).observe(element);
  return plot;
}

/** @typedef {ReturnType<typeof createMachinePlots>} MachinePlots */

/**
 * Both plots, labelled in the current language. Rebuilt when the language changes.
 * @param {{ spindle: HTMLElement, feed: HTMLElement, ctx: PageContext, timeZone: string }} parts
 */
export function createMachinePlots({ spindle, feed, ctx, timeZone }) {
  const { t } = ctx;
  spindle.replaceChildren();
  feed.replaceChildren();
  const speedLabel = `${t("field.spindleSpeed")} (${t("unit.rpm")})`;
  const loadLabel = `${t("field.spindleLoad")} (${t("unit.percent")})`;
  const spindlePlot = createPlot(spindle, {
    timeZone,
    time: ctx.time,
    series: [
      { label: speedLabel, stroke: COLOURS.speed, scale: "rpm" },
      { label: loadLabel, stroke: COLOURS.load, scale: "%", dash: [6, 4] },
    ],
    axes: [
      { scale: "rpm", label: speedLabel, side: 3 },
      { scale: "%", label: loadLabel, side: 1 },
    ],
  });
  const feedLabel = `${t("field.feedOverride")} (${t("unit.percent")})`;
  const feedPlot = createPlot(feed, {
    timeZone,
    time: ctx.time,
    series: [{ label: feedLabel, stroke: COLOURS.feed, scale: "%" }],
    axes: [{ scale: "%", label: feedLabel, side: 3 }],
  });
  return {
    /**
     * @param {[number[], ...(number | null)[][]]} data [xs, speed, load, feed] aligned (alignSeries)
     * @param {number} from window start, ms
     * @param {number} to window end, ms
     */
    draw(data, from, to) {
      const [xs, speed, load, feedValues] = data;
      const x = { min: from / 1000, max: to / 1000 };
      spindlePlot.batch(() => {
        spindlePlot.setData([xs, speed, load], false);
        spindlePlot.setScale("x", x);
      });
      feedPlot.batch(() => {
        feedPlot.setData([xs, feedValues], false);
        feedPlot.setScale("x", x);
      });
    },
    destroy() {
      spindlePlot.destroy();
      feedPlot.destroy();
    },
  };
}
