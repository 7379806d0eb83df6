// Who is checked in where, from GET /api/sessions (any logged-in role). The
// API decides what each viewer may see: names for instructors and admins,
// `you` on a trainee's own session, nothing else. Without a login (the public
// wall screen) the list is unavailable and the wall shows only whether a
// machine has somebody checked in (the snapshot's session, never its pseudonym).

import { currentUser, getJson } from "./api.js";

const REFRESH_DELAY_MS = 300;

/** @typedef {{ machine: string, since: number, you: boolean, trainee: { id: string, name: string } | null }} SessionEntry */
/** @typedef {{ kind: "name", name: string } | { kind: "you" } | { kind: "someone" } | null} Occupant */

/** @param {() => void} onChange called after each refresh */
export function createSessionDirectory(onChange) {
  /** @type {Map<string, SessionEntry> | null} null: not known (no login, or no sessions API on this gateway) */
  let byMachine = null;
  let timer = /** @type {ReturnType<typeof setTimeout> | null} */ (null);

  async function refresh() {
    timer = null;
    // Nobody logged in (the public wall): not worth a request that can only answer 401.
    const answer = (await currentUser()) ? await getJson("/api/sessions").catch(() => null) : null;
    if (answer?.ok && Array.isArray(answer.body?.sessions)) {
      /** @type {SessionEntry[]} */
      const sessions = answer.body.sessions;
      byMachine = new Map(sessions.map((s) => [s.machine, s]));
    } else {
      byMachine = null;
    }
    onChange();
  }

  return {
    refresh,
    /** Session events arrive in bursts (a trainee moving machines ends one and starts another). */
    refreshSoon() {
      if (timer === null) timer = setTimeout(refresh, REFRESH_DELAY_MS);
    },
    /**
     * What the wall shows for a machine, given whether its snapshot says someone is there.
     * @param {string} machineId
     * @param {boolean} snapshotHasSession
     */
    occupant(machineId, snapshotHasSession) {
      return describeOccupant(
        byMachine === null ? undefined : (byMachine.get(machineId) ?? null),
        snapshotHasSession,
      );
    },
  };
}

/**
 * `{ kind: "name", name } | { kind: "you" } | { kind: "someone" } | null`.
 * `entry` undefined: the session list is unknown, so the snapshot decides.
 * @param {SessionEntry | null | undefined} entry
 * @param {boolean} snapshotHasSession
 * @returns {Occupant}
 */
export function describeOccupant(entry, snapshotHasSession) {
  if (entry === undefined) return snapshotHasSession ? { kind: "someone" } : null;
  if (entry === null) return null;
  if (entry.you) return { kind: "you" };
  if (entry.trainee) return { kind: "name", name: entry.trainee.name };
  return { kind: "someone" };
}
