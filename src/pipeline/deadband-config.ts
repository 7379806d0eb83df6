import { z } from "zod";
import { isSignalId } from "../core/signals.ts";
import type { DeadbandConfig } from "./deadband.ts";

// The config piece of the deadband (deadband.ts): `machines[].deadband`, an
// absolute band per signal of that machine, e.g.
//
//   machines:
//     - id: lathe-1
//       deadband: { spindle.speed: 5, spindle.load: 2 }
//
// Kept here, beside the transform, so that src/config only names it.

/** `machines[].deadband`: signal id → absolute band (≥ 0, in the signal's unit). */
export const machineDeadbandSchema = z
  .record(
    z.string(),
    z
      .number({ error: "expected a number ≥ 0 (the band, in the signal's unit)" })
      .finite()
      .min(0, "expected a number ≥ 0 (the band, in the signal's unit)"),
  )
  .superRefine((bands, ctx) => {
    // Checked here rather than as the record's key schema, whose message zod
    // replaces with a generic "Invalid key in record".
    for (const signal of Object.keys(bands)) {
      if (!isSignalId(signal)) {
        ctx.addIssue({
          code: "custom",
          path: [signal],
          message: "expected a catalogue signal id (e.g. spindle.speed, spindle.2.load) or raw.<name>",
        });
      }
    }
  });

/** The per-machine bands of a parsed config, as Pipeline's `machineDeadbands` option takes them. */
export function deadbandsByMachine(
  machines: readonly { id: string; deadband?: DeadbandConfig | undefined }[],
): Record<string, DeadbandConfig> {
  const out: Record<string, DeadbandConfig> = {};
  for (const m of machines) if (m.deadband !== undefined) out[m.id] = m.deadband;
  return out;
}
