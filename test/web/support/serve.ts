import { createWebApp, type WebApp, type WebDeps, type WebTuning } from "../../../src/web/app.ts";
import { startWebServer } from "../../../src/web/server.ts";

export type ServedApp = { app: WebApp; baseUrl: string; close(): Promise<void> };

/** The web app on an ephemeral loopback port, as the gateway would run it. */
export async function serve(deps: WebDeps, tuning: Partial<WebTuning> = {}, port = 0): Promise<ServedApp> {
  const app = createWebApp(deps, tuning);
  const server = await startWebServer(app, { host: "127.0.0.1", port });
  return { app, baseUrl: `http://127.0.0.1:${server.port}`, close: () => server.close() };
}
