import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runDncSimulatorCli } from "../../simulators/dnc/cli.ts";
import { runDncCli } from "../../src/dnc/cli.ts";
import { sampleProgram } from "./fixtures.ts";
import { waitFor } from "./helpers.ts";

describe("maskinport sim dnc", () => {
  it("runs a control on a pty that the gateway's CLI can send to, and obeys stdin commands", {
    timeout: 30_000,
  }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "maskinport-simcli-"));
    const link = join(dir, "lathe-4");
    const stdin = new PassThrough();
    const stop = new AbortController();
    const out: string[] = [];
    try {
      const running = runDncSimulatorCli(["--pty", "--link", link, "--profile", "fanuc"], {
        stdin,
        signal: stop.signal,
        log: (l) => out.push(l),
      });
      await waitFor(() => out.some((l) => l.startsWith("DNC simulator")), 12_000, "the simulator");
      expect(out[0]).toBe(`DNC simulator (fanuc 9600 7E2 xonxoff) ready on ${link}`);
      expect(out[1]).toBe(`  try: maskinport dnc send FILE --port ${link} --profile fanuc --baud 9600`);
      const file = join(dir, "O1234.nc");
      writeFileSync(file, sampleProgram("fanuc-O1234.nc"));
      const quiet = { stdout: new PassThrough(), stderr: new PassThrough() };
      expect(await runDncCli(["send", file, "--port", link, "--profile", "fanuc"], quiet)).toBe(0);
      stdin.write("list\n");
      await waitFor(() => out.some((l) => l.split(" ").includes("O1234")), 10_000, "O1234 in memory");
      stdin.write("stats\n");
      await waitFor(() => out.some((l) => l.startsWith('{"charsReceived"')), 10_000, "stats");
      stop.abort();
      expect(await running).toBe(0);
      expect(out.at(-1)).toMatch(/^stats: \{"charsReceived":\d+,"overruns":0/);
      expect(existsSync(link)).toBe(false);
    } finally {
      stop.abort();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a bad command line with usage", async () => {
    const errors: string[] = [];
    const io = { log: () => {}, error: (l: string) => errors.push(l) };
    expect(await runDncSimulatorCli(["--pty", "--tcp", "1234"], io)).toBe(2);
    expect(errors[0]).toMatch(/^give exactly one of --pty, --tcp PORT or --serial PATH/);
    expect(await runDncSimulatorCli(["--tcp", "0", "--profile", "okuma"], io)).toBe(2);
    expect(errors[1]).toBe('unknown profile "okuma": one of fanuc, haas, heidenhain, siemens, generic');
  });
});
