import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

export type StaticAsset = { body: Buffer; contentType: string; etag: string };

/**
 * The page's files, by name. A fixed list rather than a directory walk: the
 * URL can never reach anything else on disk, and a missing file fails at
 * start-up instead of as a 404 on the wall screen.
 */
const ASSET_TYPES: Readonly<Record<string, string>> = {
  "live.css": "text/css; charset=utf-8",
  "card.css": "text/css; charset=utf-8",
  "live.js": "text/javascript; charset=utf-8",
  "i18n.js": "text/javascript; charset=utf-8",
  "format.js": "text/javascript; charset=utf-8",
  "sparkline.js": "text/javascript; charset=utf-8",
  "layout.js": "text/javascript; charset=utf-8",
  "fleet-layout.js": "text/javascript; charset=utf-8",
  "machine-card.js": "text/javascript; charset=utf-8",
  "live-connection.js": "text/javascript; charset=utf-8",
  "favicon.svg": "image/svg+xml",
  // The program upload page (/dnc, src/web/api/dnc).
  "dnc.css": "text/css; charset=utf-8",
  "dnc-page.js": "text/javascript; charset=utf-8",
  "dnc-api.js": "text/javascript; charset=utf-8",
  "dnc-format.js": "text/javascript; charset=utf-8",
  "dnc-dom.js": "text/javascript; charset=utf-8",
  "dnc-records.js": "text/javascript; charset=utf-8",
  "dnc-transfer.js": "text/javascript; charset=utf-8",
  // The app's pages (login, machine detail, alarms, QR sheet, check-in).
  "app.css": "text/css; charset=utf-8",
  "pages.css": "text/css; charset=utf-8",
  "qr.css": "text/css; charset=utf-8",
  "shell.js": "text/javascript; charset=utf-8",
  "api.js": "text/javascript; charset=utf-8",
  "sessions.js": "text/javascript; charset=utf-8",
  "assign.js": "text/javascript; charset=utf-8",
  "login.js": "text/javascript; charset=utf-8",
  "machine.js": "text/javascript; charset=utf-8",
  "machine-plots.js": "text/javascript; charset=utf-8",
  "machine-tables.js": "text/javascript; charset=utf-8",
  "state-band.js": "text/javascript; charset=utf-8",
  "shift.js": "text/javascript; charset=utf-8",
  "plot-data.js": "text/javascript; charset=utf-8",
  "alarms.js": "text/javascript; charset=utf-8",
  "alarm-list.js": "text/javascript; charset=utf-8",
  "checkin.js": "text/javascript; charset=utf-8",
  "qr.js": "text/javascript; charset=utf-8",
  // The evidence pages (progress, courses) and the admin page.
  "evidence.css": "text/css; charset=utf-8",
  "evidence-format.js": "text/javascript; charset=utf-8",
  "goal-list.js": "text/javascript; charset=utf-8",
  "progress.js": "text/javascript; charset=utf-8",
  "courses.js": "text/javascript; charset=utf-8",
  "admin.js": "text/javascript; charset=utf-8",
};

/**
 * Files served from installed packages (node_modules), by the name the page
 * uses. uPlot (MIT) draws the machine detail plots; it is served from the
 * gateway like everything else, never from a CDN.
 */
const VENDOR_ASSETS: Readonly<Record<string, { module: string; contentType: string }>> = {
  "uPlot.esm.js": { module: "uplot/dist/uPlot.esm.js", contentType: "text/javascript; charset=utf-8" },
  "uPlot.min.css": { module: "uplot/dist/uPlot.min.css", contentType: "text/css; charset=utf-8" },
};

const PUBLIC_DIR = new URL("./public/", import.meta.url);

export function readPublicFile(name: string): Buffer {
  return readFileSync(new URL(name, PUBLIC_DIR));
}

export function makeAsset(body: Buffer, contentType: string): StaticAsset {
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
  return { body, contentType, etag };
}

/** Load every asset into memory once; they are small and the shop-floor server should not touch disk per request. */
export function loadStaticAssets(): ReadonlyMap<string, StaticAsset> {
  const assets = new Map<string, StaticAsset>();
  for (const [name, contentType] of Object.entries(ASSET_TYPES)) {
    assets.set(name, makeAsset(readPublicFile(name), contentType));
  }
  const require = createRequire(import.meta.url);
  for (const [name, { module, contentType }] of Object.entries(VENDOR_ASSETS)) {
    assets.set(name, makeAsset(readFileSync(require.resolve(module)), contentType));
  }
  return assets;
}
