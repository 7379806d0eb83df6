import type { ApiRoutes } from "../../../src/web/app.ts";
import { FakeAuthenticator } from "./fake-authenticator.ts";

/**
 * Stands in for the training API's sessions part (API-CONTRACT.md "People and
 * sessions") until the real one is on main: GET /api/sessions, POST
 * /api/machines/:id/checkin and /checkout, with the contract's rules on who
 * sees names. One trainee per machine, refuse when occupied.
 */
export class FakeSessionsApi {
  readonly open = new Map<string, { userId: string; since: number }>();

  readonly machineIds: readonly string[];
  readonly names: ReadonlyMap<string, string>;

  constructor(machineIds: readonly string[], names: ReadonlyMap<string, string>) {
    this.machineIds = machineIds;
    this.names = names;
  }

  routes(): ApiRoutes {
    return (app, access) => {
      const seesNames = (role: string) => role === "instructor" || role === "admin";
      const trainee = (userId: string) => ({ id: userId, name: this.names.get(userId) ?? userId });

      app.get("/api/sessions", { onRequest: access.requireLogin }, async (request) => {
        const viewer = access.sessionOf(request);
        return {
          sessions: [...this.open].map(([machine, s]) => ({
            machine,
            sessionId: `s-${machine}`,
            since: s.since,
            source: "api",
            you: s.userId === viewer.userId,
            trainee: seesNames(viewer.role) ? trainee(s.userId) : null,
          })),
        };
      });

      app.post<{ Params: { id: string } }>(
        "/api/machines/:id/checkin",
        { onRequest: access.requireLogin },
        async (request, reply) => {
          const viewer = access.sessionOf(request);
          const machine = request.params.id;
          if (!this.machineIds.includes(machine))
            return reply.code(404).send({ error: "not_found", message: "no machine" });
          const holder = this.open.get(machine);
          if (holder && holder.userId !== viewer.userId) {
            return reply.code(409).send({
              error: "occupied",
              message: "occupied",
              since: holder.since,
              you: false,
              ...(seesNames(viewer.role) ? { occupant: trainee(holder.userId) } : {}),
            });
          }
          for (const [m, s] of this.open) if (s.userId === viewer.userId) this.open.delete(m);
          const since = Date.now();
          this.open.set(machine, { userId: viewer.userId, since });
          return {
            session: { machine, sessionId: `s-${machine}`, since, source: "api", you: true, trainee: null },
          };
        },
      );

      app.post<{ Params: { id: string } }>(
        "/api/machines/:id/checkout",
        { onRequest: access.requireLogin },
        async (request, reply) => {
          const viewer = access.sessionOf(request);
          const holder = this.open.get(request.params.id);
          if (!holder) return reply.code(409).send({ error: "not_checked_in", message: "nobody" });
          if (viewer.role === "trainee" && holder.userId !== viewer.userId) {
            return reply.code(403).send({ error: "not_yours", message: "not yours" });
          }
          this.open.delete(request.params.id);
          return { ended: true };
        },
      );
    };
  }
}

/** The fake user store plus display names, as the training store's authenticator offers them. */
export class NamedFakeAuthenticator extends FakeAuthenticator {
  readonly displayNames = new Map([
    ["u-trainee-1", "Ola Nordmann"],
    ["u-trainee-2", "Kari Elev"],
    ["u-instructor-1", "Kari Instruktør"],
    ["u-admin-1", "Admin"],
  ]);

  constructor() {
    super();
    this.users.set("siri", { userId: "u-trainee-2", role: "trainee" });
  }

  async displayNameOf(userId: string): Promise<string | undefined> {
    return this.displayNames.get(userId);
  }
}
