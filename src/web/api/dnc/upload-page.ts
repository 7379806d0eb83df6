import type { FastifyInstance } from "fastify";
import { PUBLIC_ACCESS } from "../../auth/access.ts";
import { DEFAULT_LANGUAGE, LANGUAGES } from "../../i18n.ts";
import { escapeHtml, jsonForScript, withPartials } from "../../live-page.ts";
import { sendAsset } from "../../page-routes.ts";
import { makeAsset, readPublicFile, type StaticAsset } from "../../static-assets.ts";
import { dncPageDictionary } from "./texts.ts";
import { TRANSFER_STATES } from "./transfer-registry.ts";

/** What the upload page needs besides the API. Embedded in the page as JSON. */
export type UploadPageConfig = {
  timeZone: string;
  maxProgramBytes: number;
  /** Shortest gap between progress messages: the page needs no faster redraw. */
  progressIntervalMs: number;
  states: readonly string[];
  defaultLanguage: typeof DEFAULT_LANGUAGE;
  languages: readonly string[];
  i18n: Record<string, Record<string, string>>;
};

export function uploadPageConfig(options: {
  timeZone: string;
  maxProgramBytes: number;
  progressIntervalMs: number;
}): UploadPageConfig {
  return {
    ...options,
    states: TRANSFER_STATES,
    defaultLanguage: DEFAULT_LANGUAGE,
    languages: LANGUAGES,
    i18n: dncPageDictionary(),
  };
}

/**
 * public/dnc.html with the shared menu bar and icons (`<!--include:…-->`),
 * `{{t:key}}` in the default language (readable before any script runs) and
 * the config as a JSON data block, the other pages' way. Rendered once.
 */
export function renderUploadPage(config: UploadPageConfig): StaticAsset {
  const texts = config.i18n[config.defaultLanguage]!;
  const html = withPartials(readPublicFile("dnc.html").toString("utf8"))
    .replace('<html lang="nb">', `<html lang="${config.defaultLanguage}">`)
    .replace(/\{\{t:([\w.-]+)\}\}/g, (_, key: string) => {
      const text = texts[key];
      if (text === undefined) throw new Error(`dnc.html uses unknown i18n key "${key}"`);
      return escapeHtml(text);
    })
    .replace(
      "<!--maskinport-config-->",
      () => `<script type="application/json" id="maskinport-config">${jsonForScript(config)}</script>`,
    );
  return makeAsset(Buffer.from(html, "utf8"), "text/html; charset=utf-8");
}

/** `GET /dnc`: the page shell, public like `/` (it holds no data; the API checks the login). */
export function uploadPageRoute(app: FastifyInstance, page: StaticAsset): void {
  app.get("/dnc", PUBLIC_ACCESS, (request, reply) => sendAsset(request, reply, page));
}
