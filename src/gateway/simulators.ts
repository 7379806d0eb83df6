import type { Logger } from "pino";
import { startDncSimulatorFromConfig } from "../../simulators/dnc/config.ts";
import { startMtconnectSimulator } from "../../simulators/mtconnect/simulator.ts";
import { startOpcuaSimulator } from "../../simulators/opcua/server.ts";
import { startShdrSimulator } from "../../simulators/shdr/server.ts";
import type { SimulatorConfig } from "../config/schema.ts";

export type RunningSimulator = { describe: string; close(): Promise<void> };

/** Start the in-process simulators of the config (the demo fleet, tests). */
export async function startSimulators(
  configs: readonly SimulatorConfig[],
  log: Logger,
): Promise<RunningSimulator[]> {
  const running: RunningSimulator[] = [];
  try {
    for (const sim of configs) {
      switch (sim.type) {
        case "shdr": {
          const s = await startShdrSimulator({ ...sim, log: log.child({ sim: "shdr" }) });
          running.push({ describe: `shdr on ports ${s.ports.join(", ")}`, close: () => s.close() });
          break;
        }
        case "mtconnect": {
          const s = await startMtconnectSimulator({ ...sim, log: log.child({ sim: "mtconnect" }) });
          running.push({ describe: `mtconnect agent at ${s.url}`, close: () => s.close() });
          break;
        }
        case "opcua": {
          const s = await startOpcuaSimulator({ ...sim, log: log.child({ sim: "opcua" }) });
          running.push({ describe: `opcua server at ${s.endpoint}`, close: () => s.close() });
          break;
        }
        case "dnc": {
          const s = await startDncSimulatorFromConfig(sim, log.child({ sim: "dnc" }));
          const where = sim.transport === "tcp" ? `tcp ${sim.host}:${sim.port}` : `pty ${sim.link}`;
          running.push({ describe: `dnc ${sim.profile} machine on ${where}`, close: () => s.close() });
          break;
        }
      }
    }
  } catch (err) {
    await Promise.allSettled(running.map((s) => s.close()));
    throw err;
  }
  return running;
}
