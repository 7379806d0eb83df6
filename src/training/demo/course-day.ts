import type { Logger } from "pino";
import type { SessionService } from "../sessions/sessions.ts";

// A scripted course day for the demo (`training.demo: true`): the demo's
// trainees check in on the simulated machines at start-up, and then, one
// at a time and at a steady pace, move to another machine, take a break
// and come back — so the live page shows who is where and the evidence side
// gets sessions to attach cycles and alarms to. It drives the same
// SessionService a person would (source "demo"), so every rule (one trainee
// per machine, idle and end-of-day check-out) applies to it too.
//
// The script reads who is where from the service at every step rather than
// keeping its own notes: a session the service ended (idle, end of day, an
// instructor's check-out on the web page) is simply picked up from there.

export type CourseDayOptions = {
  sessions: SessionService;
  /** The demo trainees' user ids, in the order they arrive. */
  trainees: readonly string[];
  /** The machines they use, in preference order (the simulated ones first). */
  machines: readonly string[];
  /** Time between two moves; one trainee moves per step. */
  stepMs?: number;
  /**
   * After each check-in (e.g. the gateway sends a program by DNC when the
   * machine has a DNC line). Not awaited — a slow serial line must not hold
   * up the others' check-ins — and its failures are logged: the day goes on.
   */
  afterCheckIn?: (machine: string, traineeId: string) => Promise<void>;
  log?: Logger;
};

export type CourseDay = {
  /** Run one step now (the timer calls this; tests call it directly). */
  step(): Promise<void>;
  stop(): void;
};

/** Every third turn a trainee is at a machine, they take a break instead of moving. */
const BREAK_EVERY = 3;
export const DEFAULT_STEP_MS = 90_000;

export type DemoMove =
  | { kind: "checkin"; trainee: string; machine: string }
  | { kind: "break"; trainee: string; machine: string }
  | { kind: "none"; trainee: string };

/**
 * What trainee number `step % trainees.length` does at `step`, given who is
 * where now (machine → trainee). Pure, so the script is easy to follow and test.
 */
export function nextMove(
  step: number,
  trainees: readonly string[],
  machines: readonly string[],
  holders: ReadonlyMap<string, string>,
): DemoMove {
  const trainee = trainees[step % trainees.length]!;
  const current = [...holders].find(([, t]) => t === trainee)?.[0];
  const turn = Math.floor(step / trainees.length);
  if (current !== undefined && turn % BREAK_EVERY === BREAK_EVERY - 1) {
    return { kind: "break", trainee, machine: current };
  }
  // The next free machine after the one they are at (or after their "own" one when on a break).
  const from = current === undefined ? trainees.indexOf(trainee) - 1 : machines.indexOf(current);
  for (let i = 1; i <= machines.length; i++) {
    const machine = machines[(from + i + machines.length) % machines.length]!;
    if (!holders.has(machine)) return { kind: "checkin", trainee, machine };
  }
  return { kind: "none", trainee };
}

export function startCourseDay(opts: CourseDayOptions): CourseDay {
  const { sessions, trainees, machines } = opts;
  if (trainees.length === 0 || machines.length === 0) {
    return { step: async () => {}, stop: () => {} };
  }
  let step = 0;
  let timer: NodeJS.Timeout | undefined;
  const holders = () => new Map(sessions.openSessions().map((s) => [s.machine, s.userId]));

  const apply = async (move: DemoMove): Promise<void> => {
    if (move.kind === "checkin") {
      const r = await sessions.checkIn({
        machine: move.machine,
        userId: move.trainee,
        by: move.trainee,
        source: "demo",
      });
      // Ids and machines only: the demo's names are public, but the habit of never logging names is not optional.
      if (!r.ok) {
        opts.log?.warn({ machine: move.machine, outcome: r.error }, "demo check-in refused");
        return;
      }
      opts.afterCheckIn?.(move.machine, move.trainee).catch((err: unknown) => {
        opts.log?.warn({ err, machine: move.machine }, "demo: after check-in step failed");
      });
    } else if (move.kind === "break") {
      await sessions.checkOut({ machine: move.machine, by: move.trainee, userId: move.trainee });
    }
  };

  const runStep = async (): Promise<void> => {
    await apply(nextMove(step, trainees, machines, holders()));
    step++;
  };

  const arrive = async (): Promise<void> => {
    // Morning: everyone not yet at a machine checks in, one after the other.
    for (const trainee of trainees) {
      const current = holders();
      if ([...current.values()].includes(trainee)) continue;
      const free = machines.find((m) => !current.has(m));
      if (free !== undefined) await apply({ kind: "checkin", trainee, machine: free });
    }
  };

  const ready = arrive().catch((err: unknown) => opts.log?.error({ err }, "demo course day failed to start"));
  timer = setInterval(() => {
    ready.then(runStep).catch((err: unknown) => opts.log?.error({ err }, "demo course day step failed"));
  }, opts.stepMs ?? DEFAULT_STEP_MS);
  timer.unref();
  opts.log?.info({ trainees: trainees.length, machines: machines.length }, "demo course day started");

  return {
    step: async () => {
      await ready;
      await runStep();
    },
    stop: () => {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
