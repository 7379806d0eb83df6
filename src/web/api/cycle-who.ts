import type { UserService } from "../../training/people/users.ts";
import type { SessionService } from "../../training/sessions/sessions.ts";
import type { CycleWho, CycleWhoResolver } from "../machine-events-route.ts";
import { traineeRef } from "./session-view.ts";
import { seesNames } from "./viewer.ts";

// Who ran each cycle on the machine page. The history store keeps the
// session pseudonym a cycle was stamped with; the training store knows which
// trainees held sessions on that machine, and the pseudonym of each is
// `sessions.pseudonymOf(userId)`. So: the sessions on the machine over the
// cycles' span, their holders' pseudonyms, and each cycle's pseudonym looked
// up among them. A pseudonym that matches nobody who was there (an erased
// trainee, another site's secret) stays unresolved rather than guessed from
// the time alone.

export type CycleWhoDeps = {
  users: UserService;
  sessions: Pick<SessionService, "pseudonymOf">;
  /** Who held a session on `machine` overlapping [from, to) (the training store's `listSessions`). */
  sessionsOn(machine: string, from: number, to: number): Promise<readonly { userId: string }[]>;
};

export function cycleWhoResolver(deps: CycleWhoDeps): CycleWhoResolver {
  return async ({ machine, viewer, cycles }) => {
    const stamped = cycles.filter((c) => c.session !== null);
    if (stamped.length === 0) return cycles.map(() => null);
    const from = Math.min(...stamped.map((c) => c.startedAt));
    // +1: sessions are half-open, and a cycle ending at the very instant of a check-out still counts.
    const to = Math.max(...stamped.map((c) => c.endedAt)) + 1;
    const holders = new Map<string, string>(); // pseudonym → user id
    for (const s of await deps.sessionsOn(machine, from, to)) {
      holders.set(deps.sessions.pseudonymOf(s.userId), s.userId);
    }
    const names = new Map<string, { id: string; name: string }>();
    if (viewer !== undefined && seesNames(viewer)) {
      for (const userId of new Set(holders.values())) names.set(userId, await traineeRef(deps.users, userId));
    }
    return cycles.map((c): CycleWho | null => {
      const userId = c.session === null ? undefined : holders.get(c.session);
      if (userId === undefined) return null;
      return { you: viewer?.userId === userId, trainee: names.get(userId) ?? null };
    });
  };
}
