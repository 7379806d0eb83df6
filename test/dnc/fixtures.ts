import { readFileSync } from "node:fs";

/** A sample program from test/dnc/programs, as latin1 text (byte for byte). */
export function sampleProgram(name: string): string {
  return readFileSync(new URL(`./programs/${name}`, import.meta.url), "latin1");
}

/** A valid Fanuc program of about `bytes` bytes (for drip-feed and flow-control tests). */
export function longFanucProgram(bytes: number, number = "O4321"): string {
  const lines = ["%", `${number} (LONG PROGRAM)`, "G21 G90 G94", "G00 X0. Y0. Z5."];
  let size = lines.join("\n").length;
  for (let i = 1; size < bytes - 8; i++) {
    const line = `N${i} G01 X${(i % 200) / 2}. Y${(i * 7) % 100}.5 F500.`;
    lines.push(line);
    size += line.length + 1;
  }
  lines.push("M30", "%");
  return `${lines.join("\n")}\n`;
}
