import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import {
  type DncSimulator,
  type DncSimulatorOptions,
  startDncSimulator,
} from "../../simulators/dnc/server.ts";
import type { ProgramTransferEvent } from "../../src/core/events.ts";
import { type DncConfigInput, dncConfigSchema } from "../../src/dnc/config.ts";
import { DncMachine } from "../../src/dnc/engine/dnc-machine.ts";
import { ProgramLibrary } from "../../src/dnc/library/library.ts";

export const silent = pino({ level: "silent" });

export const LINE_8N1_115200 = { baud: 115200, dataBits: 8, parity: "none", stopBits: 1 } as const;

/** A DncMachine on the gateway side with a temporary library, collecting its events. */
export function gatewayFor(sim: DncSimulator, config: Partial<DncConfigInput> & { ptyPath?: string } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "maskinport-dnc-"));
  const library = ProgramLibrary.open(join(dir, "library.db"));
  const events: ProgramTransferEvent[] = [];
  const { ptyPath, ...rest } = config;
  const endpoint =
    sim.port !== undefined
      ? { transport: "tcp" as const, host: "127.0.0.1", port: sim.port }
      : { transport: "serial" as const, path: ptyPath ?? sim.path! };
  // The gateway's line settings match the simulated control's unless the test says otherwise.
  const { baud, dataBits, parity, stopBits } = sim.profile.line;
  const parsed = dncConfigSchema.parse({
    profile: sim.profile.id,
    baud,
    dataBits,
    parity,
    stopBits,
    ...endpoint,
    ...rest,
  });
  const machine = new DncMachine({
    machine: "lathe-4",
    config: parsed,
    library,
    log: silent,
    onEvent: (e) => events.push(e),
  });
  return {
    machine,
    library,
    events,
    async close() {
      await machine.stop();
      library.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitFor(cond: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * A simulated Fanuc control behind a device server (TCP, 115200 8N1) and the
 * gateway's DncMachine on that line; their closing goes into `cleanups`.
 */
export async function fanucOverTcp(
  cleanups: (() => Promise<void>)[],
  simulator: Omit<DncSimulatorOptions, "profile" | "overrides" | "tcpPort"> = {},
  gateway: Parameters<typeof gatewayFor>[1] = {},
) {
  const sim = await startDncSimulator({
    profile: "fanuc",
    overrides: { line: LINE_8N1_115200 },
    tcpPort: 0,
    ...simulator,
  });
  const gw = gatewayFor(sim, gateway);
  cleanups.push(async () => {
    await gw.close();
    await sim.close();
  });
  return { sim, gw };
}
