import { afterEach, describe, expect, it } from "vitest";
import { startDncSimulator } from "../../simulators/dnc/server.ts";
import { parseRemoteRequest } from "../../src/dnc/engine/remote-request.ts";
import { resolveProfile } from "../../src/dnc/profiles/index.ts";
import { normaliseEob } from "../../src/dnc/program/text.ts";
import { createPtyPair } from "../support/pty.ts";
import { longFanucProgram, sampleProgram } from "./fixtures.ts";
import { fanucOverTcp, gatewayFor, waitFor } from "./helpers.ts";

const FANUC = sampleProgram("fanuc-O1234.nc");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("remote request convention", () => {
  it("reads LOAD/DRIP requests in each profile's wording", () => {
    expect(parseRemoteRequest("%\nO9999(LOAD O1234)\n%\n", resolveProfile("fanuc"))).toEqual({
      verb: "LOAD",
      name: "O1234",
    });
    expect(parseRemoteRequest("%\nO9999 (DNC DRIP O0042)\n%\n", resolveProfile("haas"))).toEqual({
      verb: "DRIP",
      name: "O0042",
    });
    expect(parseRemoteRequest("%_N_REQUEST_MPF\n;LOAD part1\nM30\n", resolveProfile("siemens"))).toEqual({
      verb: "LOAD",
      name: "PART1",
    });
    expect(
      parseRemoteRequest(
        "0 BEGIN PGM REQUEST MM\n1 ;DRIP PLATE\n2 END PGM REQUEST MM\n",
        resolveProfile("heidenhain"),
      ),
    ).toEqual({
      verb: "DRIP",
      name: "PLATE",
    });
    expect(parseRemoteRequest(FANUC, resolveProfile("fanuc"))).toBeUndefined();
    const custom = resolveProfile("fanuc", {
      remoteRequest: { pattern: "\\(GET (?<name>O\\d+)\\)(?<verb>)" },
    });
    expect(parseRemoteRequest("%\nO1(GET O7)\n%\n", custom)).toBeUndefined();
    const custom2 = resolveProfile("fanuc", {
      remoteRequest: { pattern: "\\((?<verb>LOAD) PROGRAM (?<name>\\d+)\\)" },
    });
    expect(parseRemoteRequest("%\nO1(LOAD PROGRAM 7)\n%\n", custom2)).toEqual({ verb: "LOAD", name: "7" });
  });
});

describe("a machine asks for a program", () => {
  it("LOAD over a pty at 9600 7E2: the gateway sends it from the library and audits it", async () => {
    const pair = await createPtyPair();
    const sim = await startDncSimulator({ profile: "fanuc", serialPath: pair.a });
    const gw = gatewayFor(sim, { ptyPath: pair.b, remoteRequest: { delayMs: 100 } });
    cleanups.push(async () => {
      await gw.close();
      await sim.close();
      await pair.close();
    });
    gw.library.save({ folder: "shared", name: "flange.nc", content: FANUC });
    gw.machine.startListening();
    await new Promise((r) => setTimeout(r, 200));
    sim.requestProgram("O1234");
    const stored = await sim.waitForProgram({ timeoutMs: 8000 });
    expect(stored).toMatchObject({ name: "O1234", mode: "store", text: normaliseEob(FANUC) });
    await waitFor(() => gw.events.length > 0, 3000, "the transfer event");
    expect(gw.events[0]).toMatchObject({ direction: "send", file: "flange.nc", result: "ok" });
    expect(gw.library.transfers()[0]).toMatchObject({
      direction: "send",
      user: "machine",
      folder: "shared",
      result: "ok",
    });
  });

  it("DRIP over TCP at 115200 8N1: the machine executes it as it arrives", async () => {
    const { sim, gw } = await fanucOverTcp(
      cleanups,
      { dripBlocksPerSecond: 500 },
      { remoteRequest: { delayMs: 50 } },
    );
    const big = longFanucProgram(3000, "O0042");
    gw.library.save({ folder: "shared", name: "big.nc", content: big });
    gw.machine.startListening();
    await new Promise((r) => setTimeout(r, 200));
    sim.requestProgram("O0042", "DRIP");
    const executed = await sim.waitForProgram({ timeoutMs: 8000 });
    expect(executed).toMatchObject({ mode: "drip", text: big });
    expect(sim.stats().overruns).toBe(0);
  });

  it("an unknown program fails with a clear event; a program punched unasked is filed", async () => {
    const { sim, gw } = await fanucOverTcp(
      cleanups,
      { programs: { O1234: FANUC } },
      { remoteRequest: { delayMs: 50 }, receiveIdleMs: 500 },
    );
    gw.machine.startListening();
    await new Promise((r) => setTimeout(r, 200));
    sim.requestProgram("O7777");
    await waitFor(() => gw.events.length > 0, 3000, "the failed request");
    expect(gw.events[0]).toMatchObject({
      direction: "send",
      file: "O7777",
      result: "failed",
      error: expect.stringMatching(/asked for O7777, which is not in shared of the program library/),
    });
    sim.setMode("store");
    sim.punch("O1234");
    await waitFor(() => gw.events.length > 1, 3000, "the filed program");
    expect(gw.events[1]).toMatchObject({ direction: "receive", file: "O1234.nc", result: "ok" });
    expect(gw.library.get("machine/lathe-4", "O1234.nc")?.content.toString("latin1")).toBe(FANUC);
  });

  it("a transfer started by a user while listening borrows the line", async () => {
    const { sim, gw } = await fanucOverTcp(cleanups);
    gw.machine.startListening();
    await new Promise((r) => setTimeout(r, 200));
    const outcome = await gw.machine.send({ text: FANUC, file: "O1234.nc" }).done;
    expect(outcome.result).toBe("ok");
    expect((await sim.waitForProgram()).text).toBe(normaliseEob(FANUC));
  });
  it("after a cancelled send, what the control still says is not taken for a transfer: the next send goes through", async () => {
    // A slow control drains its buffer after the cancel and sends flow-control characters; the
    // listener once took those for the start of a punched program and held the line "busy" for
    // up to a minute, so the trainee's second try was refused.
    const { sim, gw } = await fanucOverTcp(cleanups, { storeCharsPerSecond: 150, bufferBytes: 128 });
    gw.machine.startListening();
    await new Promise((r) => setTimeout(r, 200));
    const long = `%\nO1234\n${Array.from({ length: 300 }, (_, i) => `N${i * 10} G01 X${i} Z-1. F0.2`).join("\n")}\nM30\n%\n`;
    const first = gw.machine.send({ text: long, file: "O1234.nc" });
    await new Promise((r) => setTimeout(r, 1500));
    first.cancel();
    expect((await first.done).result).toBe("cancelled");
    const busyAt: number[] = [];
    const t0 = Date.now();
    while (Date.now() - t0 < 4000) {
      if (gw.machine.busy) busyAt.push(Date.now() - t0);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(busyAt, "ms after the cancel at which the line said busy").toEqual([]);
    sim.setMode("store");
    const second = await gw.machine.send({ text: FANUC, file: "O1234.nc" }).done;
    expect(second.result).toBe("ok");
  }, 30_000);
});
