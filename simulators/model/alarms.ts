// Alarms the simulated operator's shop floor produces at random. Codes follow
// Fanuc conventions (EX = external/PMC alarms written by the machine builder,
// OT = overtravel, SV = servo, PS = program errors); texts are English, as on
// the controls in the school.
import type { MachineKind } from "./profiles.ts";

export type AlarmSeverity = "warning" | "fault";

export type ModelAlarm = { code: string; severity: AlarmSeverity; text: string };

/** When an alarm can plausibly happen: while cutting, while a program runs, while axes move, or at any time. */
export type AlarmOccasion = "cutting" | "running" | "moving" | "any";

export type AlarmTemplate = ModelAlarm & {
  kinds: readonly MachineKind[];
  occasion: AlarmOccasion;
  /** Relative frequency among the alarms that fit the moment. */
  weight: number;
};

const BOTH: readonly MachineKind[] = ["lathe", "mill"];

export const ALARM_CATALOGUE: readonly AlarmTemplate[] = [
  { code: "2001", severity: "fault", text: "SPINDLE OVERLOAD", kinds: BOTH, occasion: "cutting", weight: 3 },
  { code: "EX1003", severity: "fault", text: "DOOR OPEN", kinds: BOTH, occasion: "running", weight: 3 },
  {
    code: "EX1005",
    severity: "fault",
    text: "CHUCK NOT CLAMPED",
    kinds: ["lathe"],
    occasion: "running",
    weight: 1,
  },
  {
    code: "EX1007",
    severity: "fault",
    text: "ATC TOOL CHANGE TIMEOUT",
    kinds: ["mill"],
    occasion: "running",
    weight: 1,
  },
  { code: "EX1010", severity: "warning", text: "COOLANT LEVEL LOW", kinds: BOTH, occasion: "any", weight: 4 },
  {
    code: "EX1011",
    severity: "warning",
    text: "LUBRICATION OIL LOW",
    kinds: BOTH,
    occasion: "any",
    weight: 3,
  },
  { code: "EX1020", severity: "fault", text: "AIR PRESSURE LOW", kinds: BOTH, occasion: "any", weight: 1 },
  {
    code: "EX1030",
    severity: "warning",
    text: "CHIP CONVEYOR OVERLOAD",
    kinds: BOTH,
    occasion: "any",
    weight: 2,
  },
  {
    code: "EX1040",
    severity: "warning",
    text: "TOOL LIFE EXPIRED",
    kinds: BOTH,
    occasion: "running",
    weight: 3,
  },
  {
    code: "OT0501",
    severity: "fault",
    text: "OVER TRAVEL ( -X )",
    kinds: BOTH,
    occasion: "moving",
    weight: 1,
  },
  {
    code: "SV0410",
    severity: "fault",
    text: "EXCESS ERROR IN STOP",
    kinds: BOTH,
    occasion: "any",
    weight: 0.5,
  },
  { code: "PS0010", severity: "fault", text: "IMPROPER G-CODE", kinds: BOTH, occasion: "running", weight: 1 },
];
