import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { pino } from "pino";
import { ProgramLibrary } from "../../../src/dnc/library/library.ts";
import { type DncApiDeps, type DncLineEntry, dncApi } from "../../../src/web/api/dnc/index.ts";
import { createWebApp, type WebApp } from "../../../src/web/app.ts";
import { FakeAuthenticator, PASSWORD } from "../support/fake-authenticator.ts";
import { FakeFleet } from "../support/fake-fleet.ts";

/** Who is checked in where, as the session service would say; tests flip it. */
export class FakeCheckIns {
  readonly #at = new Set<string>();
  checkIn(userId: string, machine: string): void {
    this.#at.add(`${userId}@${machine}`);
  }
  isCheckedIn(userId: string, machine: string): boolean {
    return this.#at.has(`${userId}@${machine}`);
  }
  pseudonymOf(userId: string): string {
    return `p-${userId.slice(-1)}`;
  }
}

export type Harness = {
  authenticator: FakeAuthenticator;
  library: ProgramLibrary;
  checkIns: FakeCheckIns;
  close(): Promise<void>;
};

/** A library in a fresh temporary directory, removed by `close()`. */
export function tempLibrary(): { library: ProgramLibrary; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), "maskinport-dncweb-"));
  const library = ProgramLibrary.open(join(dir, "library.db"));
  return {
    library,
    close() {
      library.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The web app with the DNC routes over the given lines, the fake user store and check-ins. */
export function buildDncApp(
  lines: DncLineEntry[],
  options: Partial<Pick<DncApiDeps, "maxProgramBytes" | "tuning">> = {},
): Harness & { app: WebApp } {
  const { library, close } = tempLibrary();
  const checkIns = new FakeCheckIns();
  const authenticator = new FakeAuthenticator();
  // A second trainee, to show that one trainee cannot touch another's transfer.
  authenticator.users.set("per", { userId: "u-trainee-2", role: "trainee" });
  const app = createWebApp(
    new FakeFleet().deps({
      auth: { authenticator },
      apiRoutes: [
        dncApi({
          lines: () => lines,
          library,
          checkIns,
          timeZone: "Europe/Oslo",
          log: pino({ level: "silent" }),
          ...options,
        }),
      ],
    }),
  );
  return {
    app,
    authenticator,
    library,
    checkIns,
    async close() {
      await app.close();
      close();
    },
  };
}

export type Client = {
  userId: string;
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
};

/** Log in as ola (trainee u-trainee-1), per (trainee u-trainee-2), kari (instructor u-instructor-1) or root (admin). */
export async function loginAs(app: WebApp, username: "ola" | "per" | "kari" | "root"): Promise<Client> {
  const res = await app.inject({
    method: "POST",
    url: "/api/login",
    payload: { username, password: PASSWORD },
  });
  if (res.statusCode !== 200) throw new Error(`login as ${username} failed: ${res.body}`);
  const token = res.cookies.find((c) => c.name === "maskinport_session")!.value;
  const { csrfToken, userId } = res.json() as { csrfToken: string; userId: string };
  return {
    userId,
    inject: (options) =>
      app.inject({
        ...options,
        headers: {
          cookie: `maskinport_session=${token}`,
          "x-csrf-token": csrfToken,
          ...(options.headers ?? {}),
        },
      }),
  };
}
