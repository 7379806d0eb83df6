// The program library of the simulated machines, as data. Each program is a
// list of operations in the order a machinist writes them: tool change, spindle
// start, rapid approach, cutting steps (each with its feed and the spindle load
// it typically causes), retract. compile.ts turns a program into the NC text a
// trainee would recognise and into the blocks the machine model executes, from
// the same data, so the `line` the model reports is a line of that text.
import { type CompiledProgram, compileProgram } from "./compile.ts";
import type { MachineKind, Position } from "./profiles.ts";
import {
  boltCircle,
  cut,
  face,
  faceMill,
  peckDrillLathe,
  pocket,
  rapid,
  roughTurn,
} from "./program-steps.ts";

export type Point = Partial<Position>;

/**
 * One step inside an operation. `feed` is mm/rev on a lathe (G99) and mm/min on
 * a mill (G94), as on the real controls; `load` is the spindle load in % this
 * cut causes at 100 % feed override.
 */
export type Step =
  | { kind: "rapid"; to: Point }
  | { kind: "cut"; to: Point; feed: number; load: number }
  /**
   * Mill hole cycle, returning to the initial level (G98): G81 drilling, G83 with
   * `peck` (peck depth), G84 rigid tapping with `tap` (feed = pitch × rpm).
   */
  | {
      kind: "drill";
      holes: { x: number; y: number }[];
      depth: number;
      r: number;
      peck?: number;
      tap?: boolean;
      feed: number;
      load: number;
    }
  /** Lathe threading cycle G92: one pass per diameter, pitch in mm. */
  | { kind: "thread"; diameters: number[]; z: number; pitch: number; load: number };

export type Operation = {
  tool: number;
  /** Tool description, written as a comment before the tool change. */
  toolName: string;
  rpm: number;
  approach: Point;
  steps: Step[];
  retract: Point;
  /** Program stop (M00) after this operation, with the message shown to the operator (e.g. "MEASURE D60"). */
  stopAfter?: string;
};

export type ProgramDefinition = {
  /** O-number, e.g. "O1001": what the control shows as the program name. */
  name: string;
  /** Short title in the O-line comment, e.g. "FLENS-DREIING". */
  title: string;
  kind: MachineKind;
  /** Stock and material, written as a comment. */
  stock: string;
  operations: Operation[];
};

