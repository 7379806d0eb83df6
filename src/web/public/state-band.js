// The state timeline band above the plots: one block per state segment, in
// the state's colour and, for alarm, with stripes; a legend with icon and
// word per state; and a text summary for screen readers (the band is an image).

import { formatDuration } from "./format.js";
import { icon, stateIcon } from "./machine-card.js";

/** @import { PageContext } from "./shell.js" */

/**
 * @param {HTMLElement} band
 * @param {HTMLElement} legend
 * @param {{ state: string, from: number, to: number }[]} segments
 * @param {number} from
 * @param {number} to
 * @param {PageContext & { now: number }} ctx
 */
export function renderStateBand(band, legend, segments, from, to, ctx) {
  const span = Math.max(1, to - from);
  const totals = new Map();
  const blocks = segments.map((s) => {
    totals.set(s.state, (totals.get(s.state) ?? 0) + (s.to - s.from));
    const block = document.createElement("span");
    block.className = "band-segment";
    block.dataset.state = s.state;
    block.style.left = `${((s.from - from) / span) * 100}%`;
    block.style.width = `${((s.to - s.from) / span) * 100}%`;
    block.title = `${ctx.stateLabel(s.state)}: ${ctx.time.since(s.from, ctx.now)} – ${formatDuration(s.to - s.from, ctx.t)}`;
    return block;
  });
  band.replaceChildren(...blocks);
  const order = [...totals.entries()].sort((a, b) => b[1] - a[1]);
  const summary = order
    .map(([state, ms]) => `${ctx.stateLabel(state)} ${formatDuration(ms, ctx.t)}`)
    .join(", ");
  band.setAttribute("aria-label", `${ctx.t("machine.states")}: ${summary}`);
  legend.replaceChildren(
    ...order.map(([state, ms]) => {
      const item = document.createElement("li");
      item.dataset.state = state;
      const swatch = document.createElement("span");
      swatch.className = "band-swatch";
      swatch.dataset.state = state;
      const text = document.createElement("span");
      text.textContent = `${ctx.stateLabel(state)} ${formatDuration(ms, ctx.t)}`;
      item.append(swatch, icon(stateIcon(state)), text);
      return item;
    }),
  );
}
