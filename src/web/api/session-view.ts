import type { UserService } from "../../training/people/users.ts";
import type { OpenSession } from "../../training/sessions/sessions.ts";
import { seesNames, type Viewer } from "./viewer.ts";

/**
 * One open session as the API shows it. The trainee's name only to
 * instructors and admins; a trainee learns only which session is theirs
 * (`you`). The pseudonym is never shown: nobody needs it, and showing it
 * next to a name would be the one place the two are linked.
 */
export type SessionEntry = {
  machine: string;
  sessionId: string;
  since: number;
  source: OpenSession["source"];
  you: boolean;
  trainee: { id: string; name: string } | null;
};

export async function sessionEntry(
  session: OpenSession,
  viewer: Viewer,
  users: UserService,
): Promise<SessionEntry> {
  return {
    machine: session.machine,
    sessionId: session.sessionId,
    since: session.since,
    source: session.source,
    you: session.userId === viewer.userId,
    trainee: seesNames(viewer) ? await traineeRef(users, session.userId) : null,
  };
}

/** `{ id, name }` of a user for those who may see names (the name reads "(unknown)" for a vanished id). */
export async function traineeRef(users: UserService, userId: string): Promise<{ id: string; name: string }> {
  const user = await users.get(userId);
  return { id: userId, name: user?.displayName ?? "(unknown)" };
}
