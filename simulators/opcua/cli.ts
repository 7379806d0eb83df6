// `maskinport sim opcua …`: run the OPC UA simulator in the foreground until
// Ctrl-C / SIGTERM. Arguments are checked up front so that a typo gives one
// clear line instead of a half-started server.
import {
  CliArgumentError,
  hostArg,
  integerArg as integer,
  MODEL_SIM_FLAGS,
  parseFlags,
  positiveArg,
  runSimulatorCli,
  type SimulatorCliIo,
} from "../cli-support.ts";
import { SIM_SECURITY_MODES, type SimSecurityMode, startOpcuaSimulator } from "./server.ts";

export const OPCUA_SIM_USAGE = `Usage: maskinport sim opcua [--port P] [--host H] [--machines N] [--seed S] [--time-scale X] [--plain]

An OPC UA server with one MachineTool (OPC 40501) + CNC (OPC 40502) machine per --machines,
driven by the simulated machine model (lathe-1, mill-2, lathe-3 …).
  --port P           TCP port (default 4840; 0 = any free port)
  --host H           listen address (default 127.0.0.1; 0.0.0.0 to serve the network)
  --machines N       number of machines, 1–64 (default 1)
  --seed S           random seed, integer (default 1)
  --time-scale X     simulated seconds per real second, 0 < X ≤ 1000 (default 1)
  --plain            plain variables in a folder per machine (ns=1;s=lathe-1.spindle.speed …), no companion types
  --pki DIR          the server's certificate folder (default data/opcua-sim-pki)
  --user NAME:PASS   accept this user (repeatable); anonymous login stays allowed unless --no-anonymous
  --no-anonymous     refuse anonymous logins
  --security LIST    offered modes, comma-separated from None,Sign,SignAndEncrypt (default all three)
  --load N           also N Double variables ns=1;s=V0000 … rewritten every --load-period ms (load tests)
  --load-period MS   default 100`;

export type OpcuaSimulatorCliOptions = Parameters<typeof startOpcuaSimulator>[0];

/** Parse and check the arguments; "help" when --help was asked for. Throws CliArgumentError. */
export function parseOpcuaSimulatorArgs(argv: string[]): Omit<OpcuaSimulatorCliOptions, "log"> | "help" {
  const values = parseFlags(argv, {
    ...MODEL_SIM_FLAGS,
    plain: { type: "boolean" },
    pki: { type: "string" },
    user: { type: "string", multiple: true },
    "no-anonymous": { type: "boolean" },
    security: { type: "string" },
    load: { type: "string" },
    "load-period": { type: "string" },
  });
  if (values.help) return "help";
  const str = (name: string) => values[name] as string | undefined;
  const host = hostArg(str("host"));
  const timeScale = positiveArg("--time-scale", str("time-scale"), 1000, 1);
  const users: Record<string, string> = {};
  for (const spec of (values.user as string[] | undefined) ?? []) {
    const colon = spec.indexOf(":");
    if (colon < 1 || colon === spec.length - 1)
      throw new CliArgumentError(`--user: expected NAME:PASSWORD, got "${spec}"`);
    users[spec.slice(0, colon)] = spec.slice(colon + 1);
  }
  const security = (str("security") ?? SIM_SECURITY_MODES.join(",")).split(",").map((s) => s.trim());
  for (const mode of security) {
    if (!(SIM_SECURITY_MODES as readonly string[]).includes(mode)) {
      throw new CliArgumentError(`--security: "${mode}" is not one of ${SIM_SECURITY_MODES.join(", ")}`);
    }
  }
  const allowAnonymous = values["no-anonymous"] !== true;
  if (!allowAnonymous && Object.keys(users).length === 0) {
    throw new CliArgumentError(
      "--no-anonymous needs at least one --user NAME:PASSWORD, or nobody could log in",
    );
  }
  return {
    host,
    port: integer("--port", str("port"), 0, 65535, 4840),
    machines: integer("--machines", str("machines"), 1, 64, 1),
    seed: integer("--seed", str("seed"), -2_147_483_648, 4_294_967_295, 1),
    timeScale,
    plain: values.plain === true,
    pkiDir: str("pki") ?? "data/opcua-sim-pki",
    users,
    allowAnonymous,
    securityModes: security as SimSecurityMode[],
    loadVariables: integer("--load", str("load"), 0, 100_000, 0),
    loadPeriodMs: integer("--load-period", str("load-period"), 10, 3_600_000, 100),
  };
}

export type OpcuaSimulatorCliIo = SimulatorCliIo;

/** Runs until SIGINT/SIGTERM (or io.signal); resolves with the exit code: 0 ok, 1 start failed, 2 bad arguments. */
export async function runOpcuaSimulatorCli(argv: string[], io: OpcuaSimulatorCliIo = {}): Promise<number> {
  return runSimulatorCli({
    name: "opcua",
    usage: OPCUA_SIM_USAGE,
    argv,
    io,
    parse: parseOpcuaSimulatorArgs,
    start: async (options, log) => {
      const simulator = await startOpcuaSimulator({ ...options, log });
      return {
        describe: () => [
          `OPC UA simulator on ${simulator.endpoint} (${options.securityModes?.join(", ")})`,
          ...simulator.machines.map(
            (m) =>
              `  ${m.id} (${m.kind})${options.plain ? `: ns=${simulator.namespaceIndex};s=${m.id}.<signal>` : ""}`,
          ),
        ],
        close: () => simulator.close(),
      };
    },
  });
}
