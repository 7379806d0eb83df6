import { describe, expect, it } from "vitest";
import { parseOpcuaSimulatorArgs, runOpcuaSimulatorCli } from "../../../simulators/opcua/cli.ts";
import { opcuaSimulatorSchema } from "../../../simulators/opcua/config.ts";
import { tempDir } from "./helpers.ts";

describe("maskinport sim opcua: arguments", () => {
  it("has defaults a technician can start with", () => {
    expect(parseOpcuaSimulatorArgs([])).toEqual({
      host: "127.0.0.1",
      port: 4840,
      machines: 1,
      seed: 1,
      timeScale: 1,
      plain: false,
      pkiDir: "data/opcua-sim-pki",
      users: {},
      allowAnonymous: true,
      securityModes: ["None", "Sign", "SignAndEncrypt"],
      loadVariables: 0,
      loadPeriodMs: 100,
    });
    expect(
      parseOpcuaSimulatorArgs([
        "--port",
        "0",
        "--machines",
        "3",
        "--time-scale",
        "10",
        "--plain",
        "--user",
        "op:pw:x",
        "--security",
        "SignAndEncrypt",
        "--no-anonymous",
      ]),
    ).toMatchObject({
      port: 0,
      machines: 3,
      timeScale: 10,
      plain: true,
      users: { op: "pw:x" },
      allowAnonymous: false,
      securityModes: ["SignAndEncrypt"],
    });
  });

  it.each([
    [["--port", "70000"], "--port: expected an integer 0–65535, got 70000"],
    [["--machines", "two"], '--machines: expected an integer 1–64, got "two"'],
    [["--time-scale", "0"], '--time-scale: expected a number greater than 0 and at most 1000, got "0"'],
    [["--user", "nopassword"], '--user: expected NAME:PASSWORD, got "nopassword"'],
    [["--security", "None,Encrypt"], '--security: "Encrypt" is not one of None, Sign, SignAndEncrypt'],
    [["--no-anonymous"], "--no-anonymous needs at least one --user NAME:PASSWORD, or nobody could log in"],
    [["--frobnicate"], "Unknown option '--frobnicate'"],
  ])("%j → %s", (argv, message) => {
    expect(() => parseOpcuaSimulatorArgs(argv)).toThrow(message);
  });

  it("runs until stopped and says where it listens; bad arguments exit 2", async () => {
    const dir = tempDir("opcua-sim-cli");
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) };
    expect(await runOpcuaSimulatorCli(["--machines", "0"], io)).toBe(2);
    expect(err[0]).toMatch(/^maskinport sim opcua: --machines: expected an integer 1–64/);

    const stop = new AbortController();
    const run = runOpcuaSimulatorCli(["--port", "0", "--plain", "--machines", "2", "--pki", dir.path], {
      ...io,
      signal: stop.signal,
    });
    while (!out.some((l) => l.startsWith("OPC UA simulator on"))) await new Promise((r) => setTimeout(r, 50));
    stop.abort();
    expect(await run).toBe(0);
    expect(out).toEqual([
      expect.stringMatching(
        /^OPC UA simulator on opc\.tcp:\/\/127\.0\.0\.1:\d+ \(None, Sign, SignAndEncrypt\)$/,
      ),
      "  lathe-1 (lathe): ns=1;s=lathe-1.<signal>",
      "  mill-2 (mill): ns=1;s=mill-2.<signal>",
      "opcua simulator stopped",
    ]);
    dir.remove();
  });
});

describe("simulators: [{type: opcua}] config", () => {
  it("fills defaults that start a demo server, and refuses a server nobody can log in to", () => {
    expect(opcuaSimulatorSchema.parse({ type: "opcua", machines: 2 })).toEqual({
      type: "opcua",
      host: "127.0.0.1",
      port: 4840,
      machines: 2,
      seed: 1,
      timeScale: 1,
      plain: false,
      pkiDir: "data/opcua-sim-pki",
      users: {},
      allowAnonymous: true,
      securityModes: ["None", "Sign", "SignAndEncrypt"],
    });
    const r = opcuaSimulatorSchema.safeParse({ type: "opcua", allowAnonymous: false });
    expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
      "users: allowAnonymous: false needs at least one entry in users, or nobody could log in",
    ]);
    expect(opcuaSimulatorSchema.safeParse({ type: "opcua", port: 4840, speed: 2 }).success).toBe(false);
  });
});
