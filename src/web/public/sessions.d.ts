// Types for the browser module sessions.js, so server-side tests can import it.
export type SessionEntry = {
  machine: string;
  since: number;
  you: boolean;
  trainee: { id: string; name: string } | null;
};
export type Occupant = { kind: "name"; name: string } | { kind: "you" } | { kind: "someone" } | null;
export function describeOccupant(
  entry: SessionEntry | null | undefined,
  snapshotHasSession: boolean,
): Occupant;
export function createSessionDirectory(onChange: () => void): {
  refresh(): Promise<void>;
  refreshSoon(): void;
  occupant(machineId: string, snapshotHasSession: boolean): Occupant;
};
