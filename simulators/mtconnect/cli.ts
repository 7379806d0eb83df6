// `maskinport sim mtconnect …`: run the simulated MTConnect agent in the
// foreground until Ctrl-C / SIGTERM. Arguments are checked before anything
// starts, so a typo gives one clear line instead of a half-started agent.
import { parseArgs } from "node:util";
import type { Logger } from "pino";
import { createLogger } from "../../src/gateway/logger.ts";
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

export class MtconnectCliArgumentError extends Error {}

function integer(flag: string, text: string | undefined, min: number, max: number, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^-?\d+$/.test(text.trim())) {
    throw new MtconnectCliArgumentError(`${flag}: expected an integer ${min}–${max}, got "${text}"`);
  }
  const n = Number(text);
  if (n < min || n > max)
    throw new MtconnectCliArgumentError(`${flag}: expected an integer ${min}–${max}, got ${n}`);
  return n;
}

function shdrSource(
  address: string | undefined,
  devicesXml: string | undefined,
  device: string | undefined,
): MtconnectSimulatorCliOptions["shdr"] {
  if (address === undefined) {
    if (devicesXml !== undefined || device !== undefined) {
      throw new MtconnectCliArgumentError("--devices and --device only apply with --shdr HOST:PORT");
    }
    return undefined;
  }
  const m = /^([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(address);
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
    throw new MtconnectCliArgumentError(`--shdr: expected HOST:PORT of an SHDR adapter, got "${address}"`);
  }
  if (!devicesXml)
    throw new MtconnectCliArgumentError("--shdr needs --devices FILE (the adapter's Devices.xml)");
  const host = m[1]!.replace(/^\[|\]$/g, "");
  return { host, port: Number(m[2]), devicesXml, ...(device ? { device } : {}) };
}

/** Parse and check the arguments; "help" when --help was asked for. Throws MtconnectCliArgumentError. */
export function parseMtconnectSimulatorArgs(argv: string[]): MtconnectSimulatorCliOptions | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string", short: "p" },
        host: { type: "string" },
        machines: { type: "string", short: "n" },
        seed: { type: "string" },
        "time-scale": { type: "string" },
        buffer: { type: "string" },
        schema: { type: "string" },
        shdr: { type: "string" },
        devices: { type: "string" },
        device: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    throw new MtconnectCliArgumentError((e as Error).message.split(". To specify")[0] ?? String(e));
  }
  if (values.help) return "help";
  const str = (name: string) => values[name] as string | undefined;
  const host = str("host") ?? "127.0.0.1";
  if (!/^[A-Za-z0-9.\-:[\]]+$/.test(host)) {
    throw new MtconnectCliArgumentError(`--host: expected a host name or IP address, got "${host}"`);
  }
  const scaleText = str("time-scale");
  const timeScale = scaleText === undefined ? 1 : Number(scaleText);
  if (scaleText !== undefined && (scaleText.trim() === "" || !(timeScale > 0) || timeScale > 1000)) {
    throw new MtconnectCliArgumentError(
      `--time-scale: expected a number greater than 0 and at most 1000, got "${scaleText}"`,
    );
  }
  const schema = str("schema") ?? "2.0";
  if (schema !== "1.3" && schema !== "2.0") {
    throw new MtconnectCliArgumentError(`--schema: expected 1.3 or 2.0, got "${schema}"`);
  }
  const shdr = shdrSource(str("shdr"), str("devices"), str("device"));
  if (shdr) {
    for (const flag of ["machines", "seed", "time-scale"]) {
      if (values[flag] !== undefined)
        throw new MtconnectCliArgumentError(`--${flag} does not apply with --shdr`);
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

export type MtconnectSimulatorCliIo = {
  out?: (line: string) => void;
  err?: (line: string) => void;
  log?: Logger;
  /** Stops the simulator like SIGINT does (for tests and embedding). */
  signal?: AbortSignal;
};

/** Runs until SIGINT/SIGTERM (or io.signal); resolves with the exit code: 0 ok, 1 start failed, 2 bad arguments. */
export async function runMtconnectSimulatorCli(
  argv: string[],
  io: MtconnectSimulatorCliIo = {},
): Promise<number> {
  const out = io.out ?? ((line: string) => console.log(line));
  const err = io.err ?? ((line: string) => console.error(line));
  let options: MtconnectSimulatorCliOptions | "help";
  try {
    options = parseMtconnectSimulatorArgs(argv);
  } catch (e) {
    if (!(e instanceof MtconnectCliArgumentError)) throw e;
    err(`maskinport sim mtconnect: ${e.message}\n\n${MTCONNECT_SIM_USAGE}`);
    return 2;
  }
  if (options === "help") {
    out(MTCONNECT_SIM_USAGE);
    return 0;
  }
  let simulator: Awaited<ReturnType<typeof startMtconnectSimulator>>;
  try {
    simulator = await startMtconnectSimulator({
      ...options,
      log: io.log ?? createLogger("info", process.stderr),
    });
  } catch (e) {
    err(`maskinport sim mtconnect: ${(e as Error).message}`);
    return 1;
  }
  out(`MTConnect agent on ${simulator.url} (probe, current, sample, asset)`);
  for (const d of simulator.devices) out(`  device ${d.name} (${d.kind}), uuid ${d.uuid}`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      io.signal?.removeEventListener("abort", stop);
      resolve();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener("abort", stop, { once: true });
  });
  await simulator.close();
  out("MTConnect simulator stopped");
  return 0;
}
