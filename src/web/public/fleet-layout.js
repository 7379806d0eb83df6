// Fits the card grid to the screen: column count and a first scale from
// fitGrid's estimate, then the scale refined against the cards' real height
// (which depends on their content: alarms, wrapped names). Runs only when
// something that changes card size changed, never per update.

import { fitGrid, naturalColumns } from "./layout.js";

/** A card's typical size at scale 1, in rem (the rem itself grows with the screen, see live.css). */
const CARD_REM = { width: 23, height: 24 };
const MIN_SCALE = 0.8;
const MAX_SCALE = 2.2;

/**
 * @param {HTMLElement} grid
 * @param {HTMLElement | null} footer
 */
export function createFleetLayout(grid, footer) {
  let lastKey = "";

  function measure() {
    const rem = Number.parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
    const style = getComputedStyle(grid);
    const px = (
      /** @type {"rowGap" | "paddingLeft" | "paddingRight" | "paddingTop" | "paddingBottom"} */ name,
    ) => Number.parseFloat(style[name]) || 0;
    const top = grid.getBoundingClientRect().top + window.scrollY;
    return {
      rem,
      gap: px("rowGap"),
      width: grid.clientWidth - px("paddingLeft") - px("paddingRight"),
      height: window.innerHeight - top - (footer?.offsetHeight ?? 0) - px("paddingTop") - px("paddingBottom"),
    };
  }

  /** @param {number} scale */
  function setScale(scale) {
    grid.style.setProperty("--card-scale", scale.toFixed(3));
  }

  /**
   * Height the cards take now, top of the first row to bottom of the last.
   * @param {readonly Element[]} cards
   */
  function contentHeight(cards) {
    let top = Number.POSITIVE_INFINITY;
    let bottom = 0;
    for (const card of cards) {
      const box = card.getBoundingClientRect();
      top = Math.min(top, box.top);
      bottom = Math.max(bottom, box.bottom);
    }
    return bottom - top;
  }

  /** @param {readonly Element[]} cards */
  function apply(cards) {
    const { rem, gap, width, height } = measure();
    const base = { width: CARD_REM.width * rem, height: CARD_REM.height * rem };
    const fit = fitGrid({
      count: cards.length,
      width,
      height,
      baseWidth: base.width,
      baseHeight: base.height,
      gap,
      minScale: MIN_SCALE,
      maxScale: MAX_SCALE,
    });
    // Phones, and fleets too large for one screen, keep natural size and scroll.
    const scrollInstead = () => {
      grid.style.setProperty("--columns", String(naturalColumns(cards.length, width, base.width, gap)));
      setScale(1);
    };
    if (!fit.fits || width < base.width * 1.5) return scrollInstead();
    grid.style.setProperty("--columns", String(fit.columns));
    setScale(fit.scale);
    const cardWidth = (width - gap * (fit.columns - 1)) / fit.columns;
    let scale = fit.scale;
    // Style changes inside one task are never painted in between, so these passes do not flicker.
    for (let pass = 0; pass < 4; pass++) {
      const room = Math.min(height / contentHeight(cards), cardWidth / (base.width * scale));
      const next = Math.min(MAX_SCALE, scale * room);
      if (next < MIN_SCALE) return scrollInstead();
      if (Math.abs(next - scale) < 0.01) break;
      scale = next;
      setScale(scale);
    }
  }

  return {
    /**
     * Re-fit if `key` (what determines card sizes) or the window size changed.
     * @param {readonly Element[]} cards
     * @param {string} key
     */
    update(cards, key) {
      const fullKey = `${key}|${cards.length}|${window.innerWidth}x${window.innerHeight}`;
      if (fullKey === lastKey) return;
      lastKey = fullKey;
      apply(cards);
    },
  };
}
