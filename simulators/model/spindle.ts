// The spindle drive: speed ramps at the drive's acceleration (a spindle never
// jumps to speed), a little encoder jitter once at speed, and a load that is
// friction + acceleration torque + whatever the cut demands, with slowly
// wandering noise.
import type { MachineKind, MachineProfile } from "./profiles.ts";
import type { Random } from "./random.ts";

export class Spindle {
  /** M03 given (program or panel). */
  on = false;
  /** Programmed speed (S word), rev/min. */
  cmd = 0;
  /** Override knob, %. */
  override = 100;
  readonly #profile: MachineProfile;
  readonly #inertiaLoad: number;
  readonly #noise: Random;
  #rpm = 0;
  #shown = 0;
  #accelFraction = 0;
  #load = 0;
  #loadNoise = 0;
  #spike = 0;

  constructor(profile: MachineProfile, kind: MachineKind, noise: Random) {
    this.#profile = profile;
    // Accelerating a lathe chuck takes more of the drive than a mill spindle.
    this.#inertiaLoad = kind === "lathe" ? 55 : 35;
    this.#noise = noise;
  }

  /** True speed, rev/min (no jitter). */
  get rpm(): number {
    return this.#rpm;
  }
  /** Speed as the encoder reports it, whole rev/min. */
  get shown(): number {
    return this.#shown;
  }
  /** Load, whole %. */
  get load(): number {
    return this.#load;
  }
  get turning(): boolean {
    return this.#rpm > 0;
  }

  /** The speed the drive is heading for. */
  target(estopTriggered: boolean): number {
    if (!this.on || estopTriggered) return 0;
    return Math.min((this.cmd * this.override) / 100, this.#profile.maxRpm);
  }

  /** A cut at full speed may start (the control's "spindle speed arrival" check). */
  atSpeed(estopTriggered: boolean): boolean {
    const target = this.target(estopTriggered);
    return target > 0 && this.#rpm >= 0.95 * target;
  }

  /** Extra load for a moment (a hard spot in the material); decays within about a second. */
  spike(percent: number): void {
    this.#spike = Math.max(this.#spike, percent);
  }

  /** Power gone: everything stands still at once (the display is dark anyway). */
  stopNow(): void {
    this.on = false;
    this.#rpm = 0;
    this.#shown = 0;
    this.#accelFraction = 0;
    this.#load = 0;
    this.#spike = 0;
  }

  step(dtMs: number, estopTriggered: boolean, cutLoad: number): void {
    const target = this.target(estopTriggered);
    const diff = target - this.#rpm;
    const rate =
      diff > 0 ? this.#profile.spindleAccel : this.#profile.spindleDecel * (estopTriggered ? 2 : 1);
    const maxStep = (rate * dtMs) / 1000;
    const change = Math.min(maxStep, Math.max(-maxStep, diff));
    this.#rpm = Math.max(0, this.#rpm + change);
    this.#accelFraction = maxStep > 0 ? Math.abs(change) / maxStep : 0;
    if (this.#rpm < 0.5) {
      this.#rpm = 0;
      this.#shown = 0;
      this.#load = 0;
      this.#spike = 0;
      return;
    }
    // Encoder jitter of about 0.1 % once at speed; none while ramping, so ramps stay monotonic.
    const atSpeed = Math.abs(diff - change) < 1e-6;
    const jitter = atSpeed ? this.#noise.gauss() * 0.001 * this.#rpm : 0;
    this.#shown = Math.max(0, Math.round(this.#rpm + jitter));
    this.#stepLoad(cutLoad);
  }

  #stepLoad(cutLoad: number): void {
    const friction = 1.5 + (3.5 * this.#rpm) / this.#profile.maxRpm;
    const raw = friction + this.#accelFraction * this.#inertiaLoad + cutLoad + this.#spike;
    this.#spike *= 0.8;
    if (this.#spike < 0.5) this.#spike = 0;
    // AR(1) noise: a load trace wanders, it does not flicker.
    this.#loadNoise = 0.8 * this.#loadNoise + 0.6 * this.#noise.gauss();
    this.#load = Math.max(0, Math.round(raw * (1 + 0.05 * this.#loadNoise)));
  }
}