const LATHE_PROGRAMS: ProgramDefinition[] = [
  {
    name: "O1001",
    title: "FLENS-DREIING",
    kind: "lathe",
    stock: "STOCK D125 X 45, AL 6082",
    operations: [
      {
        tool: 1,
        toolName: "ROUGHING CNMG 120408",
        rpm: 1200,
        approach: { x: 128, z: 2 },
        steps: [...face(125, 0, 0.2, 40), ...roughTurn(125, 61, 2.5, -20, 0.25, 55)],
        retract: { x: 200, z: 100 },
      },
      {
        tool: 3,
        toolName: "FINISHING VNMG 160404",
        rpm: 1800,
        approach: { x: 56, z: 2 },
        steps: [
          cut({ x: 60, z: -1 }, 0.1, 15),
          cut({ z: -20 }, 0.1, 18),
          cut({ x: 118 }, 0.1, 15),
          cut({ x: 122, z: -22 }, 0.1, 15),
          cut({ z: -40 }, 0.1, 20),
          cut({ x: 127 }, 0.1, 8),
        ],
        retract: { x: 200, z: 100 },
      },
      {
        tool: 5,
        toolName: "DRILL D20 HSS-E",
        rpm: 900,
        approach: { x: 0, z: 5 },
        steps: peckDrillLathe(45, 15, 0.12, 60),
        retract: { x: 200, z: 100 },
      },
    ],
  },
  {
    name: "O1002",
    title: "AKSEL-TRINN",
    kind: "lathe",
    stock: "STOCK D40 X 120, S355",
    operations: [
      {
        tool: 1,
        toolName: "ROUGHING CNMG 120408",
        rpm: 1500,
        approach: { x: 43, z: 2 },
        steps: [
          ...face(40, 0, 0.2, 35),
          ...roughTurn(40, 32.4, 1.5, -80, 0.25, 60),
          ...roughTurn(32.4, 24.4, 1.5, -40, 0.25, 58),
        ],
        retract: { x: 200, z: 100 },
      },
      {
        tool: 3,
        toolName: "FINISHING VNMG 160404",
        rpm: 2200,
        approach: { x: 20, z: 2 },
        steps: [
          cut({ x: 24, z: -0.5 }, 0.08, 12),
          cut({ z: -40 }, 0.08, 16),
          cut({ x: 32 }, 0.08, 12),
          cut({ z: -80 }, 0.08, 16),
          cut({ x: 42 }, 0.08, 8),
        ],
        retract: { x: 200, z: 100 },
      },
    ],
  },
  {
    name: "O1003",
    title: "BOLT-M20",
    kind: "lathe",
    stock: "STOCK D25 X 70, 8.8 STEEL",
    operations: [
      {
        tool: 1,
        toolName: "ROUGHING CNMG 120408",
        rpm: 1600,
        approach: { x: 28, z: 2 },
        steps: [...face(25, 0, 0.18, 30), ...roughTurn(25, 20.2, 1.2, -45, 0.22, 50)],
        retract: { x: 200, z: 100 },
      },
      {
        tool: 3,
        toolName: "FINISHING VNMG 160404",
        rpm: 2200,
        approach: { x: 16, z: 2 },
        steps: [cut({ x: 20, z: -1.5 }, 0.08, 10), cut({ z: -45 }, 0.08, 14), cut({ x: 27 }, 0.08, 8)],
        retract: { x: 200, z: 100 },
      },
      {
        tool: 7,
        toolName: "THREADING 16ER 2.5ISO",
        rpm: 600,
        approach: { x: 24, z: 5 },
        steps: [
          {
            kind: "thread",
            diameters: [19.4, 18.9, 18.5, 18.15, 17.85, 17.6, 17.4, 17.29, 17.29],
            z: -32,
            pitch: 2.5,
            load: 35,
          },
        ],
        retract: { x: 200, z: 100 },
      },
    ],
  },
  {
    name: "O1004",
    title: "HYLSE-BORING",
    kind: "lathe",
    stock: "STOCK D70 X 50, POM-C",
    operations: [
      {
        tool: 1,
        toolName: "ROUGHING CNMG 120408",
        rpm: 1400,
        approach: { x: 73, z: 2 },
        steps: [...face(70, 0, 0.22, 25), ...roughTurn(70, 65.5, 1.5, -42, 0.3, 35)],
        retract: { x: 200, z: 100 },
      },
      {
        tool: 5,
        toolName: "DRILL D20 HSS-E",
        rpm: 1100,
        approach: { x: 0, z: 5 },
        steps: peckDrillLathe(45, 15, 0.15, 40),
        retract: { x: 200, z: 100 },
        stopAfter: "CLEAR CHIPS FROM BORE",
      },
      {
        tool: 6,
        toolName: "BORING BAR S16R CCMT",
        rpm: 1600,
        approach: { x: 18, z: 2 },
        steps: [
          cut({ z: -42 }, 0.15, 25),
          rapid({ z: 2 }),
          rapid({ x: 24 }),
          cut({ z: -42 }, 0.15, 28),
          rapid({ x: 23, z: 2 }),
          rapid({ x: 30 }),
          cut({ x: 28, z: -1 }, 0.08, 10),
          cut({ z: -42 }, 0.08, 14),
          cut({ x: 26 }, 0.08, 6),
        ],
        retract: { x: 200, z: 100 },
      },
    ],
  },
];

