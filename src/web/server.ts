import { createServer, type Server } from "node:http";
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

/** Listen with the app's handler. All the behaviour lives in the app; this is only the socket. */
export async function startWebServer(
  app: WebApp,
  options: { host: string; port: number },
): Promise<RunningWebServer> {
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, app.handler);
  await listen(server, options.host, options.port);
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    port,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        // Live streams never end by themselves; without this server.close() would wait forever.
        app.close();
        const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        force.unref();
        server.close((err) => {
          clearTimeout(force);
          if (err) reject(err);
          else resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) =>
      reject(new Error(`web: cannot listen on ${host}:${port}: ${err.message}`, { cause: err }));
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}
