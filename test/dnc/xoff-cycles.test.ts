import { afterEach, describe, expect, it } from "vitest";
import { startDncSimulator } from "../../simulators/dnc/server.ts";
import { charsPerSecond, type LineSettings, resolveProfile } from "../../src/dnc/profiles/index.ts";
import { buildSendPayload } from "../../src/dnc/program/payload.ts";
import { defaultPacing, sendPaced, xoffBound } from "../../src/dnc/transport/flow-control.ts";
import { openDncPort } from "../../src/dnc/transport/open.ts";
import { longFanucProgram } from "./fixtures.ts";
import { checkCycles, startStallMonitor } from "./xoff-check.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("XON/XOFF in user space, 1,000 cycles", () => {
  it("stays within the bound over more than 1,000 XOFF/XON cycles with no overrun (TCP, 38400 8N1)", async () => {
    const line: LineSettings = { baud: 38400, dataBits: 8, parity: "none", stopBits: 1 };
    const profile = resolveProfile("fanuc", { line, leaderNuls: 0, trailerNuls: 0 });
    const cps = charsPerSecond(line);
    // A control that stores at 60 % of the line rate, XOFF at 64 and XON at 62 bytes in its
    // 256-byte buffer: every few milliseconds a cycle, and 192 bytes of headroom before an overrun.
    const sim = await startDncSimulator({
      profile,
      tcpPort: 0,
      bufferBytes: 256,
      xoffAt: 64,
      xonAt: 63,
      storeCharsPerSecond: cps * 0.6,
    });
    cleanups.push(() => sim.close());
    const port = await openDncPort({
      endpoint: { transport: "tcp", host: "127.0.0.1", port: sim.port! },
      line,
      flowControl: "xonxoff",
    });
    cleanups.push(() => port.close());
    // The number of cycles per byte depends on timing, so send until there have been 1,000.
    const text = longFanucProgram(8_000);
    const payload = buildSendPayload(text, profile).bytes;
    const seenAt: number[] = [];
    const monitor = startStallMonitor();
    cleanups.push(async () => monitor.stop());
    let xoffsSeen = 0;
    let round = 0;
    while (sim.stats().xoffSent < 1000 && round < 12) {
      round++;
      const stats = await sendPaced(port, payload, {
        charsPerSecond: cps,
        onPause: (paused) => paused && seenAt.push(performance.now()),
      });
      xoffsSeen += stats.xoffCount;
      expect((await sim.waitForProgram({ count: round, timeoutMs: 15_000 })).text).toBe(text);
    }
    const s = sim.stats();
    const pacingBound = xoffBound(defaultPacing(cps));
    const { excess, reaction } = checkCycles(sim.model.xoffCycles, seenAt, cps, pacingBound, monitor.stalls);
    console.log(
      `38400 8N1 over TCP: ${s.xoffSent} XOFF/XON cycles in ${round} programs, at most ${s.maxCharsAfterXoff} characters ` +
        `after XOFF (mean ${(s.charsAfterXoff / s.xoffSent).toFixed(1)}, pacing bound ${pacingBound}), ${s.overruns} overruns; ${reaction}`,
    );
    expect(s.xoffSent).toBeGreaterThanOrEqual(1000);
    // XOFFs the machine sends while digesting the tail of a program, after the last write, are not seen.
    expect(xoffsSeen).toBeGreaterThan(s.xoffSent - 5 * round);
    expect(s.overruns).toBe(0);
    expect(excess).toEqual([]);
  }, 30_000);
});
