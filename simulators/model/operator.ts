// The simulated trainee at the machine, plus the shop floor around it: idle
// gaps between cycles, re-running the same part, a first run at 25 % rapid,
// feed holds, override fiddling, setup periods in MANUAL, program stops to
// measure, and alarms that come and go. It only acts through the model's
// public actions, and only undoes what it did itself: a feed hold or an alarm
// set by a script stays until the script ends it.
import { ALARM_CATALOGUE, type AlarmOccasion } from "./alarms.ts";
import type { MachineModel } from "./machine-model.ts";
import type { Axis } from "./profiles.ts";
import type { Random } from "./random.ts";

export type Range = readonly [min: number, max: number];

export type OperatorBehaviour = {
  /** Seconds between the end of one activity and the start of the next. */
  idleGapS: Range;
  /** Chance that the next activity is a MANUAL setup period (jogging, touching off, indexing tools). */
  setupChance: number;
  setupDurationS: Range;
  /** Chance that the next activity is editing a program (EDIT mode). */
  editChance: number;
  editDurationS: Range;
  /** Chance to run the same program again rather than another from the library. */
  repeatChance: number;
  /** Feed holds per hour of cutting, and how long the operator keeps the hold. */
  feedHoldsPerHour: number;
  feedHoldS: Range;
  /** How long the operator takes at a program stop (M00) before pressing cycle start. */
  programStopS: Range;
  /** Random alarms per hour of powered-on time (only alarms that fit the moment are raised). */
  alarmsPerHour: number;
  /** A warning clears by itself after this long (someone refilled the coolant). */
  warningClearS: Range;
  /** The operator reads a fault, fixes it and resets the control after this long. */
  faultResetS: Range;
  /** Feed override changes per hour of running. */
  overrideChangesPerHour: number;
  /** Power-offs per hour of idle time, and how long the machine stays off. */
  powerOffsPerHour: number;
  powerOffS: Range;
};

export const DEFAULT_BEHAVIOUR: OperatorBehaviour = {
  idleGapS: [15, 120],
  setupChance: 0.1,
  setupDurationS: [60, 420],
  editChance: 0.05,
  editDurationS: [30, 180],
  repeatChance: 0.75,
  feedHoldsPerHour: 4,
  feedHoldS: [3, 45],
  programStopS: [8, 60],
  alarmsPerHour: 1.5,
  warningClearS: [30, 600],
  faultResetS: [15, 180],
  overrideChangesPerHour: 4,
  powerOffsPerHour: 0,
  powerOffS: [120, 900],
};

type Plan = { kind: "run" | "setup" | "edit"; at: number };
type Activity = { kind: "setup" | "edit"; until: number; nextActionAt: number };

const HOUR_MS = 3_600_000;
const FEED_OVERRIDES = [70, 80, 90, 100, 100, 100, 110, 120] as const;

export class Operator {
  readonly #model: MachineModel;
  readonly #rng: Random;
  readonly #b: OperatorBehaviour;
  #plan: Plan | null = null;
  #activity: Activity | null = null;
  #holdUntil: number | null = null;
  #stopResumeAt: number | null = null;
  #powerOnAt: number | null = null;
  /** Alarms this operator raised, with the time it will clear them. */
  readonly #ownAlarms = new Map<string, number>();
  #lastProgram: string | null = null;
  #dtMs = 100;

  constructor(model: MachineModel, rng: Random, behaviour: OperatorBehaviour) {
    this.#model = model;
    this.#rng = rng;
    this.#b = behaviour;
  }

  /** Called once per model tick, before the physics step, with the simulated time and the tick length. */
  tick(now: number, dtMs: number): void {
    this.#dtMs = dtMs;
    const m = this.#model;
    if (!m.power) {
      if (this.#powerOnAt !== null && now >= this.#powerOnAt) {
        this.#powerOnAt = null;
        m.powerOn();
      }
      return;
    }
    this.#powerOnAt = null;
    this.#maybeRaiseAlarm(now);
    this.#clearDueAlarms(now);
    if (this.#activity) this.#continueActivity(now);
    else if (m.programActive) this.#watchProgram(now);
    else this.#whenIdle(now);
  }

  #perTick(perHour: number): boolean {
    return perHour > 0 && this.#rng.chance((perHour * this.#dtMs) / HOUR_MS);
  }

