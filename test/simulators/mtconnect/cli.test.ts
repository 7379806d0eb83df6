import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { parseMtconnectSimulatorArgs, runMtconnectSimulatorCli } from "../../../simulators/mtconnect/cli.ts";
import { mtconnectSimulatorSchema } from "../../../simulators/mtconnect/config.ts";
import { startMtconnectSimulator } from "../../../simulators/mtconnect/simulator.ts";
import { waitFor } from "../../support/ports.ts";

describe("maskinport sim mtconnect", () => {
  it("reads its options with defaults", () => {
    expect(parseMtconnectSimulatorArgs([])).toEqual({
      host: "127.0.0.1",
      port: 5000,
      machines: 1,
      seed: 1,
      timeScale: 1,
      bufferSize: 131_072,
      schema: "2.0",
    });
    expect(
      parseMtconnectSimulatorArgs([
        "--port",
        "5001",
        "--machines",
        "3",
        "--time-scale",
        "2.5",
        "--buffer",
        "64",
        "--schema",
        "1.3",
      ]),
    ).toMatchObject({ port: 5001, machines: 3, timeScale: 2.5, bufferSize: 64, schema: "1.3" });
    expect(parseMtconnectSimulatorArgs(["--help"])).toBe("help");
    expect(
      parseMtconnectSimulatorArgs(["--shdr", "127.0.0.1:7890", "--devices", "D.xml", "--device", "OKUMA"]),
    ).toMatchObject({
      shdr: { host: "127.0.0.1", port: 7890, devicesXml: "D.xml", device: "OKUMA" },
    });
  });

  it("refuses bad arguments with exit code 2 and one clear line", async () => {
    const cases: [string[], RegExp][] = [
      [["--port", "http"], /--port: expected an integer 0–65535, got "http"/],
      [["--machines", "0"], /--machines: expected an integer 1–64, got 0/],
      [["--time-scale", "0"], /--time-scale: expected a number greater than 0/],
      [["--buffer", "2"], /--buffer: expected an integer 16–1048576/],
      [["--schema", "3.0"], /--schema: expected 1.3 or 2.0/],
      [["--prot", "5000"], /Unknown option '--prot'/],
      [["--shdr", "localhost"], /--shdr: expected HOST:PORT/],
      [["--shdr", "localhost:7878"], /--shdr needs --devices FILE/],
      [["--devices", "D.xml"], /only apply with --shdr/],
      [["--shdr", "a:1", "--devices", "D.xml", "--machines", "2"], /--machines does not apply with --shdr/],
    ];
    for (const [argv, message] of cases) {
      const errors: string[] = [];
      expect(await runMtconnectSimulatorCli(argv, { err: (l) => errors.push(l), out: () => {} })).toBe(2);
      expect(errors.join("\n")).toMatch(message);
    }
  });

  it("runs an agent until stopped", async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const done = runMtconnectSimulatorCli(["--port", "0", "--machines", "2"], {
      out: (l) => lines.push(l),
      log: pino({ level: "silent" }),
      signal: stop.signal,
    });
    const url = await waitFor("agent url", () => /on (http:\/\/\S+)/.exec(lines.join("\n"))?.[1]);
    expect((await (await fetch(`${url}/probe`)).text()).match(/<Device /g)).toHaveLength(2);
    expect(lines.join("\n")).toContain("device mill-2 (mill), uuid maskinport-sim-mill-2");
    stop.abort();
    expect(await done).toBe(0);
  });
});

describe("mtconnectSimulatorSchema (simulators[] entry)", () => {
  it("fills defaults and accepts an SHDR-fed agent", () => {
    expect(mtconnectSimulatorSchema.parse({ type: "mtconnect", port: 5000, machines: 2 })).toEqual({
      type: "mtconnect",
      host: "127.0.0.1",
      port: 5000,
      machines: 2,
      seed: 1,
      timeScale: 1,
      bufferSize: 131_072,
      schema: "2.0",
    });
    const fed = mtconnectSimulatorSchema.parse({
      type: "mtconnect",
      port: 5001,
      shdr: { port: 7890, devicesXml: "../fixtures/mtconnect/cppagent/Devices.xml", device: "OKUMA" },
    });
    expect(fed.shdr).toEqual({
      host: "127.0.0.1",
      port: 7890,
      devicesXml: "../fixtures/mtconnect/cppagent/Devices.xml",
      device: "OKUMA",
    });
  });

  it("is what startMtconnectSimulator takes", async () => {
    const cfg = mtconnectSimulatorSchema.parse({ type: "mtconnect", port: 5000, machines: 2, timeScale: 5 });
    const sim = await startMtconnectSimulator({ ...cfg, port: 0, log: pino({ level: "silent" }) });
    expect(sim.devices.map((d) => d.name)).toEqual(["lathe-1", "mill-2"]);
    await sim.close();
  });

  it("refuses unknown keys and bad values", () => {
    expect(simulatorProblems({ type: "mtconnect", port: 5000, machine: 2 })).toMatch(/machine/);
    expect(simulatorProblems({ type: "mtconnect", port: 70000 })).toMatch(/port/);
    expect(simulatorProblems({ type: "mtconnect", port: 5000, schema: "3.0" })).toMatch(/schema/);
  });
});

function simulatorProblems(input: unknown): string {
  const r = mtconnectSimulatorSchema.safeParse(input);
  return r.success ? "" : r.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ");
}
