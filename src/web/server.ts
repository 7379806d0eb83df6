import type { AddressInfo } from "node:net";
import type { WebApp } from "./app.ts";

// The gateway imports both halves from here; the app itself lives in app.ts.
export { createWebApp, type WebApp, type WebDeps } from "./app.ts";

export type RunningWebServer = {
  /** The port actually bound (useful with port 0). */
  port: number;
  /** Stop accepting, end live streams, and wait for open requests (forcing them after a grace period). */
  close(): Promise<void>;
};

/** How long open requests get to finish on shutdown before their sockets are cut. */
const CLOSE_GRACE_MS = 2000;

/** Listen with the app. All the behaviour lives in the app; this is only the socket. */
export async function startWebServer(
  app: WebApp,
  options: { host: string; port: number },
): Promise<RunningWebServer> {
  try {
    await app.listen({ host: options.host, port: options.port });
  } catch (err) {
    await app.close().catch(() => {});
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`web: cannot listen on ${options.host}:${options.port}: ${reason}`, { cause: err });
  }
  const port = (app.server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= (async () => {
        // app.close() ends the live streams and idle keep-alive sockets; a request still running
        // after the grace period (a slow history query) is cut rather than holding shutdown up.
        const force = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
        force.unref();
        try {
          await app.close();
        } finally {
          clearTimeout(force);
        }
      })();
      return closing;
    },
  };
}
