// Grid layout for the wall screen: how many columns, and how much to scale
// the cards so the fleet fills the screen. CSS alone would put six machines
// as 4 + 2 on a 1920 px screen and leave a 4K screen two-thirds empty; here
// we pick the column count that gives the largest cards that still fit, with
// rows as even as possible. Pure: tested in Node.

/**
 * width/height: room for the grid; baseWidth/baseHeight: a card's natural size at scale 1.
 * @param {{ count: number, width: number, height: number, baseWidth: number, baseHeight: number, gap: number, minScale: number, maxScale: number }} o
 * @returns {{ columns: number, scale: number, fits: boolean }} when the fleet cannot fit even at minScale, natural-size
 *   cards in as many columns as the width allows, and the page scrolls (fits: false).
 */
export function fitGrid({ count, width, height, baseWidth, baseHeight, gap, minScale, maxScale }) {
  if (count < 1) return { columns: 1, scale: 1, fits: true };
  const most = Math.max(1, Math.min(count, Math.floor((width + gap) / (baseWidth * minScale + gap))));
  let best = { columns: 1, scale: 0 };
  for (let columns = 1; columns <= most; columns++) {
    if (balance(count, columns) !== columns) continue; // 3 + 3 rather than 4 + 2
    const rows = Math.ceil(count / columns);
    const cardWidth = (width - gap * (columns - 1)) / columns;
    const cardHeight = (height - gap * (rows - 1)) / rows;
    const scale = Math.min(cardWidth / baseWidth, cardHeight / baseHeight);
    if (scale > best.scale) best = { columns, scale };
  }
  if (best.scale >= minScale)
    return { columns: best.columns, scale: Math.min(maxScale, best.scale), fits: true };
  return { columns: naturalColumns(count, width, baseWidth, gap), scale: 1, fits: false };
}

/**
 * Columns of natural-size cards (scale 1) that fit the width, rows balanced.
 * @param {number} count
 * @param {number} width
 * @param {number} baseWidth
 * @param {number} gap
 */
export function naturalColumns(count, width, baseWidth, gap) {
  return balance(count, Math.max(1, Math.min(count, Math.floor((width + gap) / (baseWidth + gap)))));
}

/**
 * Columns for even rows: 6 cards in at most 4 columns → 3.
 * @param {number} count
 * @param {number} maxColumns
 */
export function balance(count, maxColumns) {
  const rows = Math.ceil(count / maxColumns);
  return Math.ceil(count / rows);
}
