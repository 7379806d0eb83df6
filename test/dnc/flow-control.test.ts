import { afterEach, describe, expect, it } from "vitest";
import { startDncSimulator } from "../../simulators/dnc/server.ts";
import { charsPerSecond, type LineSettings, resolveProfile } from "../../src/dnc/profiles/index.ts";
import { buildSendPayload } from "../../src/dnc/program/payload.ts";
import { defaultPacing, sendPaced, xoffBound } from "../../src/dnc/transport/flow-control.ts";
import { openDncPort } from "../../src/dnc/transport/open.ts";
import type { DncPort } from "../../src/dnc/transport/port.ts";
import { createPtyPair } from "../support/pty.ts";
import { longFanucProgram } from "./fixtures.ts";
import { checkCycles, startStallMonitor } from "./xoff-check.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("XON/XOFF in user space", () => {
  it("stays within the bound at 9600 7E2 over a pty, where XOFF travels as 0x93", async () => {
    const line: LineSettings = { baud: 9600, dataBits: 7, parity: "even", stopBits: 2 };
    const profile = resolveProfile("fanuc", { line });
    const pair = await createPtyPair();
    cleanups.push(() => pair.close());
    const sim = await startDncSimulator({
      profile,
      serialPath: pair.a,
      bufferBytes: 128,
      xoffAt: 48,
      xonAt: 44,
      storeCharsPerSecond: charsPerSecond(line) * 0.6,
    });
    cleanups.push(() => sim.close());
    const port = await openDncPort({
      endpoint: { transport: "serial", path: pair.b },
      line,
      flowControl: "xonxoff",
    });
    cleanups.push(() => port.close());
    const text = longFanucProgram(1_200);
    const payload = buildSendPayload(text, profile).bytes;
    const cps = charsPerSecond(line);
    const seenAt: number[] = [];
    const monitor = startStallMonitor();
    cleanups.push(async () => monitor.stop());
    let round = 0;
    while (sim.stats().xoffSent < 40 && round < 6) {
      round++;
      await sendPaced(port, payload, {
        charsPerSecond: cps,
        onPause: (paused) => paused && seenAt.push(performance.now()),
      });
      expect((await sim.waitForProgram({ count: round, timeoutMs: 10_000 })).text).toBe(text);
    }
    const s = sim.stats();
    const pacingBound = xoffBound(defaultPacing(cps));
    const { excess, reaction } = checkCycles(sim.model.xoffCycles, seenAt, cps, pacingBound, monitor.stalls);
    console.log(
      `9600 7E2 over a pty: ${s.xoffSent} cycles, at most ${s.maxCharsAfterXoff} after XOFF ` +
        `(mean ${(s.charsAfterXoff / s.xoffSent).toFixed(1)}, pacing bound ${pacingBound}); ${reaction}` +
        (excess.length ? `; over: ${excess.join("; ")}` : ""),
    );
    expect(pacingBound).toBe(16);
    expect(s.xoffSent).toBeGreaterThanOrEqual(40);
    expect(s.overruns).toBe(0);
    expect(s.lineErrors).toBe(0);
    expect(excess).toEqual([]);
  }, 20_000);

  it("fails with no-response when XOFF holds the line too long, and stops writing", async () => {
    const line: LineSettings = { baud: 115200, dataBits: 8, parity: "none", stopBits: 1 };
    const profile = resolveProfile("fanuc", { line });
    // A control that stopped reading (memory full, alarm): it XOFFs and never XONs.
    const sim = await startDncSimulator({
      profile,
      tcpPort: 0,
      bufferBytes: 256,
      xoffAt: 32,
      xonAt: 8,
      storeCharsPerSecond: 1,
    });
    cleanups.push(() => sim.close());
    const port: DncPort = await openDncPort({
      endpoint: { transport: "tcp", host: "127.0.0.1", port: sim.port! },
      line,
      flowControl: "xonxoff",
    });
    cleanups.push(() => port.close());
    const payload = buildSendPayload(longFanucProgram(2000), profile);
    await expect(
      sendPaced(port, payload.bytes, { charsPerSecond: charsPerSecond(line), xoffTimeoutMs: 1000 }),
    ).rejects.toMatchObject({
      code: "no-response",
      message: expect.stringMatching(/held the line with XOFF for 1 s/),
    });
    expect(sim.stats().overruns).toBe(0);
    expect(sim.stats().charsReceived).toBeLessThan(256);
  });

  it("waits for the control's DC1 before starting when the profile says so", async () => {
    const line: LineSettings = { baud: 115200, dataBits: 8, parity: "none", stopBits: 1 };
    const profile = resolveProfile("fanuc", { line, waitForXonToStart: true });
    const sim = await startDncSimulator({ profile, tcpPort: 0 });
    cleanups.push(() => sim.close());
    const port = await openDncPort({
      endpoint: { transport: "tcp", host: "127.0.0.1", port: sim.port! },
      line,
      flowControl: "xonxoff",
    });
    cleanups.push(() => port.close());
    const payload = buildSendPayload("%\nO0001\nM30\n%\n", profile);
    const sending = sendPaced(port, payload.bytes, {
      charsPerSecond: charsPerSecond(line),
      startOnXon: true,
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(sim.stats().charsReceived).toBe(0);
    sim.pressRead();
    await sending;
    expect((await sim.waitForProgram()).text).toBe("%\nO0001\nM30\n%\n");
    await expect(
      sendPaced(port, payload.bytes, {
        charsPerSecond: charsPerSecond(line),
        startOnXon: true,
        startTimeoutMs: 300,
      }),
    ).rejects.toMatchObject({
      code: "no-response",
      message: expect.stringMatching(/did not ask for the program/),
    });
  });
});
