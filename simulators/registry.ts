// Every simulator the gateway can start in-process (`simulators:` in the
// config: the demo fleet, tests), in one list. Light on purpose: only zod
// schemas are imported here. The gateway's config loader reads the schemas
// (src/gateway/site-config.ts), and the gateway reaches each simulator's
// server code through the dynamic import in its `start`, only when the config
// lists one (node-opcua alone takes about a second to load).
import type { Logger } from "pino";
import { z } from "zod";
import { describeIssues, formatPath } from "../src/config/errors.ts";
import { type DncSimulatorConfig, dncSimulatorConfigSchema } from "./dnc/config.ts";
import { type MtconnectSimulatorConfig, mtconnectSimulatorSchema } from "./mtconnect/config.ts";
import { type OpcuaSimulatorConfig, opcuaSimulatorSchema } from "./opcua/config.ts";
import { type ShdrSimulatorConfig, shdrSimulatorSchema } from "./shdr/config.ts";

export type RunningSimulator = { describe: string; close(): Promise<void> };

type SimulatorKind<Config> = {
  schema: z.ZodType<Config>;
  /** Relative file paths in the entry, made absolute against the config file's folder. */
  resolvePaths?(config: Config, resolve: (path: string) => string): Config;
  /** `log` is the gateway's; each simulator tags its own lines. */
  start(config: Config, log: Logger): Promise<RunningSimulator>;
};

const shdr: SimulatorKind<ShdrSimulatorConfig> = {
  schema: shdrSimulatorSchema,
  resolvePaths: (s, resolve) => (s.replay === undefined ? s : { ...s, replay: resolve(s.replay) }),
  async start(config, log) {
    const { startShdrSimulator } = await import("./shdr/server.ts");
    const s = await startShdrSimulator({ ...config, log: log.child({ sim: "shdr" }) });
    return { describe: `shdr on ports ${s.ports.join(", ")}`, close: () => s.close() };
  },
};

const mtconnect: SimulatorKind<MtconnectSimulatorConfig> = {
  schema: mtconnectSimulatorSchema,
  resolvePaths: (s, resolve) =>
    s.shdr === undefined ? s : { ...s, shdr: { ...s.shdr, devicesXml: resolve(s.shdr.devicesXml) } },
  async start(config, log) {
    const { startMtconnectSimulator } = await import("./mtconnect/simulator.ts");
    const s = await startMtconnectSimulator({ ...config, log: log.child({ sim: "mtconnect" }) });
    return { describe: `mtconnect agent at ${s.url}`, close: () => s.close() };
  },
};

const opcua: SimulatorKind<OpcuaSimulatorConfig> = {
  schema: opcuaSimulatorSchema,
  resolvePaths: (s, resolve) => ({ ...s, pkiDir: resolve(s.pkiDir) }),
  async start(config, log) {
    const { startOpcuaSimulator } = await import("./opcua/server.ts");
    const { routeNodeOpcuaLogs } = await import("../src/adapters/opcua/node-opcua-log.ts");
    // Before the simulator does: node-opcua's console output goes to the gateway's log, untagged.
    routeNodeOpcuaLogs(log);
    const s = await startOpcuaSimulator({ ...config, log: log.child({ sim: "opcua" }) });
    return { describe: `opcua server at ${s.endpoint}`, close: () => s.close() };
  },
};

const dnc: SimulatorKind<DncSimulatorConfig> = {
  schema: dncSimulatorConfigSchema,
  async start(config, log) {
    const { startDncSimulatorFromConfig } = await import("./dnc/start.ts");
    const s = await startDncSimulatorFromConfig(config, log.child({ sim: "dnc" }));
    const where = config.transport === "tcp" ? `tcp ${config.host}:${config.port}` : `pty ${config.link}`;
    return { describe: `dnc ${config.profile} machine on ${where}`, close: () => s.close() };
  },
};

/** type → simulator. A new simulator: its folder with a light config.ts, and its line here. */
const SIMULATORS = { shdr, mtconnect, opcua, dnc } as const;

export type SimulatorType = keyof typeof SIMULATORS;
export type SimulatorConfig =
  | ShdrSimulatorConfig
  | MtconnectSimulatorConfig
  | OpcuaSimulatorConfig
  | DncSimulatorConfig;

/** One `simulators:` entry: strict per type, with the config error wording of src/config. */
export const simulatorSchema = z.discriminatedUnion(
  "type",
  [shdrSimulatorSchema, mtconnectSimulatorSchema, opcuaSimulatorSchema, dncSimulatorConfigSchema],
  { error: `expected simulators[].type to be one of: ${Object.keys(SIMULATORS).join(", ")}` },
);

// Seen without its own config type: callers pass only entries whose type selected it.
type AnyKind = SimulatorKind<SimulatorConfig>;
const kindOf = (config: SimulatorConfig): AnyKind => SIMULATORS[config.type] as AnyKind;

/** The entries with their relative paths resolved against the config file's folder. */
export function resolveSimulatorPaths(
  configs: readonly SimulatorConfig[],
  resolve: (path: string) => string,
): SimulatorConfig[] {
  return configs.map((c) => kindOf(c).resolvePaths?.(c, resolve) ?? c);
}

/** Thrown for an entry that did not come through the config loader and is wrong. */
export class SimulatorConfigError extends Error {}

/**
 * Start one `simulators:` entry: validated again (a caller may hand over an
 * entry the loader did not check), then its server code is loaded and started.
 */
export async function startSimulator(entry: unknown, index: number, log: Logger): Promise<RunningSimulator> {
  const result = simulatorSchema.safeParse(entry);
  if (!result.success) {
    const problems = describeIssues(simulatorSchema, entry, result.error.issues);
    const at = (path: string) =>
      formatPath(["simulators", index]) + (path === "(top level)" ? "" : `.${path}`);
    throw new SimulatorConfigError(problems.map((p) => `${at(p.path)}: ${p.message}`).join("; "));
  }
  const config = result.data;
  return kindOf(config).start(config, log);
}
