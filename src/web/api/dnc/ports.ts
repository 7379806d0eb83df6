import type { Logger } from "pino";
import type { DncMachine } from "../../../dnc/engine/dnc-machine.ts";
import type { ProgramLibrary } from "../../../dnc/library/library.ts";

/**
 * The part of the gateway's DncMachine the web uses. The gateway owns the
 * line (one open port per machine, shared with its remote-request listener);
 * the web only asks it to send, so the port is never opened twice.
 */
export type DncLine = Pick<DncMachine, "machine" | "profile" | "busy" | "send" | "drip">;

/** A configured machine with a DNC line, as the gateway knows it. */
export type DncLineEntry = {
  id: string;
  name: string;
  kind: string;
  transport: "serial" | "tcp";
  line: DncLine;
};

/**
 * Who is checked in where: the training layer's session service answers
 * this (it is wired by the gateway). Synchronous, from memory.
 */
export type CheckInPort = {
  isCheckedIn(userId: string, machine: string): boolean;
  /** The user's pseudonym, for the transfer's audit and event (never a name). */
  pseudonymOf?(userId: string): string | undefined;
};

/** Until a session service is wired in: no trainee is checked in anywhere (staff may still send). */
export const NOBODY_CHECKED_IN: CheckInPort = { isCheckedIn: () => false };

/** The program library as the DNC routes use it: save uploads, list and read a user's programs, read the audit. */
export type DncLibrary = Pick<ProgramLibrary, "save" | "list" | "history" | "get" | "transfers">;

export type DncApiTuning = {
  /** Shortest gap between two progress messages on a transfer's event stream (default 250 ms: 4 a second). */
  progressIntervalMs: number;
  /** How long a finished transfer stays readable by id (default 1 h); the audit keeps it for good. */
  keepEndedMs: number;
  /** At most this many finished transfers are kept in memory (default 500). */
  maxEnded: number;
};

export type DncApiDeps = {
  /** Machines with a DNC line, in config order. */
  lines(): readonly DncLineEntry[];
  library: DncLibrary;
  checkIns: CheckInPort;
  /** `web.maxProgramBytes`: the largest program the browser may send (default 4 MiB). */
  maxProgramBytes?: number;
  /** IANA zone the page shows times in. */
  timeZone: string;
  log: Logger;
  now?: () => number;
  tuning?: Partial<DncApiTuning>;
};

export const DEFAULT_DNC_API_TUNING: DncApiTuning = {
  progressIntervalMs: 250,
  keepEndedMs: 60 * 60_000,
  maxEnded: 500,
};
