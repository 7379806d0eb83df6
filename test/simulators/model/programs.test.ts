import { describe, expect, it } from "vitest";
import { compileProgram, ncNumber } from "../../../simulators/model/compile.ts";
import { MachineModel } from "../../../simulators/model/machine-model.ts";
import { COMPILED_PROGRAMS, NC_PROGRAMS, PROGRAMS, programsFor } from "../../../simulators/model/programs.ts";

describe("program library", () => {
  it("has programs for both kinds with unique O-numbers", () => {
    expect(programsFor("lathe").length).toBeGreaterThanOrEqual(3);
    expect(programsFor("mill").length).toBeGreaterThanOrEqual(3);
    const names = PROGRAMS.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^O\d{4}$/);
  });

  it("writes %-framed ISO NC text with the O-number, comments and M30", () => {
    for (const p of PROGRAMS) {
      const text = NC_PROGRAMS[p.name] ?? "";
      const lines = text.split("\n");
      expect(lines[0]).toBe("%");
      expect(lines[1]).toBe(`${p.name} (${p.title})`);
      expect(text.endsWith("M30\n%\n")).toBe(true);
      // 7-bit ASCII only: the text goes down RS-232 lines in ISO code.
      expect(/^[\x20-\x7e\n]*$/.test(text)).toBe(true);
      expect(lines.filter((l) => /^N\d+ T/.test(l)).length).toBe(p.operations.length);
    }
    expect(NC_PROGRAMS.O1001).toContain("G97 S1200 M03");
    expect(NC_PROGRAMS.O2003).toContain("G98 G83 X50. Y0. Z-24. R2. Q6. F320.");
    expect(NC_PROGRAMS.O1003).toContain("G92 X19.4 Z-32. F2.5");
  });

  it("ties every block to the line of the text it came from", () => {
    for (const [name, compiled] of COMPILED_PROGRAMS) {
      const lines = compiled.ncText.split("\n");
      for (const block of compiled.blocks) {
        const line = lines[block.line - 1] ?? "";
        const expected = {
          tool: /T\d/,
          spindle: /S\d+ M03/,
          spindleStop: /^M05$/,
          motion: /[XYZUW]-?[\d.]/,
          stop: /^M00 \(/,
          end: /^M30$/,
        }[block.type];
        expect(line, `${name} line ${block.line} (${block.type})`).toMatch(expected);
      }
    }
  });

  it("runs each program in 30 s – 4 min of simulated time", () => {
    for (const p of PROGRAMS) {
      const m = new MachineModel({ id: "t", kind: p.kind, seed: 1, autoOperator: false });
      m.runProgram(p.name);
      let seconds = 0;
      while (m.programActive && seconds < 600) {
        m.advance(1000);
        seconds++;
        if (m.execution === "PROGRAM_STOPPED") m.resume();
      }
      expect(seconds, p.name).toBeGreaterThanOrEqual(30);
      expect(seconds, p.name).toBeLessThanOrEqual(240);
      expect(m.state().partCount).toBe(1);
    }
  });

  it("formats numbers the Fanuc way", () => {
    expect(ncNumber(126)).toBe("126.");
    expect(ncNumber(-1.6)).toBe("-1.6");
    expect(ncNumber(0.25)).toBe("0.25");
    expect(ncNumber(35.35534)).toBe("35.355");
  });

  it("refuses a program for the other machine kind", () => {
    const mill = PROGRAMS.find((p) => p.kind === "mill");
    if (!mill) throw new Error("no mill program");
    expect(() => new MachineModel({ id: "l", kind: "lathe", seed: 1, programs: [mill] })).toThrow(
      /mill program/,
    );
    // A custom program (not from the library) is compiled on the fly.
    const custom = { ...mill, name: "O9001", title: "TEST" };
    const m = new MachineModel({ id: "m", kind: "mill", seed: 1, programs: [custom], autoOperator: false });
    expect(m.programNames).toEqual(["O9001"]);
    expect(m.programs.get("O9001")?.ncText).toBe(compileProgram(custom).ncText);
  });
});
