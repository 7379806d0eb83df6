import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { mtconnectMonitorSchema } from "../../../src/adapters/mtconnect/config.ts";
import { groupMtconnectMonitors } from "../../../src/adapters/mtconnect/group.ts";

const SAMPLE = new URL("../../../src/adapters/mtconnect/sample.yaml", import.meta.url);

describe("src/adapters/mtconnect/sample.yaml", () => {
  it("has monitors that the schema accepts, grouped into two agent connections", () => {
    const doc = parse(readFileSync(SAMPLE, "utf8")) as { machines: { id: string; monitor: unknown }[] };
    const machines = doc.machines.map((m) => ({
      id: m.id,
      monitor: mtconnectMonitorSchema.parse(m.monitor),
    }));
    const groups = groupMtconnectMonitors(machines);
    expect(groups.map((g) => [g.url, g.machines.map((m) => m.id)])).toEqual([
      ["http://mill-2.verksted.lan:5000", ["mill-2"]],
      ["http://agent.verksted.lan:5000", ["lathe-3", "multus-1"]],
    ]);
  });
});
