import type { AlarmLevel } from "./observation.ts";

/** Derived per-machine state (DESIGN.md "Machine state"). */
export const MACHINE_STATES = [
  "offline",
  "idle",
  "running",
  "feed_hold",
  "stopped",
  "alarm",
  "setup",
] as const;
export type MachineStateName = (typeof MACHINE_STATES)[number];

export type CycleOutcome = "completed" | "aborted" | "interrupted";

type EventBase = { machine: string; ts: number; session?: string };

export type CycleStartEvent = EventBase & { type: "cycle.start"; program: string | null };
export type CycleEndEvent = EventBase & {
  type: "cycle.end";
  program: string | null;
  startedAt: number;
  durationMs: number;
  partsMade: number;
  outcome: CycleOutcome;
};
export type AlarmRaiseEvent = EventBase & {
  type: "alarm.raise";
  key: string;
  nativeCode: string;
  severity: Exclude<AlarmLevel, "normal" | "unavailable">;
  nativeSeverity?: string;
  text: string;
};
export type AlarmClearEvent = EventBase & {
  type: "alarm.clear";
  key: string;
  nativeCode: string;
  text: string;
  raisedAt: number;
  durationMs: number;
};
export type StateChangeEvent = EventBase & {
  type: "state.change";
  from: MachineStateName;
  to: MachineStateName;
};
export type SessionStartEvent = EventBase & { type: "session.start"; pseudonym: string };
export type SessionEndEvent = EventBase & { type: "session.end"; pseudonym: string; durationMs: number };
export type ProgramTransferEvent = EventBase & {
  type: "program.transfer";
  direction: "send" | "receive" | "drip";
  file: string;
  checksum: string;
  bytes: number;
  durationMs: number;
  result: "ok" | "failed" | "cancelled";
  error?: string;
};

export type MachineEvent =
  | CycleStartEvent
  | CycleEndEvent
  | AlarmRaiseEvent
  | AlarmClearEvent
  | StateChangeEvent
  | SessionStartEvent
  | SessionEndEvent
  | ProgramTransferEvent;

export type MachineEventType = MachineEvent["type"];

/** An active alarm as it appears in the machine's state snapshot. */
export type ActiveAlarm = {
  key: string;
  nativeCode: string;
  severity: "warning" | "fault";
  text: string;
  since: number;
};

/** The full current picture of one machine: what `<prefix>/<machine>/state` carries. */
export type MachineSnapshot = {
  machine: string;
  state: MachineStateName;
  since: number;
  signals: Record<string, { value: number | string | boolean | null; ts: number; unit?: string }>;
  alarms: ActiveAlarm[];
  session: string | null;
  ts: number;
};
