import type { Logger } from "pino";
import type { ProfileOverrides } from "../../src/dnc/profiles/index.ts";
import type { DncSimulatorConfig } from "./config.ts";
import { type DncSimulator, startDncSimulator } from "./server.ts";

/** Start a `simulators: [{ type: dnc, … }]` entry (the schema is in config.ts, kept light for the loader). */
export function startDncSimulatorFromConfig(config: DncSimulatorConfig, log: Logger): Promise<DncSimulator> {
  const line: Record<string, unknown> = {};
  if (config.baud !== undefined) line.baud = config.baud;
  if (config.dataBits !== undefined) line.dataBits = config.dataBits;
  if (config.parity !== undefined) line.parity = config.parity;
  if (config.stopBits !== undefined) line.stopBits = config.stopBits;
  const overrides: ProfileOverrides = {};
  if (Object.keys(line).length > 0) overrides.line = line as ProfileOverrides["line"];
  if (config.flowControl !== undefined) overrides.flowControl = config.flowControl;
  return startDncSimulator({
    profile: config.profile,
    overrides,
    ...(config.transport === "tcp"
      ? { tcpPort: config.port, host: config.host }
      : { pty: true, ptyLink: config.link }),
    bufferBytes: config.bufferBytes,
    xoffAt: config.xoffAt,
    xonAt: config.xonAt,
    storeCharsPerSecond: config.storeCharsPerSecond,
    dripBlocksPerSecond: config.dripBlocksPerSecond,
    mode: config.mode,
    log,
  });
}
