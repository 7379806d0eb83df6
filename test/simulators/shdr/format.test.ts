import { describe, expect, it } from "vitest";
import { MachineModel } from "../../../simulators/model/machine-model.ts";
import {
  changeLines,
  shdrNumber,
  shdrText,
  shdrTimestamp,
  snapshotLines,
  unavailableLines,
} from "../../../simulators/shdr/format.ts";
import { SIM_SHDR_KEY_MAP, SIM_SHDR_KEYS } from "../../../simulators/shdr/keys.ts";

const TS = "2026-03-02T08:15:00.123Z";
const model = () => new MachineModel({ id: "m", kind: "lathe", seed: 1, autoOperator: false });

/** key → value pairs of a `ts|k|v|k|v` line. */
function pairs(line: string): Record<string, string> {
  const fields = line.split("|").slice(1);
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) out[fields[i] as string] = fields[i + 1] as string;
  return out;
}

describe("SHDR formatting", () => {
  it("snapshot has every key, the message and the condition", () => {
    const lines = snapshotLines(model().state(), TS);
    expect(lines).toHaveLength(3);
    const values = pairs(lines[0] ?? "");
    const simple = SIM_SHDR_KEYS.filter((k) => k.type !== "message" && k.type !== "condition").map(
      (k) => k.key,
    );
    expect(Object.keys(values)).toEqual(simple);
    expect(values).toMatchObject({
      avail: "AVAILABLE",
      execution: "READY",
      mode: "AUTOMATIC",
      program: "O1001",
    });
    expect(lines[1]).toBe(`${TS}|message||`);
    expect(lines[2]).toBe(`${TS}|system|NORMAL||||`);
  });

  it("change lines carry only what changed, conditions on their own lines", () => {
    const m = model();
    const a = m.state();
    expect(changeLines(a, m.state(), TS)).toEqual([]);
    m.runProgram("O1001");
    m.advance(3000);
    const b = m.state();
    const [line] = changeLines(a, b, TS);
    expect(pairs(line ?? "")).toMatchObject({ execution: "ACTIVE", Scmd: "1200" });
    expect(pairs(line ?? "")).not.toHaveProperty("mode");

    m.raiseAlarm("EX1010", "warning", "COOLANT LEVEL LOW");
    m.raiseAlarm("2001", "fault", "SPINDLE OVERLOAD");
    const c = m.state();
    expect(changeLines(b, c, TS)).toContain(`${TS}|system|WARNING|EX1010|2||COOLANT LEVEL LOW`);
    expect(changeLines(b, c, TS)).toContain(`${TS}|system|FAULT|2001|1||SPINDLE OVERLOAD`);
    m.clearAlarm("2001");
    const d = m.state();
    expect(changeLines(c, d, TS)).toContain(`${TS}|system|NORMAL|2001|||`);
    m.clearAlarm("EX1010");
    expect(changeLines(d, m.state(), TS)).toContain(`${TS}|system|NORMAL||||`);
  });

  it("power off sends every key UNAVAILABLE; power on a fresh snapshot", () => {
    const m = model();
    const on = m.state();
    m.powerOff();
    const off = m.state();
    const down = changeLines(on, off, TS);
    expect(down).toEqual(unavailableLines(TS));
    expect(down[0]).toMatch(/^[^|]+\|avail\|UNAVAILABLE\|execution\|UNAVAILABLE\|/);
    expect(down).toContain(`${TS}|system|UNAVAILABLE||||`);
    expect(snapshotLines(off, TS)).toEqual(unavailableLines(TS));
    m.powerOn();
    expect(pairs(changeLines(off, m.state(), TS)[0] ?? "").avail).toBe("AVAILABLE");
  });

  it("keeps free text from breaking the line and numbers short", () => {
    expect(shdrText("A|B\nC")).toBe("A/B C");
    expect(shdrNumber(1200)).toBe("1200");
    expect(shdrNumber(85.62000001)).toBe("85.62");
    expect(shdrTimestamp(Date.UTC(2026, 2, 2, 8, 15, 0, 123))).toBe(TS);
  });

  it("exports the key list as an adapter key map", () => {
    expect(SIM_SHDR_KEY_MAP.Sspeed).toEqual({ signal: "spindle.speed", type: "sample", unit: "rev/min" });
    expect(SIM_SHDR_KEY_MAP.system).toEqual({ signal: "alarm", type: "condition" });
    expect(SIM_SHDR_KEY_MAP.message).toEqual({ signal: "message", type: "message" });
    expect(Object.keys(SIM_SHDR_KEY_MAP)).toHaveLength(20);
  });
});
