import type { FastifyInstance } from "fastify";
import type { AccessControl } from "../auth/access.ts";
import { HttpError, sendJson } from "../responses.ts";
import { type ConfigCheck, type ConfigLoader, checkConfigFile } from "./config-check.ts";
import { maskSecrets } from "./mask-secrets.ts";

/** What the gateway tells the admin page about its configuration (`deps.siteConfig`). */
export type SiteConfigSource = {
  /** The config the gateway runs on; secrets are masked before anything leaves. */
  config: unknown;
  /** The file it was loaded from, when it came from one (tests build configs in memory). */
  file?: string;
  /** When it was loaded and checked; default: when the web app was built, at the gateway's start. */
  loadedAt?: number;
  /** The check-config loader (the gateway's loadSiteConfig); without it "check again" answers 501. */
  load?: ConfigLoader;
};

/**
 * `GET /api/admin/config`: the effective config with every secret masked,
 * the file and when it was loaded, and the latest check result (at start the
 * file was valid, or the gateway would not run). `POST
 * /api/admin/config/check` checks the file on disk now, as `maskinport
 * check-config` would, and that becomes the latest result. Both admin only:
 * even masked, the config maps the school's network.
 */
export function configRoutes(
  app: FastifyInstance,
  options: { access: AccessControl; source: SiteConfigSource | undefined; now: () => number },
): void {
  const { access, source, now } = options;
  const admin = { onRequest: access.requireRole("admin") };
  const loadedAt = source?.loadedAt ?? now();
  let latest: ConfigCheck | null =
    source?.file === undefined ? null : { file: source.file, ok: true, checkedAt: loadedAt, problems: [] };
  const unavailable = () =>
    new HttpError(
      501,
      "no_config_file",
      "this gateway was not started from a config file, so there is nothing to show or check",
    );

  app.get("/api/admin/config", admin, async (_request, reply) => {
    if (source === undefined) throw unavailable();
    return sendJson(reply, 200, {
      file: source.file ?? null,
      loadedAt,
      canCheck: source.file !== undefined && source.load !== undefined,
      check: latest,
      config: maskSecrets(source.config),
    });
  });

  app.post("/api/admin/config/check", admin, async (_request, reply) => {
    if (source?.file === undefined || source.load === undefined) throw unavailable();
    latest = await checkConfigFile(source.file, source.load, now);
    return sendJson(reply, 200, { check: latest });
  });
}
