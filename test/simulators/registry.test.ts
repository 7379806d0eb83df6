import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { resolveSimulatorPaths, simulatorSchema, startSimulator } from "../../simulators/registry.ts";

const silent = pino({ level: "silent" });

describe("simulators/registry.ts", () => {
  it("refuses to start an entry its schema rejects, naming the entry and the key", async () => {
    await expect(startSimulator({ type: "shdr", port: 0, machnes: 2 }, 3, silent)).rejects.toThrow(
      'simulators[3].port: expected integer 1–65535, got 0; simulators[3].machnes: unknown key "machnes"; did you mean "machines"?',
    );
    await expect(startSimulator({ type: "modbus" }, 0, silent)).rejects.toThrow(
      "simulators[0].type: expected simulators[].type to be one of: shdr, mtconnect, opcua, dnc",
    );
  });

  it("makes each simulator's own file paths absolute, and no other key", () => {
    const entries = [
      simulatorSchema.parse({ type: "shdr", port: 7890, replay: "fixtures/okuma.txt" }),
      simulatorSchema.parse({ type: "opcua", port: 4840, pkiDir: "/abs/pki" }),
      simulatorSchema.parse({
        type: "mtconnect",
        port: 5000,
        shdr: { port: 7890, devicesXml: "okuma/Devices.xml" },
      }),
      simulatorSchema.parse({ type: "dnc", port: 4001 }),
    ];
    const resolved = resolveSimulatorPaths(entries, (p) => (p.startsWith("/") ? p : `/site/${p}`));
    expect(resolved[0]).toMatchObject({ replay: "/site/fixtures/okuma.txt", host: "127.0.0.1" });
    expect(resolved[1]).toMatchObject({ pkiDir: "/abs/pki" });
    expect(resolved[2]).toMatchObject({ shdr: { devicesXml: "/site/okuma/Devices.xml" } });
    expect(resolved[3]).toEqual(entries[3]);
  });
});
