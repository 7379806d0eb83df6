// bin/maskinport.mjs re-executes itself with bin/node-flags.mjs's V8 flags.
// What must hold for a supervisor (systemd, Docker, the crash test): the
// process it started is the one that runs, with the flags, and its SIGTERM
// reaches the program and ends it cleanly.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { NODE_FLAGS } from "../../bin/node-flags.mjs";
import { freePort, waitFor } from "../support/ports.ts";

const BIN = join(import.meta.dirname, "../../bin/maskinport.mjs");
let child: ChildProcess | undefined;

afterEach(() => {
  child?.kill("SIGKILL");
  child = undefined;
});

function commandLine(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
}

describe("bin/maskinport.mjs", () => {
  it("lists at least one flag, each a V8/Node option", () => {
    expect(NODE_FLAGS.length).toBeGreaterThan(0);
    for (const flag of NODE_FLAGS) expect(flag).toMatch(/^--[a-z-]+(=.+)?$/);
  });

  it.each([
    ["without", [] as string[]],
    ["already with", NODE_FLAGS],
  ])(
    "runs a long-running command started %s the flags in the same process, with each flag once, and stops on SIGTERM",
    async (_, given) => {
      const port = await freePort();
      const proc = spawn(process.execPath, [...given, BIN, "sim", "shdr", "--port", String(port)], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      child = proc;
      // The simulator prints where it listens on stdout right before it installs its SIGTERM
      // handler, in the same turn (its "listening" log line on stderr comes earlier).
      let stdout = "";
      proc.stdout?.on("data", (d: Buffer) => {
        stdout += d.toString();
      });
      await waitFor(
        "the simulator to say where it listens",
        () => stdout.includes(`SHDR on 127.0.0.1:${port}`) || undefined,
        20_000,
      );

      const argv = commandLine(proc.pid!);
      for (const flag of NODE_FLAGS) expect(argv.filter((a) => a === flag)).toHaveLength(1);
      expect(argv).toContain(BIN);
      expect(argv.slice(-4)).toEqual(["sim", "shdr", "--port", String(port)]);

      const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
      proc.kill("SIGTERM");
      expect(await exited).toBe(0);
    },
  );
});
