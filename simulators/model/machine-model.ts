// One simulated CNC machine: a deterministic, seeded model of the control and
// its physics (spindle.ts: ramps and load; program-run.ts: block execution and
// axis motion). It advances in fixed 100 ms simulated ticks, so the
// same seed and the same total time give the same states however the caller
// slices time. The random operator (operator.ts) drives it through the same
// public actions that scripts and tests use.
import { type ControllerMode, type Execution, MODE_VALUES } from "../../src/core/signals.ts";
import type { AlarmSeverity, ModelAlarm } from "./alarms.ts";
import { type CompiledProgram, compileProgram } from "./compile.ts";
import { DEFAULT_BEHAVIOUR, Operator, type OperatorBehaviour } from "./operator.ts";
import {
  MACHINE_KINDS,
  MACHINE_PROFILES,
  type MachineKind,
  type MachineProfile,
  type Position,
} from "./profiles.ts";
import { moveToward, ProgramRun, type RunContext, resolvePoint } from "./program-run.ts";
import { COMPILED_PROGRAMS, type Point, type ProgramDefinition, programsFor } from "./programs.ts";
import { mulberry32, seedFor } from "./random.ts";
import { Spindle } from "./spindle.ts";

export type { ModelAlarm } from "./alarms.ts";
export type { MachineKind } from "./profiles.ts";

/** What the machine shows to the outside: every protocol simulator renders this. */
export type ModelState = {
  power: boolean;
  execution: Execution;
  mode: ControllerMode;
  program: string | null;
  /** Line of the running program's NC text (1 = the leading `%`); 0 when no block is active. */
  line: number;
  partCount: number;
  /** rev/min */
  spindleSpeed: number;
  spindleSpeedCmd: number;
  /** % of rated spindle power */
  spindleLoad: number;
  spindleOverride: number;
  /** mm/min, actual path speed */
  feedRate: number;
  feedOverride: number;
  rapidOverride: number;
  /** mm; on a lathe x is a diameter and y stays 0. */
  axes: { x: number; y: number; z: number };
  tool: number;
  estop: "ARMED" | "TRIGGERED";
  alarms: ModelAlarm[];
  message: string | null;
};

export type MachineModelOptions = {
  id: string;
  kind: MachineKind;
  seed: number;
  /** Programs this machine can run (default: the library for its kind). */
  programs?: readonly ProgramDefinition[];
  /** false: nothing happens unless a script calls an action (no random cycles, holds or alarms). Default true. */
  autoOperator?: boolean;
  /** Rates and durations of the random operator (see operator.ts). */
  behaviour?: Partial<OperatorBehaviour>;
};

/** Simulated time per internal step. */
export const TICK_MS = 100;

const round = (v: number, decimals: number) => Math.round(v * 10 ** decimals) / 10 ** decimals;
const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));

export class MachineModel {
  readonly id: string;
  readonly kind: MachineKind;
  readonly profile: MachineProfile;
  readonly programs: ReadonlyMap<string, CompiledProgram>;
  readonly #operator: Operator | null;
  readonly #spindle: Spindle;
  readonly #runContext: RunContext;

  #simMs = 0;
  #pendingMs = 0;
  #power = true;
  #mode: ControllerMode = "AUTOMATIC";
  #execution: Execution = "READY";
  #program: string | null;
  #line = 0;
  #partCount = 0;
  #run: ProgramRun | null = null;
  #jog: { target: Position; feed: number } | null = null;
  #feedOverride = 100;
  #rapidOverride = 100;
  /** Mutated in place: the run context holds this object. */
  readonly #pos: Position;
  #feedRate = 0;
  #cutting = false;
  #moving = false;
  #tool = 1;
  #estop: "ARMED" | "TRIGGERED" = "ARMED";
  #alarms: ModelAlarm[] = [];
  #message: string | null = null;

