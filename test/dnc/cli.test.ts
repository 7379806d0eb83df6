import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { startDncSimulator } from "../../simulators/dnc/server.ts";
import { renderBar, renderPlain } from "../../src/dnc/cli/progress-bar.ts";
import { dncSectionOf, runDncCli } from "../../src/dnc/cli.ts";
import { normaliseEob } from "../../src/dnc/program/text.ts";
import { createPtyPair } from "../support/pty.ts";
import { sampleProgram } from "./fixtures.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function capture() {
  const text = { stdout: "", stderr: "" };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  stdout.on("data", (d) => {
    text.stdout += String(d);
  });
  stderr.on("data", (d) => {
    text.stderr += String(d);
  });
  return { io: { stdout, stderr }, text };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "maskinport-dnc-cli-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("maskinport dnc validate", () => {
  it("passes a good program and lists problems of a bad one with line numbers", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "good.nc"), sampleProgram("fanuc-O1234.nc"));
    writeFileSync(join(dir, "bad.nc"), "O12345\ng00 X1.\nM30\n");
    const ok = capture();
    expect(await runDncCli(["validate", join(dir, "good.nc"), "--profile", "fanuc"], ok.io)).toBe(0);
    expect(ok.text.stdout).toMatch(/good\.nc: ok for Fanuc \(ISO, RS-232\) \(\d+ bytes, 22 lines\)/);
    const bad = capture();
    expect(await runDncCli(["validate", join(dir, "bad.nc"), "--profile", "fanuc"], bad.io)).toBe(1);
    const lines = bad.text.stdout.trim().split("\n");
    expect(lines).toContain(
      `${join(dir, "bad.nc")}:1: error: missing '%' at the start: Fanuc (ISO, RS-232) programs begin with a line holding only %`,
    );
    expect(lines).toContain(
      `${join(dir, "bad.nc")}:1:1: error: bad program number 'O12345': Fanuc (ISO, RS-232) expects O0001–O9999`,
    );
    expect(lines).toContain(
      `${join(dir, "bad.nc")}:2:1: error: lower-case 'g' is not allowed outside comments by Fanuc (ISO, RS-232): write 'G'`,
    );
    expect(lines.at(-1)).toBe(`${join(dir, "bad.nc")}: 4 errors`);
  });

  it("explains usage mistakes with exit code 2", async () => {
    const c = capture();
    expect(await runDncCli(["validate", "x.nc"], c.io)).toBe(2);
    expect(c.text.stderr).toMatch(/give --profile/);
    const d = capture();
    expect(await runDncCli(["send", "x.nc", "--profile", "fanuc", "--bogus"], d.io)).toBe(2);
    expect(d.text.stderr).toMatch(/Unknown option '--bogus'/);
    const e = capture();
    expect(
      await runDncCli(["send", "x.nc", "--profile", "fanuc", "--port", "/dev/x", "--baud", "12345"], e.io),
    ).toBe(2);
    expect(e.text.stderr).toMatch(/bad line settings: baud: expected one of 110, 300/);
  });
});

describe("maskinport dnc send / receive", () => {
  it("sends to a simulated control on a pty with plain-text progress, then receives it back", async () => {
    const pair = await createPtyPair();
    const sim = await startDncSimulator({ profile: "fanuc", serialPath: pair.a });
    cleanups.push(async () => {
      await sim.close();
      await pair.close();
    });
    const dir = tempDir();
    const file = join(dir, "O1234.nc");
    writeFileSync(file, sampleProgram("fanuc-O1234.nc"));
    const db = join(dir, "library.db");
    const c = capture();
    expect(
      await runDncCli(
        ["send", file, "--port", pair.b, "--profile", "fanuc", "--library", db, "--user", "t-1"],
        c.io,
      ),
    ).toBe(0);
    expect(c.text.stdout).toMatch(/^sent O1234\.nc: \d+ bytes in \d+\.\d s\n$/);
    expect(c.text.stderr).toMatch(/^sent \d+\/\d+ bytes \(\d+ %\), line \d+\/22, \d+ B\/s/m);
    expect((await sim.waitForProgram()).text).toBe(normaliseEob(sampleProgram("fanuc-O1234.nc")));

    const r = capture();
    const receiving = runDncCli(["receive", "--port", pair.b, "--profile", "fanuc", "--out", dir], r.io);
    await new Promise((res) => setTimeout(res, 300));
    sim.punch("O1234");
    expect(await receiving).toBe(0);
    expect(r.text.stdout).toMatch(new RegExp(`received 22 lines, \\d+ bytes → ${join(dir, "O1234.nc")}`));
    expect(readFileSync(join(dir, "O1234.nc"), "latin1")).toBe(sampleProgram("fanuc-O1234.nc"));
  });

  it("reports a failed transfer with its reason and exit code 1", async () => {
    const c = capture();
    const file = join(tempDir(), "O1234.nc");
    writeFileSync(file, sampleProgram("fanuc-O1234.nc"));
    expect(
      await runDncCli(["send", file, "--port", "/tmp/maskinport-no-such-port", "--profile", "fanuc"], c.io),
    ).toBe(1);
    expect(c.text.stderr).toMatch(/^failed: serial port \/tmp\/maskinport-no-such-port does not exist/);
  });
});

describe("--machine/--config", () => {
  it("reads the machine's dnc section", () => {
    const config = {
      machines: [
        { id: "mill-2", dnc: { transport: "serial", path: "/dev/ttyUSB0", profile: "haas", baud: 9600 } },
        { id: "lathe-1" },
      ],
    };
    expect(dncSectionOf(config, "mill-2")).toMatchObject({
      transport: "serial",
      path: "/dev/ttyUSB0",
      profile: "haas",
    });
    expect(() => dncSectionOf(config, "lathe-1")).toThrow(/machine "lathe-1" has no dnc: section/);
    expect(() => dncSectionOf(config, "lathe-9")).toThrow(
      /no machine "lathe-9" in the config \(machines: mill-2, lathe-1\)/,
    );
    expect(() =>
      dncSectionOf({ machines: [{ id: "x", dnc: { transport: "tcp", profile: "fanuc" } }] } as never, "x"),
    ).toThrow(/machines\.x\.dnc\.host: transport tcp needs host/);
  });

  it("loads the config file and says when the machine has no dnc section", async () => {
    const dir = tempDir();
    const cfg = join(dir, "c.yaml");
    writeFileSync(
      cfg,
      "site: test\ngateway: { id: gw-1 }\nmqtt: { embedded: { port: 1883 } }\nmachines:\n  - { id: lathe-1, name: Lathe, kind: lathe }\n",
    );
    const c = capture();
    expect(await runDncCli(["validate", "x.nc", "--machine", "lathe-1", "--config", cfg], c.io)).toBe(1);
    expect(c.text.stderr).toMatch(/machine "lathe-1" has no dnc: section/);
  });
});

describe("progress display", () => {
  it("draws a bar for a terminal and a plain line for logs", () => {
    const p = {
      direction: "send" as const,
      bytesDone: 436,
      bytesTotal: 873,
      linesDone: 10,
      linesTotal: 20,
      rate: 850.2,
      etaMs: 513,
      pausedByXoff: true,
      xoffCount: 1,
      elapsedMs: 500,
    };
    expect(renderBar(p, 60)).toBe("[#########..........]  49% 436/873 B 850 B/s, ETA 0:01 XOFF");
    expect(renderPlain(p)).toBe("sent 436/873 bytes (49 %), line 10/20, 850 B/s, ETA 0:01, paused by XOFF");
  });
});
