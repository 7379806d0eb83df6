import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { parseShdrSimulatorArgs, runShdrSimulatorCli } from "../../../simulators/shdr/cli.ts";
import { waitFor } from "../../support/ports.ts";
import { ShdrTestClient } from "./shdr-client.ts";

const log = pino({ level: "silent" });

describe("maskinport sim shdr arguments", () => {
  it("has sensible defaults", () => {
    expect(parseShdrSimulatorArgs([])).toEqual({
      host: "127.0.0.1",
      port: 7878,
      machines: 1,
      seed: 1,
      timeScale: 1,
      heartbeatMs: 10_000,
      speed: 1,
      loop: true,
      retime: false,
    });
    expect(
      parseShdrSimulatorArgs(["--port", "0", "--machines", "4", "--seed", "9", "--time-scale", "2.5"]),
    ).toMatchObject({ port: 0, machines: 4, seed: 9, timeScale: 2.5 });
    expect(parseShdrSimulatorArgs(["--replay", "x.txt", "--speed", "10", "--no-loop"])).toMatchObject({
      replay: "x.txt",
      speed: 10,
      loop: false,
    });
    expect(parseShdrSimulatorArgs(["--help"])).toBe("help");
  });

  it.each([
    [["--port", "78x8"], /--port: expected an integer 0–65535, got "78x8"/],
    [["--port", "70000"], /--port: expected an integer 0–65535, got 70000/],
    [["--machines", "0"], /--machines: expected an integer 1–64/],
    [["--port", "65535", "--machines", "2"], /past 65535/],
    [["--time-scale", "0"], /--time-scale: expected a number greater than 0/],
    [["--time-scale", "fast"], /--time-scale: expected a number/],
    [["--speed", "2"], /--speed only applies to --replay/],
    [["--no-loop"], /--no-loop only applies to --replay/],
    [["--replay", "x", "--seed", "2"], /--seed applies to the simulated machines/],
    [["--host", "bad host"], /--host: expected a host name/],
    [["--bogus"], /Unknown option '--bogus'/],
    [["extra"], /Unexpected argument 'extra'/],
    [["--port"], /--port/],
  ])("rejects %j", (argv, message) => {
    expect(() => parseShdrSimulatorArgs(argv)).toThrow(message);
  });
});

describe("runShdrSimulatorCli", () => {
  it("prints the problem and the usage for bad arguments (exit 2)", async () => {
    const err: string[] = [];
    const code = await runShdrSimulatorCli(["--machines", "100"], { err: (l) => err.push(l), log });
    expect(code).toBe(2);
    expect(err.join("\n")).toMatch(/maskinport sim shdr: --machines: expected an integer 1–64[\s\S]*Usage:/);
  });

  it("fails with exit 1 when the replay file is missing", async () => {
    const err: string[] = [];
    const code = await runShdrSimulatorCli(["--port", "0", "--replay", "/nonexistent/log.txt"], {
      err: (l) => err.push(l),
      log,
    });
    expect(code).toBe(1);
    expect(err.join("\n")).toMatch(/cannot read replay file \/nonexistent\/log\.txt: ENOENT/);
  });

  it("prints the listening ports, serves SHDR and stops cleanly", async () => {
    const out: string[] = [];
    const abort = new AbortController();
    const done = runShdrSimulatorCli(["--port", "0", "--machines", "2", "--seed", "4"], {
      out: (l) => out.push(l),
      log,
      signal: abort.signal,
    });
    await waitFor("ports printed", () => out.length >= 2);
    expect(out[0]).toMatch(/^sim-1 \(lathe\): SHDR on 127\.0\.0\.1:\d+$/);
    expect(out[1]).toMatch(/^sim-2 \(mill\): SHDR on 127\.0\.0\.1:\d+$/);
    const port = Number(out[1]?.split(":").pop());
    const client = await ShdrTestClient.connect(port);
    await client.waitForLine("snapshot", (l) => l.includes("|avail|AVAILABLE|"));
    abort.abort();
    expect(await done).toBe(0);
    expect(out).toContain("shdr simulator stopped");
    await waitFor("client closed", () => client.closed);
  });

  it("prints usage for --help", async () => {
    const out: string[] = [];
    expect(await runShdrSimulatorCli(["--help"], { out: (l) => out.push(l), log })).toBe(0);
    expect(out[0]).toMatch(/^Usage: maskinport sim shdr/);
  });
});