  constructor(options: MachineModelOptions) {
    if (!MACHINE_KINDS.includes(options.kind)) {
      throw new Error(
        `machine kind "${options.kind}" is not simulated; use one of: ${MACHINE_KINDS.join(", ")}`,
      );
    }
    if (!Number.isFinite(options.seed)) throw new Error(`seed must be a finite number, got ${options.seed}`);
    this.id = options.id;
    this.kind = options.kind;
    this.profile = MACHINE_PROFILES[options.kind];
    const definitions = options.programs ?? programsFor(options.kind);
    if (definitions.length === 0) throw new Error(`machine ${options.id}: no programs to run`);
    const compiled = new Map<string, CompiledProgram>();
    for (const def of definitions) {
      if (def.kind !== options.kind) {
        throw new Error(
          `program ${def.name} is a ${def.kind} program and cannot run on ${options.kind} ${options.id}`,
        );
      }
      const library = COMPILED_PROGRAMS.get(def.name);
      compiled.set(def.name, library?.definition === def ? library : compileProgram(def));
    }
    this.programs = compiled;
    this.#program = definitions[0]?.name ?? null;
    this.#pos = { ...this.profile.home };
    this.#spindle = new Spindle(
      this.profile,
      this.kind,
      mulberry32(seedFor(options.seed, `${options.id}/noise`)),
    );
    const model = this;
    this.#runContext = {
      kind: this.kind,
      profile: this.profile,
      spindle: this.#spindle,
      position: this.#pos,
      get feedOverride() {
        return model.#feedOverride;
      },
      get rapidOverride() {
        return model.#rapidOverride;
      },
      get estopTriggered() {
        return model.#estop === "TRIGGERED";
      },
      setTool: (tool) => {
        this.#tool = tool;
      },
    };
    this.#operator =
      options.autoOperator === false
        ? null
        : new Operator(this, mulberry32(seedFor(options.seed, `${options.id}/operator`)), {
            ...DEFAULT_BEHAVIOUR,
            ...options.behaviour,
          });
  }

  /** Advance simulated time. Work happens in whole ticks; a remainder carries over to the next call. */
  advance(simMs: number): void {
    if (!(simMs >= 0) || !Number.isFinite(simMs)) {
      throw new RangeError(`advance() needs a finite simMs ≥ 0, got ${simMs}`);
    }
    this.#pendingMs += simMs;
    while (this.#pendingMs >= TICK_MS) {
      this.#pendingMs -= TICK_MS;
      this.#tick();
    }
  }

  state(): ModelState {
    return {
      power: this.#power,
      execution: this.#execution,
      mode: this.#mode,
      program: this.#program,
      line: this.#line,
      partCount: this.#partCount,
      spindleSpeed: this.#spindle.shown,
      spindleSpeedCmd: this.#spindle.on ? this.#spindle.cmd : 0,
      spindleLoad: this.#spindle.load,
      spindleOverride: this.#spindle.override,
      feedRate: round(this.#feedRate, 1),
      feedOverride: this.#feedOverride,
      rapidOverride: this.#rapidOverride,
      axes: { x: round(this.#pos.x, 3), y: round(this.#pos.y, 3), z: round(this.#pos.z, 3) },
      tool: this.#tool,
      estop: this.#estop,
      alarms: this.#alarms.map((a) => ({ ...a })),
      message: this.#message,
    };
  }

  // --- cheap read-only views (for the operator and the protocol simulators) ---
  get simTimeMs(): number {
    return this.#simMs;
  }
  get power(): boolean {
    return this.#power;
  }
  get execution(): Execution {
    return this.#execution;
  }
  get mode(): ControllerMode {
    return this.#mode;
  }
  get estop(): "ARMED" | "TRIGGERED" {
    return this.#estop;
  }
  get programName(): string | null {
    return this.#program;
  }
  get programNames(): string[] {
    return [...this.programs.keys()];
  }
  get hasFault(): boolean {
    return this.#alarms.some((a) => a.severity === "fault");
  }
  /** A program is selected and not finished (running, held or stopped at M00). */
  get programActive(): boolean {
    return this.#run !== null;
  }
  /** The tool cut material during the last tick. */
  get cutting(): boolean {
    return this.#cutting;
  }
  /** An axis moved during the last tick. */
  get moving(): boolean {
    return this.#moving;
  }
  get jogging(): boolean {
    return this.#jog !== null;
  }
  get spindleTurning(): boolean {
    return this.#spindle.turning;
  }
  isAlarmActive(code: string): boolean {
    return this.#alarms.some((a) => a.code === code);
  }

  // --- actions: what an operator (or a script) can do. Each returns whether it changed anything. ---

  /** Select a program and press cycle start. Switches to AUTOMATIC if needed. Unknown names throw. */
  runProgram(name: string): boolean {
    const program = this.programs.get(name);
    if (!program)
      throw new Error(`machine ${this.id} has no program "${name}"; it has ${this.programNames.join(", ")}`);
    if (!this.#power || this.hasFault || this.#estop === "TRIGGERED" || this.#run) return false;
    if (this.#mode !== "AUTOMATIC") this.setMode("AUTOMATIC");
    this.#program = name;
    this.#run = new ProgramRun(program);
    this.#line = this.#run.line;
    this.#message = null;
    this.#execution = "ACTIVE";
    return true;
  }

  feedHold(): boolean {
    if (!this.#power || this.#execution !== "ACTIVE") return false;
    this.#execution = "FEED_HOLD";
    return true;
  }

  /** Cycle start after a feed hold or a program stop (M00). */
  resume(): boolean {
    if (!this.#power || !this.#run || this.hasFault || this.#estop === "TRIGGERED") return false;
    if (this.#execution !== "FEED_HOLD" && this.#execution !== "PROGRAM_STOPPED") return false;
    this.#execution = "ACTIVE";
    this.#message = null;
    return true;
  }

  /** A fault stops a running program (execution STOPPED) and the spindle; a warning only shows. */
  raiseAlarm(code: string, severity: AlarmSeverity, text: string): boolean {
    if (typeof code !== "string" || code === "") throw new Error("raiseAlarm() needs a non-empty alarm code");
    if (severity !== "warning" && severity !== "fault") {
      throw new Error(`raiseAlarm() severity must be "warning" or "fault", got "${severity}"`);
    }
    if (!this.#power || this.isAlarmActive(code)) return false;
    this.#alarms.push({ code, severity, text });
    if (severity === "fault") this.#halt();
    return true;
  }

  /** Clearing the last fault also resets the control: a stopped program is aborted, execution READY. */
  clearAlarm(code: string): boolean {
    const index = this.#alarms.findIndex((a) => a.code === code);
    if (index < 0) return false;
    this.#alarms.splice(index, 1);
    if (!this.hasFault && this.#execution === "STOPPED" && this.#estop === "ARMED") this.#reset();
    return true;
  }

  powerOff(): boolean {
    if (!this.#power) return false;
    this.#power = false;
    this.#run = null;
    this.#jog = null;
    this.#spindle.stopNow();
    this.#feedRate = 0;
    this.#cutting = false;
    this.#moving = false;
    this.#alarms = [];
    this.#message = null;
    this.#execution = "READY";
    this.#line = 0;
    return true;
  }

  /** The control boots with its last mode, program, position and part count; alarms are gone. */
  powerOn(): boolean {
    if (this.#power) return false;
    this.#power = true;
    this.#execution = this.#estop === "TRIGGERED" ? "STOPPED" : "READY";
    return true;
  }

  setMode(mode: ControllerMode): boolean {
    if (!MODE_VALUES.includes(mode)) throw new Error(`unknown controller mode "${mode}"`);
    if (!this.#power || mode === this.#mode) return false;
    if (this.#run) {
      // Turning the mode switch during a program aborts it, as a reset would.
      this.#run = null;
      this.#spindle.on = false;
      this.#execution = "READY";
    }
    if (this.#execution === "PROGRAM_COMPLETED") this.#execution = "READY";
    this.#jog = null;
    if (this.#mode === "MANUAL") this.#spindle.on = false;
    this.#mode = mode;
    return true;
  }

  /** Override knobs: feed 0–200 %, spindle 50–120 %, rapid 1–100 %. Values are clamped. */
  setOverrides(o: { feed?: number; spindle?: number; rapid?: number }): boolean {
    const before = [this.#feedOverride, this.#spindle.override, this.#rapidOverride].join();
    if (o.feed !== undefined && Number.isFinite(o.feed))
      this.#feedOverride = clamp(Math.round(o.feed), 0, 200);
    if (o.spindle !== undefined && Number.isFinite(o.spindle)) {
      this.#spindle.override = clamp(Math.round(o.spindle), 50, 120);
    }
    if (o.rapid !== undefined && Number.isFinite(o.rapid))
      this.#rapidOverride = clamp(Math.round(o.rapid), 1, 100);
    return before !== [this.#feedOverride, this.#spindle.override, this.#rapidOverride].join();
  }

  /** MANUAL mode: move axes towards a point (clamped to the travel limits) at a feed in mm/min. */
  jog(to: Point, feed: number): boolean {
    if (!this.#power || this.#mode !== "MANUAL" || this.hasFault || this.#estop === "TRIGGERED") return false;
    const target = resolvePoint(to, this.#pos);
    for (const axis of ["x", "y", "z"] as const) {
      target[axis] = clamp(target[axis], this.profile.envelope.min[axis], this.profile.envelope.max[axis]);
    }
    this.#jog = { target, feed: clamp(feed, 1, this.profile.rapidRate) };
    return true;
  }

  /** MANUAL mode: start the spindle (M03 from the panel). */
  startSpindle(rpm: number): boolean {
    if (!this.#power || this.#mode !== "MANUAL" || this.hasFault || this.#estop === "TRIGGERED") return false;
    this.#spindle.cmd = clamp(Math.round(rpm), 0, this.profile.maxRpm);
    this.#spindle.on = true;
    return true;
  }

  stopSpindle(): boolean {
    if (this.#run || !this.#spindle.on) return false;
    this.#spindle.on = false;
    return true;
  }

  /** MANUAL mode, spindle stopped: index the turret / change the tool. */
  selectTool(tool: number): boolean {
    if (!this.#power || this.#mode !== "MANUAL" || this.#spindle.turning) return false;
    if (!Number.isInteger(tool) || tool < 1 || tool > this.profile.tools) return false;
    this.#tool = tool;
    return true;
  }

  emergencyStop(): boolean {
    if (!this.#power || this.#estop === "TRIGGERED") return false;
    this.#estop = "TRIGGERED";
    this.#halt();
    this.#execution = "STOPPED";
    return true;
  }

  releaseEmergencyStop(): boolean {
    if (this.#estop === "ARMED") return false;
    this.#estop = "ARMED";
    if (this.#power && !this.hasFault) this.#reset();
    return true;
  }

  /** Extra spindle load for a moment (a hard spot in the material); decays over about a second. */
  loadSpike(percent: number): void {
    this.#spindle.spike(percent);
  }

  // --- internals ---

  #halt(): void {
    if (this.#run || this.#jog) this.#execution = "STOPPED";
    this.#run = null;
    this.#jog = null;
    this.#spindle.on = false;
  }

  #reset(): void {
    this.#execution = "READY";
    this.#line = 0;
    this.#message = null;
  }

  #tick(): void {
    this.#simMs += TICK_MS;
    this.#operator?.tick(this.#simMs, TICK_MS);
    if (!this.#power) return;
    let distance = 0;
    let cutLoad = 0;
    if (this.#run && this.#execution === "ACTIVE") {
      const step = this.#run.step(TICK_MS, this.#runContext);
      distance = step.distance;
      cutLoad = step.cutLoad;
      this.#line = step.line;
      if (step.outcome === "stopped") {
        this.#execution = "PROGRAM_STOPPED";
        this.#message = step.message ?? null;
        this.#spindle.on = false; // M00 stops the spindle on these machines
      } else if (step.outcome === "ended") {
        this.#spindle.on = false;
        this.#partCount++;
        this.#run = null;
        this.#execution = "PROGRAM_COMPLETED";
      }
    } else if (this.#jog) {
      const step = moveToward(this.#pos, this.#jog.target, this.#jog.feed, TICK_MS, this.profile.diameterX);
      if (step.arrived) this.#jog = null;
      distance = step.moved;
    }
    this.#cutting = cutLoad > 0;
    this.#moving = distance > 0;
    this.#feedRate = (distance / TICK_MS) * 60_000;
    this.#spindle.step(TICK_MS, this.#estop === "TRIGGERED", cutLoad);
  }
}