const MILL_PROGRAMS: ProgramDefinition[] = [
  {
    name: "O2001",
    title: "PLATE-PLANFRES",
    kind: "mill",
    stock: "STOCK 150 X 100 X 22, AL 6082",
    operations: [
      {
        tool: 1,
        toolName: "FACE MILL D63 5 INSERTS",
        rpm: 3500,
        approach: { x: -45, y: -30, z: 25 },
        steps: [
          ...faceMill(-45, 195, [-30, 15, 60, 105, 130], 0.5, 1600, 45),
          rapid({ z: 25 }),
          rapid({ x: -45, y: -30 }),
          ...faceMill(-45, 195, [-30, 15, 60, 105, 130], 0, 2000, 25),
        ],
        retract: { z: 100 },
      },
      {
        tool: 4,
        toolName: "END MILL D12 3FL",
        rpm: 6000,
        approach: { x: -10, y: -10, z: 25 },
        steps: [
          cut({ z: -5 }, 300, 20),
          cut({ x: 160 }, 900, 45),
          cut({ y: 110 }, 900, 45),
          cut({ x: -10 }, 900, 45),
          cut({ y: -10 }, 900, 45),
          rapid({ z: 25 }),
        ],
        retract: { z: 100 },
      },
    ],
  },
  {
    name: "O2002",
    title: "LOMME-FRES",
    kind: "mill",
    stock: "STOCK 100 X 80 X 30, AL 7075",
    operations: [
      {
        tool: 4,
        toolName: "END MILL D12 3FL",
        rpm: 7000,
        approach: { x: 50, y: 40, z: 25 },
        steps: pocket(50, 40, 30, 20, [-3, -6, -9, -12], 5, 1100, 50),
        retract: { z: 100 },
      },
      {
        tool: 5,
        toolName: "END MILL D8 FINISH",
        rpm: 8000,
        approach: { x: 50, y: 40, z: 25 },
        steps: [
          cut({ z: -12 }, 250, 15),
          cut({ x: 18, y: 18 }, 700, 20),
          cut({ x: 82 }, 700, 25),
          cut({ y: 62 }, 700, 25),
          cut({ x: 18 }, 700, 25),
          cut({ y: 18 }, 700, 25),
          rapid({ z: 25 }),
        ],
        retract: { z: 100 },
      },
    ],
  },
  {
    name: "O2003",
    title: "HULLBILDE-BORING",
    kind: "mill",
    stock: "STOCK D120 X 20, S355 FLANGE BLANK",
    operations: [
      {
        tool: 8,
        toolName: "SPOT DRILL D10 90DEG",
        rpm: 2500,
        approach: { x: 50, y: 0, z: 25 },
        steps: [{ kind: "drill", holes: boltCircle(0, 0, 50, 8), depth: -2.5, r: 2, feed: 200, load: 20 }],
        retract: { z: 100 },
      },
      {
        tool: 9,
        toolName: "DRILL D8.5 CARBIDE",
        rpm: 3200,
        approach: { x: 50, y: 0, z: 25 },
        steps: [
          { kind: "drill", holes: boltCircle(0, 0, 50, 8), depth: -24, r: 2, peck: 6, feed: 320, load: 55 },
        ],
        retract: { z: 100 },
      },
      {
        tool: 10,
        toolName: "TAP M10 SPIRAL FLUTE",
        rpm: 500,
        approach: { x: 50, y: 0, z: 25 },
        steps: [
          { kind: "drill", holes: boltCircle(0, 0, 50, 8), depth: -18, r: 3, tap: true, feed: 750, load: 40 },
        ],
        retract: { z: 100 },
      },
    ],
  },
  {
    name: "O2004",
    title: "KONTUR-FRES",
    kind: "mill",
    stock: "STOCK 120 X 80 X 15, AL 6082",
    operations: [
      {
        tool: 4,
        toolName: "END MILL D12 3FL",
        rpm: 6500,
        approach: { x: -10, y: -10, z: 25 },
        steps: [
          cut({ z: -4 }, 300, 20),
          cut({ x: 110 }, 800, 50),
          cut({ x: 130, y: 20 }, 800, 50),
          cut({ y: 90 }, 800, 50),
          cut({ x: -10 }, 800, 50),
          cut({ y: -10 }, 800, 50),
          cut({ z: -8 }, 300, 20),
          cut({ x: 110 }, 800, 52),
          cut({ x: 130, y: 20 }, 800, 52),
          cut({ y: 90 }, 800, 52),
          cut({ x: -10 }, 800, 52),
          cut({ y: -10 }, 800, 52),
          rapid({ z: 25 }),
        ],
        retract: { z: 100 },
        stopAfter: "CHECK CONTOUR WITH CALIPER",
      },
      {
        tool: 11,
        toolName: "CHAMFER MILL D10 90DEG",
        rpm: 5000,
        approach: { x: -6, y: -6, z: 25 },
        steps: [
          cut({ z: -1.5 }, 300, 10),
          cut({ x: 114 }, 1000, 18),
          cut({ x: 126, y: 22 }, 1000, 18),
          cut({ y: 86 }, 1000, 18),
          cut({ x: -6 }, 1000, 18),
          cut({ y: -6 }, 1000, 18),
          rapid({ z: 25 }),
        ],
        retract: { z: 100 },
      },
    ],
  },
];

/** Every program of the library, lathe programs first. */
export const PROGRAMS: readonly ProgramDefinition[] = [...LATHE_PROGRAMS, ...MILL_PROGRAMS];

/** The library of one machine kind. */
export function programsFor(kind: MachineKind): ProgramDefinition[] {
  return PROGRAMS.filter((p) => p.kind === kind);
}

/** The compiled library (NC text and executable blocks), by program name. */
export const COMPILED_PROGRAMS: ReadonlyMap<string, CompiledProgram> = new Map(
  PROGRAMS.map((p) => [p.name, compileProgram(p)]),
);

/**
 * The NC text of every library program (plain ISO G-code, `%`-framed, LF line ends),
 * by program name: sample programs for the DNC simulator and tests.
 */
export const NC_PROGRAMS: Readonly<Record<string, string>> = Object.fromEntries(
  [...COMPILED_PROGRAMS].map(([name, compiled]) => [name, compiled.ncText]),
);
