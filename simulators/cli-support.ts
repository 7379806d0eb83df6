// What every `maskinport sim <protocol>` command shares: argument checks that
// name the flag and the allowed range, and a foreground run that stops
// cleanly on Ctrl-C / SIGTERM (or an AbortSignal in tests).
import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import type { Logger } from "pino";
import { createLogger } from "../src/gateway/logger.ts";

/** A bad command-line argument: printed with the usage text, exit code 2. */
export class CliArgumentError extends Error {}

/** Flags every model-driven simulator takes: where it listens, how many machines, seed and time scale. */
export const MODEL_SIM_FLAGS = {
  port: { type: "string", short: "p" },
  host: { type: "string" },
  machines: { type: "string", short: "n" },
  seed: { type: "string" },
  "time-scale": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

export type FlagValues = Record<string, string | boolean | string[] | undefined>;

/** parseArgs with strict checking; its errors become CliArgumentError without node's "--" hint. */
export function parseFlags(argv: string[], options: ParseArgsOptionsConfig): FlagValues {
  try {
    const { values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options });
    return values as FlagValues;
  } catch (err) {
    throw new CliArgumentError((err as Error).message.split(". To specify")[0] ?? String(err));
  }
}

export function integerArg(
  flag: string,
  text: string | undefined,
  min: number,
  max: number,
  fallback: number,
): number {
  if (text === undefined) return fallback;
  if (!/^-?\d+$/.test(text.trim()))
    throw new CliArgumentError(`${flag}: expected an integer ${min}–${max}, got "${text}"`);
  const n = Number(text);
  if (n < min || n > max) throw new CliArgumentError(`${flag}: expected an integer ${min}–${max}, got ${n}`);
  return n;
}

export function positiveArg(flag: string, text: string | undefined, max: number, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0 || n > max) {
    throw new CliArgumentError(`${flag}: expected a number greater than 0 and at most ${max}, got "${text}"`);
  }
  return n;
}

export function hostArg(text: string | undefined, fallback = "127.0.0.1"): string {
  const host = text ?? fallback;
  if (!/^[A-Za-z0-9.\-:[\]]+$/.test(host)) {
    throw new CliArgumentError(`--host: expected a host name or IP address, got "${host}"`);
  }
  return host;
}

export type SimulatorCliIo = {
  out?: (line: string) => void;
  err?: (line: string) => void;
  log?: Logger;
  /** Stops the simulator like SIGINT does (for tests and embedding). */
  signal?: AbortSignal;
};

/**
 * Parse, start, print where it listens, wait for SIGINT/SIGTERM (or
 * io.signal), close. Resolves with the exit code: 0 ok, 1 start failed, 2 bad
 * arguments.
 */
export async function runSimulatorCli<Options>(spec: {
  name: string;
  usage: string;
  argv: string[];
  io: SimulatorCliIo;
  parse(argv: string[]): Options | "help";
  start(options: Options, log: Logger): Promise<{ describe(): string[]; close(): Promise<void> }>;
}): Promise<number> {
  const { io } = spec;
  const out = io.out ?? ((line: string) => console.log(line));
  const err = io.err ?? ((line: string) => console.error(line));
  let options: Options | "help";
  try {
    options = spec.parse(spec.argv);
  } catch (e) {
    if (!(e instanceof CliArgumentError)) throw e;
    err(`maskinport sim ${spec.name}: ${e.message}\n\n${spec.usage}`);
    return 2;
  }
  if (options === "help") {
    out(spec.usage);
    return 0;
  }
  let simulator: Awaited<ReturnType<typeof spec.start>>;
  try {
    simulator = await spec.start(options, io.log ?? createLogger("info", process.stderr));
  } catch (e) {
    err(`maskinport sim ${spec.name}: ${(e as Error).message}`);
    return 1;
  }
  for (const line of simulator.describe()) out(line);
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
  out(`${spec.name} simulator stopped`);
  return 0;
}
