// Executes one compiled program block by block for a slice of simulated time,
// the way a control's interpreter does: a tool change waits for the spindle
// to stop, a cut waits for the spindle to reach its speed, motions run at the
// programmed feed × override (on a lathe feed per revolution × actual speed)
// or at rapid × rapid override. It reports where it got to; the machine model
// decides what that means for execution state.
import type { CompiledProgram, Motion } from "./compile.ts";
import type { MachineKind, MachineProfile, Position } from "./profiles.ts";
import type { Point } from "./programs.ts";
import type { Spindle } from "./spindle.ts";

/** What the interpreter may touch on the machine. */
export type RunContext = {
  readonly kind: MachineKind;
  readonly profile: MachineProfile;
  readonly spindle: Spindle;
  readonly feedOverride: number;
  readonly rapidOverride: number;
  readonly estopTriggered: boolean;
  /** Current position; moved in place. */
  readonly position: Position;
  setTool(tool: number): void;
};

export type RunStep = {
  /** Path length travelled in this slice, mm. */
  distance: number;
  /** Time-weighted cutting load of this slice, %. */
  cutLoad: number;
  /** NC text line of the block being executed. */
  line: number;
  /** "stopped": reached M00 (message set); "ended": reached M30. */
  outcome: "running" | "stopped" | "ended";
  message?: string;
};

export function resolvePoint(to: Point, from: Position): Position {
  return { x: to.x ?? from.x, y: to.y ?? from.y, z: to.z ?? from.z };
}

/**
 * Move `position` towards `target` at mm/min for at most budgetMs. On a lathe X is a
 * diameter, so the tool travels half the X distance.
 */
export function moveToward(
  position: Position,
  target: Position,
  mmPerMin: number,
  budgetMs: number,
  diameterX: boolean,
): { moved: number; timeMs: number; arrived: boolean } {
  const dx = target.x - position.x;
  const dy = target.y - position.y;
  const dz = target.z - position.z;
  const dist = Math.hypot(diameterX ? dx / 2 : dx, dy, dz);
  const mmPerMs = mmPerMin / 60_000;
  if (dist < 1e-6 || dist / mmPerMs <= budgetMs) {
    Object.assign(position, target);
    return { moved: dist, timeMs: dist < 1e-6 ? 0 : dist / mmPerMs, arrived: true };
  }
  const fraction = (budgetMs * mmPerMs) / dist;
  position.x += dx * fraction;
  position.y += dy * fraction;
  position.z += dz * fraction;
  return { moved: budgetMs * mmPerMs, timeMs: budgetMs, arrived: false };
}

export class ProgramRun {
  readonly program: CompiledProgram;
  #block = 0;
  #motion = 0;
  #target: Position | null = null;
  #elapsedMs = 0;

  constructor(program: CompiledProgram) {
    this.program = program;
  }

  get line(): number {
    return this.program.blocks[this.#block]?.line ?? 0;
  }

  step(budgetMs: number, ctx: RunContext): RunStep {
    let remaining = budgetMs;
    let distance = 0;
    let cutWeighted = 0;
    const result = (outcome: RunStep["outcome"], line: number, message?: string): RunStep => ({
      distance,
      cutLoad: cutWeighted / budgetMs,
      line,
      outcome,
      ...(message === undefined ? {} : { message }),
    });
    for (let guard = 0; remaining > 1e-9 && guard < 500; guard++) {
      const block = this.program.blocks[this.#block];
      if (!block) return result("ended", this.line);
      switch (block.type) {
        case "spindle":
          ctx.spindle.cmd = block.rpm;
          ctx.spindle.on = true;
          this.#next();
          break;
        case "spindleStop":
          ctx.spindle.on = false;
          this.#next();
          break;
        case "tool": {
          ctx.spindle.on = false;
          if (ctx.spindle.turning) return result("running", block.line); // the changer waits for standstill
          const used = Math.min(ctx.profile.toolChangeMs - this.#elapsedMs, remaining);
          this.#elapsedMs += used;
          remaining -= used;
          if (this.#elapsedMs >= ctx.profile.toolChangeMs) {
            ctx.setTool(block.tool);
            this.#next();
          }
          break;
        }
        case "motion": {
          const motion = block.motions[this.#motion];
          if (!motion) {
            this.#next();
            break;
          }
          this.#target ??= resolvePoint(motion.to, ctx.position);
          const speed = this.#speed(motion, ctx);
          // Waiting for spindle speed arrival, or feed override at 0 %.
          if (speed <= 0) return result("running", block.line);
          const step = moveToward(ctx.position, this.#target, speed, remaining, ctx.profile.diameterX);
          distance += step.moved;
          remaining -= step.timeMs;
          if (!motion.rapid) cutWeighted += step.timeMs * motion.load * (ctx.feedOverride / 100) ** 0.8;
          if (step.arrived) {
            this.#motion++;
            this.#target = null;
            if (this.#motion >= block.motions.length) this.#next();
          }
          break;
        }
        case "stop":
          this.#next();
          return result("stopped", block.line, block.message);
        case "end":
          return result("ended", block.line);
      }
    }
    return result("running", this.line);
  }

  #next(): void {
    this.#block++;
    this.#motion = 0;
    this.#target = null;
    this.#elapsedMs = 0;
  }

  /** mm/min for a motion now; 0 while a cut waits for the spindle. */
  #speed(motion: Motion, ctx: RunContext): number {
    if (motion.rapid) return (ctx.profile.rapidRate * ctx.rapidOverride) / 100;
    if (!ctx.spindle.atSpeed(ctx.estopTriggered)) return 0;
    const feed = ctx.kind === "lathe" ? motion.feed * ctx.spindle.rpm : motion.feed;
    return (feed * ctx.feedOverride) / 100;
  }
}
