// `maskinport sim mtconnect …`: run the simulated MTConnect agent in the
// foreground until Ctrl-C / SIGTERM. Arguments are checked before anything
// starts, so a typo gives one clear line instead of a half-started agent.
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
import type { SchemaVersion } from "./documents.ts";
import { startMtconnectSimulator } from "./simulator.ts";

export const MTCONNECT_SIM_USAGE = `Usage: maskinport sim mtconnect [--port P] [--host H] [--machines N] [--seed S] [--time-scale X]
                                [--buffer N] [--schema 1.3|2.0]
       maskinport sim mtconnect [--port P] --shdr HOST:PORT --devices FILE [--device NAME] [--buffer N]

A simulated MTConnect agent (probe, current, sample with streaming, asset) for N machines.
  --port P          TCP port (default 5000; 0 = any free port)
  --host H          listen address (default 127.0.0.1; 0.0.0.0 to serve the network)
  --machines N      number of machines, 1–64 (default 1; lathe-1, mill-2, lathe-3, …)
  --seed S          random seed, integer (default 1)
  --time-scale X    simulated seconds per real second, 0 < X ≤ 1000 (default 1)
  --buffer N        observations kept for /sample, 16–1048576 (default 131072)
  --schema V        1.3 (m: prefix, multipart/x-mixed-replace) or 2.0 (default)
  --shdr HOST:PORT  serve one device fed by this SHDR adapter (e.g. maskinport sim shdr --replay LOG)
  --devices FILE    the adapter's Devices.xml (with --shdr)
  --device NAME     device in it (default: the first)`;

export type MtconnectSimulatorCliOptions = {
  host: string;
  port: number;
  machines: number;
  seed: number;
  timeScale: number;
  bufferSize: number;
  schema: SchemaVersion;
  shdr?: { host: string; port: number; devicesXml: string; device?: string };
};

function shdrSource(
  address: string | undefined,
  devicesXml: string | undefined,
  device: string | undefined,
): MtconnectSimulatorCliOptions["shdr"] {
  if (address === undefined) {
    if (devicesXml !== undefined || device !== undefined) {
      throw new CliArgumentError("--devices and --device only apply with --shdr HOST:PORT");
    }
    return undefined;
  }
  const m = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(address);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new CliArgumentError(`--shdr: expected HOST:PORT of an SHDR adapter, got "${address}"`);
  }
  if (!devicesXml) throw new CliArgumentError("--shdr needs --devices FILE (the adapter's Devices.xml)");
  const host = m[1]!.replace(/^\[|\]$/g, "");
  return { host, port: Number(m[2]), devicesXml, ...(device ? { device } : {}) };
}

/** Parse and check the arguments; "help" when --help was asked for. Throws CliArgumentError. */
export function parseMtconnectSimulatorArgs(argv: string[]): MtconnectSimulatorCliOptions | "help" {
  const values = parseFlags(argv, {
    ...MODEL_SIM_FLAGS,
    buffer: { type: "string" },
    schema: { type: "string" },
    shdr: { type: "string" },
    devices: { type: "string" },
    device: { type: "string" },
  });
  if (values.help) return "help";
  const str = (name: string) => values[name] as string | undefined;
  const host = hostArg(str("host"));
  const timeScale = positiveArg("--time-scale", str("time-scale"), 1000, 1);
  const schema = str("schema") ?? "2.0";
  if (schema !== "1.3" && schema !== "2.0") {
    throw new CliArgumentError(`--schema: expected 1.3 or 2.0, got "${schema}"`);
  }
  const shdr = shdrSource(str("shdr"), str("devices"), str("device"));
  if (shdr) {
    for (const flag of ["machines", "seed", "time-scale"]) {
      if (values[flag] !== undefined) throw new CliArgumentError(`--${flag} does not apply with --shdr`);
    }
  }
  return {
    ...(shdr ? { shdr } : {}),
    host,
    port: integer("--port", str("port"), 0, 65535, 5000),
    machines: integer("--machines", str("machines"), 1, 64, 1),
    seed: integer("--seed", str("seed"), -2_147_483_648, 4_294_967_295, 1),
    timeScale,
    bufferSize: integer("--buffer", str("buffer"), 16, 1_048_576, 131_072),
    schema,
  };
}

export type MtconnectSimulatorCliIo = SimulatorCliIo;

/** Runs until SIGINT/SIGTERM (or io.signal); resolves with the exit code: 0 ok, 1 start failed, 2 bad arguments. */
export async function runMtconnectSimulatorCli(
  argv: string[],
  io: MtconnectSimulatorCliIo = {},
): Promise<number> {
  return runSimulatorCli({
    name: "mtconnect",
    usage: MTCONNECT_SIM_USAGE,
    argv,
    io,
    parse: parseMtconnectSimulatorArgs,
    start: async (options, log) => {
      const simulator = await startMtconnectSimulator({ ...options, log });
      return {
        describe: () => [
          `MTConnect agent on ${simulator.url} (probe, current, sample, asset)`,
          ...simulator.devices.map((d) => `  device ${d.name} (${d.kind}), uuid ${d.uuid}`),
        ],
        close: () => simulator.close(),
      };
    },
  });
}
