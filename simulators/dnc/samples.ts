// Programs the simulated control has in memory at start, to punch on request.
// The machine model's library (simulators/model/programs.ts, NC_PROGRAMS) is
// used when it is there; a small Fanuc program otherwise.

const FALLBACK: Record<string, string> = {
  O0001: [
    "%",
    "O0001 (DNC SIM SAMPLE)",
    "G21 G40 G99",
    "T0101",
    "G96 S200 M03",
    "G00 X52. Z2. M08",
    "G01 Z-30. F0.25",
    "X54.",
    "G00 Z2.",
    "G28 U0. W0. M09",
    "M30",
    "%",
    "",
  ].join("\n"),
};

export async function loadSamplePrograms(): Promise<Record<string, string>> {
  try {
    const mod = (await import("../model/programs.ts")) as { NC_PROGRAMS?: Record<string, string> };
    if (mod.NC_PROGRAMS && Object.keys(mod.NC_PROGRAMS).length > 0) return { ...mod.NC_PROGRAMS };
  } catch {
    // The model's library is not available (or not finished): use the fallback.
  }
  return { ...FALLBACK };
}
