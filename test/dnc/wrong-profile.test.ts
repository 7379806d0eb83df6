import { afterEach, describe, expect, it } from "vitest";
import { startDncSimulator } from "../../simulators/dnc/server.ts";
import { normaliseEob } from "../../src/dnc/program/text.ts";
import { createPtyPair } from "../support/pty.ts";
import { sampleProgram } from "./fixtures.ts";
import { fanucOverTcp, gatewayFor } from "./helpers.ts";

// A port set differently from the control: a pty applies no framing, so the simulator
// speaks its profile's framing in software (7E2: the parity bit in bit 7) and the
// gateway emulates its own settings the same way (see src/dnc/line/codec.ts).

const FANUC = sampleProgram("fanuc-O1234.nc");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(simLine: "7E2" | "8N1", gatewayOverrides: Record<string, unknown>, simOpts = {}) {
  const pair = await createPtyPair();
  const sim = await startDncSimulator({
    profile: "fanuc",
    overrides: simLine === "8N1" ? { line: { baud: 9600, dataBits: 8, parity: "none", stopBits: 1 } } : {},
    serialPath: pair.a,
    programs: { O1234: FANUC },
    ...simOpts,
  });
  const gw = gatewayFor(sim, { ptyPath: pair.b, ...gatewayOverrides });
  cleanups.push(async () => {
    await gw.close();
    await sim.close();
    await pair.close();
  });
  return { sim, gw };
}

describe("wrong line settings", () => {
  it("receiving from a 7E2 control on a port set to 8N1 names the setting to change", async () => {
    const { sim, gw } = await setup("7E2", { dataBits: 8, parity: "none", stopBits: 1 });
    const t = gw.machine.receive();
    setTimeout(() => sim.punch("O1234"), 50);
    const outcome = await t.done;
    expect(outcome.result).toBe("failed");
    expect(outcome.error?.code).toBe("framing-mismatch");
    expect(outcome.error?.message).toMatch(
      /the machine seems to send 7 data bits with even parity \(7E1\/7E2\), but the port is set to 9600 8N1: set dataBits: 7, parity: even/,
    );
    expect(gw.library.list("machine/lathe-4")).toEqual([]);
  });

  it("receiving from an 8N1 control on a port set to 7E2 says the machine sends 8N1", async () => {
    const { sim, gw } = await setup("8N1", { dataBits: 7, parity: "even", stopBits: 2 });
    const t = gw.machine.receive();
    setTimeout(() => sim.punch("O1234"), 50);
    const outcome = await t.done;
    expect(outcome.error?.code).toBe("framing-mismatch");
    expect(outcome.error?.message).toMatch(
      /8 data bits without parity \(8N1\).*port is set to 9600 7E2: set dataBits: 8, parity: none/,
    );
  });

  it("sending 8N1 to a 7E2 control: its XOFF arrives as 0x93, the gateway stops and says why", async () => {
    const { gw } = await setup(
      "7E2",
      { dataBits: 8, parity: "none", stopBits: 1 },
      { bufferBytes: 256, xoffAt: 64, xonAt: 16, storeCharsPerSecond: 200 },
    );
    const outcome = await gw.machine.send({ text: FANUC, file: "O1234.nc" }).done;
    expect(outcome.error?.code).toBe("framing-mismatch");
    expect(outcome.error?.message).toMatch(
      /port is set to 9600 8N1: set dataBits: 7, parity: even|do not fit/,
    );
  });

  it("sending 8N1 to a 7E2 control that never XOFFs: the control reads garbage (parity errors)", async () => {
    const { sim, gw } = await setup("7E2", { dataBits: 8, parity: "none", stopBits: 1 });
    const outcome = await gw.machine.send({ text: FANUC, file: "O1234.nc" }).done;
    // The gateway cannot know: nothing came back. The control counts parity errors (it would alarm).
    expect(outcome.result).toBe("ok");
    const stored = await sim.waitForProgram();
    expect(stored.lineErrors).toBeGreaterThan(0);
    expect(sim.stats().lineErrors).toBeGreaterThan(10);
  });

  it("the right settings on both sides are byte-exact (control case)", async () => {
    const { sim, gw } = await setup("7E2", {});
    expect((await gw.machine.send({ text: FANUC, file: "O1234.nc" }).done).result).toBe("ok");
    const stored = await sim.waitForProgram();
    expect(stored).toMatchObject({ text: normaliseEob(FANUC), lineErrors: 0 });
  });
});

describe("wrong profile for the program", () => {
  it("a Sinumerik program is refused by the Fanuc profile before anything is sent", async () => {
    const { sim, gw } = await fanucOverTcp(cleanups);
    const outcome = await gw.machine.send({ text: sampleProgram("siemens-PART1.mpf"), file: "PART1.MPF" })
      .done;
    expect(outcome.error?.code).toBe("invalid-program");
    expect(outcome.error?.message).toMatch(
      /^PART1\.MPF is not valid for Fanuc \(ISO, RS-232\) \(\d+ errors\); nothing was sent:\n {2}PART1\.MPF:1: error: missing '%' at the start/,
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(sim.stats().charsReceived).toBe(0);
    expect(gw.events[0]).toMatchObject({
      result: "failed",
      error: expect.stringMatching(/^invalid-program: /),
    });
  });

  it("force sends an invalid program anyway", async () => {
    const { sim, gw } = await fanucOverTcp(cleanups);
    const text = "%\nO12345 (TOO MANY DIGITS)\nM30\n%\n";
    expect((await gw.machine.send({ text, file: "x.nc" }, { force: true }).done).result).toBe("ok");
    expect((await sim.waitForProgram()).text).toBe(text);
  });
});