  #seconds(range: Range): number {
    return this.#rng.between(range[0], range[1]) * 1000;
  }

  #fits(occasion: AlarmOccasion): boolean {
    const m = this.#model;
    switch (occasion) {
      case "cutting":
        return m.cutting;
      case "running":
        return m.execution === "ACTIVE";
      case "moving":
        return m.moving;
      case "any":
        return true;
    }
  }

  #maybeRaiseAlarm(now: number): void {
    if (!this.#perTick(this.#b.alarmsPerHour)) return;
    const m = this.#model;
    const candidates = ALARM_CATALOGUE.filter(
      (a) => a.kinds.includes(m.kind) && !m.isAlarmActive(a.code) && this.#fits(a.occasion),
    );
    if (candidates.length === 0) return;
    const alarm = this.#rng.weighted(candidates, (a) => a.weight);
    if (alarm.code === "2001") m.loadSpike(this.#rng.between(70, 120));
    if (m.raiseAlarm(alarm.code, alarm.severity, alarm.text)) {
      const range = alarm.severity === "warning" ? this.#b.warningClearS : this.#b.faultResetS;
      this.#ownAlarms.set(alarm.code, now + this.#seconds(range));
    }
  }

  #clearDueAlarms(now: number): void {
    for (const [code, at] of this.#ownAlarms) {
      if (!this.#model.isAlarmActive(code)) this.#ownAlarms.delete(code);
      else if (now >= at) {
        this.#model.clearAlarm(code);
        this.#ownAlarms.delete(code);
      }
    }
  }

  /** A program is running, held or stopped: resume own holds, answer M00, hold now and then. */
  #watchProgram(now: number): void {
    const m = this.#model;
    this.#plan = null;
    if (this.#holdUntil !== null) {
      if (m.execution !== "FEED_HOLD") this.#holdUntil = null;
      else if (now >= this.#holdUntil) {
        this.#holdUntil = null;
        m.resume();
      }
      return;
    }
    if (m.execution === "PROGRAM_STOPPED") {
      if (this.#stopResumeAt === null) this.#stopResumeAt = now + this.#seconds(this.#b.programStopS);
      else if (now >= this.#stopResumeAt) {
        this.#stopResumeAt = null;
        m.resume();
      }
      return;
    }
    this.#stopResumeAt = null;
    if (m.execution !== "ACTIVE") return;
    if (m.cutting && this.#perTick(this.#b.feedHoldsPerHour)) {
      if (m.feedHold()) this.#holdUntil = now + this.#seconds(this.#b.feedHoldS);
    } else if (this.#perTick(this.#b.overrideChangesPerHour)) {
      m.setOverrides({ feed: this.#rng.pick(FEED_OVERRIDES) });
    }
  }

  /** Nothing runs: plan the next activity after a gap, then start it. */
  #whenIdle(now: number): void {
    const m = this.#model;
    this.#holdUntil = null;
    this.#stopResumeAt = null;
    const idle =
      m.mode === "AUTOMATIC" &&
      !m.hasFault &&
      m.estop === "ARMED" &&
      (m.execution === "READY" || m.execution === "PROGRAM_COMPLETED");
    if (!idle) {
      this.#plan = null;
      return;
    }
    if (this.#perTick(this.#b.powerOffsPerHour)) {
      m.powerOff();
      this.#plan = null;
      this.#ownAlarms.clear();
      this.#powerOnAt = now + this.#seconds(this.#b.powerOffS);
      return;
    }
    if (!this.#plan) {
      const r = this.#rng.next();
      const kind =
        r < this.#b.setupChance ? "setup" : r < this.#b.setupChance + this.#b.editChance ? "edit" : "run";
      this.#plan = { kind, at: now + this.#seconds(this.#b.idleGapS) };
      return;
    }
    if (now < this.#plan.at) return;
    const { kind } = this.#plan;
    this.#plan = null;
    if (kind === "run") this.#startProgram();
    else {
      const duration = kind === "setup" ? this.#b.setupDurationS : this.#b.editDurationS;
      if (m.setMode(kind === "setup" ? "MANUAL" : "EDIT")) {
        this.#activity = { kind, until: now + this.#seconds(duration), nextActionAt: now + 2_000 };
      }
    }
  }

  #startProgram(): void {
    const m = this.#model;
    const repeat = this.#lastProgram !== null && this.#rng.chance(this.#b.repeatChance);
    const name = repeat && this.#lastProgram ? this.#lastProgram : this.#rng.pick(m.programNames);
    // First run of a program at 25 % rapid, as trainees are taught; repeats mostly at full rapid.
    const rapid = name === this.#lastProgram ? this.#rng.pick([50, 100, 100, 100]) : 25;
    const feed = this.#rng.chance(0.7) ? 100 : this.#rng.pick(FEED_OVERRIDES);
    m.setOverrides({ rapid, feed });
    if (m.runProgram(name)) this.#lastProgram = name;
  }

  #continueActivity(now: number): void {
    const m = this.#model;
    const activity = this.#activity;
    if (!activity) return;
    if (m.mode !== (activity.kind === "setup" ? "MANUAL" : "EDIT")) {
      this.#activity = null; // someone else turned the mode switch
      return;
    }
    if (m.hasFault) return;
    if (now >= activity.until) {
      m.stopSpindle();
      m.setMode("AUTOMATIC");
      this.#activity = null;
      return;
    }
    if (activity.kind !== "setup" || now < activity.nextActionAt || m.jogging) return;
    activity.nextActionAt = now + this.#rng.between(3_000, 20_000);
    const r = this.#rng.next();
    const profile = m.profile;
    if (r < 0.55) {
      const axis: Axis = this.#rng.pick(
        m.kind === "lathe" ? (["x", "z"] as const) : (["x", "y", "z"] as const),
      );
      const value = this.#rng.between(profile.envelope.min[axis], profile.envelope.max[axis]);
      m.jog({ [axis]: Math.round(value * 10) / 10 }, this.#rng.pick([500, 1000, 2000, 4000]));
    } else if (r < 0.75) {
      if (m.spindleTurning) m.stopSpindle();
      else m.startSpindle(this.#rng.pick([300, 500, 800, 1000]));
    } else if (r < 0.9) {
      if (m.spindleTurning) m.stopSpindle();
      else m.selectTool(this.#rng.int(1, profile.tools));
    }
  }
}
