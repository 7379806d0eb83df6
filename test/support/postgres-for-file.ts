import { afterAll, beforeAll } from "vitest";
import { type Postgres, startPostgres } from "./postgres.ts";

/**
 * One PostgreSQL for the calling test file: started before its tests (a
 * missing PostgreSQL fails there, loudly), stopped after them. Call at the
 * top level of the file; read `url` inside tests and hooks, not before.
 */
export function postgresForFile(): { readonly url: string } {
  let server: Postgres | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get url() {
      if (!server) throw new Error("postgresForFile: url read before the file's beforeAll ran");
      return server.url;
    },
  };
}
