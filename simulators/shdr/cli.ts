// `maskinport sim shdr …`: run the SHDR simulator in the foreground until
// Ctrl-C / SIGTERM. Arguments are checked up front so that a typo gives one
// clear line instead of a half-started simulator.
import {
  CliArgumentError,
  hostArg,
  integerArg as integer,
  MODEL_SIM_FLAGS,
  parseFlags,
  positiveArg as positive,
  runSimulatorCli,
  type SimulatorCliIo,
} from "../cli-support.ts";
import { startShdrSimulator } from "./server.ts";

export { CliArgumentError };

export const SHDR_SIM_USAGE = `Usage: maskinport sim shdr [--port P] [--host H] [--machines N] [--seed S] [--time-scale X]
       maskinport sim shdr [--port P] [--host H] [--machines N] --replay FILE [--speed X] [--no-loop] [--retime]

Simulated MTConnect adapters speaking SHDR; machine i listens on port P + i.
  --port P          first TCP port (default 7878; 0 = any free port per machine)
  --host H          listen address (default 127.0.0.1; 0.0.0.0 to serve the network)
  --machines N      number of machines, 1–64 (default 1; sim-1 is a lathe, sim-2 a mill, …)
  --seed S          random seed, integer (default 1; machine i uses S + i)
  --time-scale X    simulated seconds per real second, 0 < X ≤ 1000 (default 1)
  --heartbeat MS    interval announced in "* PONG MS", 100–600000 (default 10000)
  --replay FILE     replay a captured SHDR log instead of simulating
  --speed X         replay speed factor, 0 < X ≤ 10000 (default 1)
  --no-loop         stop after one pass of the log (default: start over)
  --retime          stamp replayed lines with the current time instead of the recorded one`;

export type ShdrSimulatorCliOptions = {
  host: string;
  port: number;
  machines: number;
  seed: number;
  timeScale: number;
  heartbeatMs: number;
  replay?: string;
  speed: number;
  loop: boolean;
  retime: boolean;
};

/** Parse and check the arguments; "help" when --help was asked for. Throws CliArgumentError. */
export function parseShdrSimulatorArgs(argv: string[]): ShdrSimulatorCliOptions | "help" {
  const values = parseFlags(argv, {
    ...MODEL_SIM_FLAGS,
    heartbeat: { type: "string" },
    replay: { type: "string" },
    speed: { type: "string" },
    "no-loop": { type: "boolean" },
    retime: { type: "boolean" },
  });
  if (values.help) return "help";
  const str = (name: string) => values[name] as string | undefined;
  const host = hostArg(str("host"));
  const port = integer("--port", str("port"), 0, 65535, 7878);
  const machines = integer("--machines", str("machines"), 1, 64, 1);
  if (port > 0 && port + machines - 1 > 65535) {
    throw new CliArgumentError(
      `--port ${port} with --machines ${machines} needs ports past 65535; use a lower --port`,
    );
  }
  const replay = str("replay");
  if (replay === "") throw new CliArgumentError("--replay: expected a file name");
  if (!replay) {
    for (const flag of ["speed", "no-loop", "retime"]) {
      if (values[flag] !== undefined) throw new CliArgumentError(`--${flag} only applies to --replay FILE`);
    }
  } else {
    for (const flag of ["seed", "time-scale"]) {
      if (values[flag] !== undefined) {
        throw new CliArgumentError(
          `--${flag} applies to the simulated machines, not to --replay (use --speed)`,
        );
      }
    }
  }
  return {
    host,
    port,
    machines,
    seed: integer("--seed", str("seed"), -2_147_483_648, 4_294_967_295, 1),
    timeScale: positive("--time-scale", str("time-scale"), 1000, 1),
    heartbeatMs: integer("--heartbeat", str("heartbeat"), 100, 600_000, 10_000),
    ...(replay ? { replay } : {}),
    speed: positive("--speed", str("speed"), 10_000, 1),
    loop: values["no-loop"] !== true,
    retime: values.retime === true,
  };
}

export type ShdrSimulatorCliIo = SimulatorCliIo;

/** Runs until SIGINT/SIGTERM (or io.signal); resolves with the exit code: 0 ok, 1 start failed, 2 bad arguments. */
export async function runShdrSimulatorCli(argv: string[], io: ShdrSimulatorCliIo = {}): Promise<number> {
  return runSimulatorCli({
    name: "shdr",
    usage: SHDR_SIM_USAGE,
    argv,
    io,
    parse: parseShdrSimulatorArgs,
    start: async (options, log) => {
      const simulator = await startShdrSimulator({ ...options, log });
      return {
        describe: () =>
          simulator.machines.map(
            (m) => `${m.id} (${m.kind ?? `replay of ${options.replay}`}): SHDR on ${options.host}:${m.port}`,
          ),
        close: () => simulator.close(),
      };
    },
  });
}
