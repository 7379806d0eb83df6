import { afterEach, describe, expect, it } from "vitest";
import { type DncSimulator, startDncSimulator } from "../../simulators/dnc/server.ts";
import { normaliseEob } from "../../src/dnc/program/text.ts";
import { createPtyPair, type PtyPair } from "../support/pty.ts";
import { sampleProgram } from "./fixtures.ts";
import { gatewayFor, LINE_8N1_115200 } from "./helpers.ts";

// Send, receive and drip-feed over real pty pairs (socat) at Fanuc's 9600 7E2 with
// framing emulated in software, and over TCP (device-server style) at 115200 8N1.
// Programs are small: 9600 7E2 moves 873 characters a second.

const FANUC = sampleProgram("fanuc-O1234.nc");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function ptySim(
  opts: Parameters<typeof startDncSimulator>[0] = {},
): Promise<{ sim: DncSimulator; pair: PtyPair }> {
  const pair = await createPtyPair();
  const sim = await startDncSimulator({ profile: "fanuc", serialPath: pair.a, ...opts });
  cleanups.push(async () => {
    await sim.close();
    await pair.close();
  });
  return { sim, pair };
}

async function tcpSim(opts: Parameters<typeof startDncSimulator>[0] = {}): Promise<DncSimulator> {
  const sim = await startDncSimulator({
    profile: "fanuc",
    overrides: { line: LINE_8N1_115200 },
    tcpPort: 0,
    ...opts,
  });
  cleanups.push(() => sim.close());
  return sim;
}

describe("send", () => {
  it("uploads a Fanuc program at 9600 7E2 over a pty, byte for byte", async () => {
    const { sim, pair } = await ptySim();
    const gw = gatewayFor(sim, { ptyPath: pair.b });
    cleanups.push(() => gw.close());
    const progress: number[] = [];
    const t = gw.machine.send(
      { text: FANUC, file: "O1234.nc", folder: "trainee/t-17" },
      { user: "t-17", session: "p-17" },
    );
    t.on("progress", (p) => progress.push(p.bytesDone));
    const outcome = await t.done;
    expect(outcome.error?.message).toBeUndefined();
    expect(outcome.result).toBe("ok");
    const stored = await sim.waitForProgram();
    expect(stored.name).toBe("O1234");
    expect(stored.text).toBe(normaliseEob(FANUC));
    expect(stored.lineErrors).toBe(0);
    expect(sim.stats().overruns).toBe(0);
    expect(progress.at(-1)).toBe(20 + FANUC.length + 20);
    expect(gw.events).toEqual([
      expect.objectContaining({
        type: "program.transfer",
        machine: "lathe-4",
        session: "p-17",
        direction: "send",
        file: "O1234.nc",
        checksum: outcome.checksum,
        bytes: FANUC.length,
        result: "ok",
      }),
    ]);
    expect(gw.library.transfers()).toEqual([
      expect.objectContaining({
        machine: "lathe-4",
        direction: "send",
        folder: "trainee/t-17",
        user: "t-17",
        result: "ok",
      }),
    ]);
  });

  it("uploads at 115200 8N1 over TCP, byte for byte", async () => {
    const sim = await tcpSim();
    const gw = gatewayFor(sim);
    cleanups.push(() => gw.close());
    const outcome = await gw.machine.send({ text: FANUC, file: "O1234.nc" }).done;
    expect(outcome.result).toBe("ok");
    expect((await sim.waitForProgram()).text).toBe(normaliseEob(FANUC));
  });
});

describe("receive", () => {
  it("takes a punched program at 9600 7E2 over a pty and files it by O-number", async () => {
    const { sim, pair } = await ptySim({ programs: { O1234: FANUC } });
    const gw = gatewayFor(sim, { ptyPath: pair.b });
    cleanups.push(() => gw.close());
    const t = gw.machine.receive();
    setTimeout(() => sim.punch("O1234"), 100);
    const outcome = await t.done;
    expect(outcome.error?.message).toBeUndefined();
    expect(outcome.value?.program.text).toBe(FANUC);
    expect(outcome.value?.program.endedBy).toBe("percent");
    expect(outcome.value?.saved).toMatchObject({
      folder: "machine/lathe-4",
      name: "O1234.nc",
      programNumber: "O1234",
    });
    expect(gw.library.get("machine/lathe-4", "O1234.nc")?.content.toString("latin1")).toBe(FANUC);
    expect(gw.events[0]).toMatchObject({
      direction: "receive",
      file: "O1234.nc",
      bytes: FANUC.length,
      result: "ok",
    });
  });

  it("takes a punched program at 115200 8N1 over TCP", async () => {
    const sim = await tcpSim({ programs: { O1234: FANUC } });
    const gw = gatewayFor(sim);
    cleanups.push(() => gw.close());
    const t = gw.machine.receive();
    setTimeout(() => sim.punch("O1234"), 100);
    expect((await t.done).value?.program.text).toBe(FANUC);
  });

  it("ends a program without % by EOT (Sinumerik)", async () => {
    const text = sampleProgram("siemens-PART1.mpf");
    const sim = await tcpSim({ profile: "siemens", overrides: {}, programs: { PART1: text } });
    const gw = gatewayFor(sim);
    cleanups.push(() => gw.close());
    const t = gw.machine.receive();
    setTimeout(() => sim.punch(`${text}\u0004`), 100);
    const outcome = await t.done;
    expect(outcome.value?.program).toMatchObject({ text, endedBy: "end-byte" });
    expect(outcome.value?.saved?.name).toBe("PART1.MPF");
  });
});

describe("drip-feed", () => {
  it("streams while the machine executes, at 9600 7E2 over a pty", async () => {
    const { sim, pair } = await ptySim({
      mode: "drip",
      dripBlocksPerSecond: 25,
      bufferBytes: 256,
      xoffAt: 64,
      xonAt: 32,
    });
    const gw = gatewayFor(sim, { ptyPath: pair.b });
    cleanups.push(() => gw.close());
    const outcome = await gw.machine.drip({ text: FANUC, file: "O1234.nc" }).done;
    expect(outcome.result).toBe("ok");
    const executed = await sim.waitForProgram();
    expect(executed.mode).toBe("drip");
    expect(executed.text).toBe(FANUC);
    expect(sim.stats()).toMatchObject({ overruns: 0, blocksExecuted: 20 });
    expect(sim.stats().xoffSent).toBeGreaterThan(0);
  });

  it("resumes from a chosen line at 115200 8N1 over TCP", async () => {
    const sim = await tcpSim({ mode: "drip", dripBlocksPerSecond: 1000 });
    const gw = gatewayFor(sim);
    cleanups.push(() => gw.close());
    const outcome = await gw.machine.drip({ text: FANUC, file: "O1234.nc" }, { fromLine: 19 }).done;
    expect(outcome.result).toBe("ok");
    expect((await sim.waitForProgram()).text).toBe("%\nG00 Z2.\nG28 U0. W0. M09\nM30\n%\n");
    expect(gw.library.transfers()[0]).toMatchObject({ direction: "drip", fromLine: 19 });
  });
});
