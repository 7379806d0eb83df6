// Physical constants of the two simulated machine kinds. Figures are those of
// small school machines (a 2-axis turning centre with an 8-station turret, a
// 3-axis vertical machining centre with a 20-tool changer), rounded.

export type MachineKind = "lathe" | "mill";
export const MACHINE_KINDS: readonly MachineKind[] = ["lathe", "mill"];

export type Position = { x: number; y: number; z: number };
export type Axis = keyof Position;

export type MachineProfile = {
  maxRpm: number;
  /** Spindle acceleration and braking, rev/min per second: ramps take seconds, never one sample. */
  spindleAccel: number;
  spindleDecel: number;
  /** Rapid traverse (G00) at 100 % rapid override, mm/min. */
  rapidRate: number;
  /** Time for one tool change once the spindle has stopped. */
  toolChangeMs: number;
  /** Tool stations (turret) or pockets (changer). */
  tools: number;
  /** Where the machine sits after power-on and where programs end. */
  home: Position;
  /** Travel limits for manual jogging during setup. */
  envelope: { min: Position; max: Position };
  /**
   * On a lathe X is programmed as a diameter: the tool travels half the X distance,
   * which matters when a feed turns into a duration.
   */
  diameterX: boolean;
};

export const MACHINE_PROFILES: Record<MachineKind, MachineProfile> = {
  lathe: {
    maxRpm: 4000,
    spindleAccel: 900,
    spindleDecel: 1200,
    rapidRate: 20_000,
    toolChangeMs: 1_500,
    tools: 8,
    home: { x: 200, y: 0, z: 100 },
    envelope: { min: { x: 0, y: 0, z: -250 }, max: { x: 260, y: 0, z: 150 } },
    diameterX: true,
  },
  mill: {
    maxRpm: 10_000,
    spindleAccel: 3_000,
    spindleDecel: 3_500,
    rapidRate: 30_000,
    toolChangeMs: 3_500,
    tools: 20,
    home: { x: 0, y: 0, z: 150 },
    envelope: { min: { x: -300, y: -200, z: -150 }, max: { x: 300, y: 200, z: 200 } },
    diameterX: false,
  },
};
