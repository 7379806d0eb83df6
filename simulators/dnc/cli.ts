import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { LINE_SETTING_FLAGS } from "../../src/dnc/line/flags.ts";
import {
  describeLine,
  isProfileId,
  PROFILE_IDS,
  type ProfileOverrides,
} from "../../src/dnc/profiles/index.ts";
import { loadSamplePrograms } from "./samples.ts";
import { type DncSimulatorOptions, startDncSimulator } from "./server.ts";

const USAGE = `maskinport sim dnc — a simulated CNC control on a serial line (pty), a serial port or TCP

Usage:
  maskinport sim dnc --pty [--link PATH] [options]     make a pty pair; the gateway opens PATH (or the printed path)
  maskinport sim dnc --tcp PORT [--host H] [options]   listen like a serial device server in TCP server mode
  maskinport sim dnc --serial PATH [options]           use a real serial port (a null-modem cable to the gateway)

Options:
  --profile ${PROFILE_IDS.join("|")}  (default fanuc)
  --baud N --data-bits 7|8 --parity none|even|odd --stop-bits 1|2 --flow xonxoff|rtscts|none
  --buffer BYTES (256)  --xoff-at BYTES (3/4)  --xon-at BYTES (1/4)
  --store-rate CHARS/S  (how fast the control stores what it reads; default 4 × line rate)
  --drip-rate BLOCKS/S  (execution speed when drip-fed; default 50)
  --mode store|drip     (what the control does with what it reads)
  --programs DIR        (load these files into the control's memory; default: sample programs)
  --request NAME [--request-verb LOAD|DRIP] [--request-after MS]
                        (send a remote request for NAME after start)

Commands on stdin: punch NAME | request NAME [LOAD|DRIP] | mode store|drip | read | reset | stats | list | quit`;

/** `maskinport sim dnc …`: runs until SIGINT/SIGTERM or "quit"; returns the exit code. */
export async function runDncSimulatorCli(
  argv: string[],
  io: {
    stdin?: NodeJS.ReadableStream;
    signal?: AbortSignal;
    log?: (line: string) => void;
    error?: (line: string) => void;
  } = {},
): Promise<number> {
  const print = io.log ?? ((line: string) => console.log(line));
  const printError = io.error ?? ((line: string) => console.error(line));
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        pty: { type: "boolean" },
        link: { type: "string" },
        tcp: { type: "string" },
        host: { type: "string" },
        serial: { type: "string" },
        ...LINE_SETTING_FLAGS,
        buffer: { type: "string" },
        "xoff-at": { type: "string" },
        "xon-at": { type: "string" },
        "store-rate": { type: "string" },
        "drip-rate": { type: "string" },
        mode: { type: "string" },
        programs: { type: "string" },
        request: { type: "string" },
        "request-verb": { type: "string" },
        "request-after": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (err) {
    printError(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const profile = String(values.profile ?? "fanuc");
  if (!isProfileId(profile)) {
    printError(`unknown profile "${profile}": one of ${PROFILE_IDS.join(", ")}`);
    return 2;
  }
  const where = [values.pty, values.tcp, values.serial].filter((v) => v !== undefined);
  if (where.length !== 1) {
    printError(`give exactly one of --pty, --tcp PORT or --serial PATH\n\n${USAGE}`);
    return 2;
  }
  const num = (k: string) => (values[k] === undefined ? undefined : Number(values[k]));
  const line: Record<string, unknown> = {};
  if (values.baud !== undefined) line.baud = num("baud");
  if (values["data-bits"] !== undefined) line.dataBits = num("data-bits");
  if (values.parity !== undefined) line.parity = values.parity;
  if (values["stop-bits"] !== undefined) line.stopBits = num("stop-bits");
  const overrides: ProfileOverrides = {};
  if (Object.keys(line).length > 0) overrides.line = line as ProfileOverrides["line"];
  if (values.flow !== undefined) overrides.flowControl = values.flow as ProfileOverrides["flowControl"];
  const mode = values.mode === undefined ? undefined : String(values.mode);
  if (mode !== undefined && mode !== "store" && mode !== "drip") {
    printError(`--mode expects store or drip, got ${mode}`);
    return 2;
  }

  const log = pino({ level: io.log ? "silent" : "info" });
  const opts: DncSimulatorOptions = {
    profile,
    overrides,
    bufferBytes: num("buffer"),
    xoffAt: num("xoff-at"),
    xonAt: num("xon-at"),
    storeCharsPerSecond: num("store-rate"),
    dripBlocksPerSecond: num("drip-rate"),
    mode,
    programs: values.programs ? loadProgramDir(String(values.programs)) : await loadSamplePrograms(),
    log,
  };
  if (values.pty) Object.assign(opts, { pty: true, ptyLink: values.link });
  else if (values.tcp !== undefined) Object.assign(opts, { tcpPort: Number(values.tcp), host: values.host });
  else Object.assign(opts, { serialPath: String(values.serial) });

  let sim: Awaited<ReturnType<typeof startDncSimulator>>;
  try {
    sim = await startDncSimulator(opts);
  } catch (err) {
    printError(`maskinport sim dnc: ${(err as Error).message}`);
    return 1;
  }
  const lineText = `${sim.profile.id} ${describeLine(sim.profile.line)} ${sim.profile.flowControl}`;
  const gateway =
    sim.path !== undefined
      ? `maskinport dnc send FILE --port ${sim.path} --profile ${sim.profile.id}`
      : `maskinport dnc send FILE --host ${sim.host}:${sim.port} --profile ${sim.profile.id}`;
  print(`DNC simulator (${lineText}) ready on ${sim.path ?? `${sim.host}:${sim.port}`}`);
  print(`  try: ${gateway} --baud ${sim.profile.line.baud}`);
  print(`  programs in memory: ${[...sim.model.memory.keys()].join(", ") || "none"}`);

  if (values.request !== undefined) {
    const verb = String(values["request-verb"] ?? "LOAD").toUpperCase() === "DRIP" ? "DRIP" : "LOAD";
    setTimeout(() => sim.requestProgram(String(values.request), verb), num("request-after") ?? 1000).unref();
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      rl?.close();
      print(`stats: ${JSON.stringify(sim.stats())}`);
      await sim.close();
      resolve(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    io.signal?.addEventListener("abort", () => void stop());
    const input = io.stdin ?? process.stdin;
    const rl = input.readable ? createInterface({ input }) : undefined;
    rl?.on("line", (input) => {
      const [cmd, arg, arg2] = input.trim().split(/\s+/);
      switch (cmd) {
        case "punch":
          if (arg && (sim.model.memory.has(arg) || arg.includes("\n"))) sim.punch(arg);
          else print(`no program "${arg ?? ""}" in memory (list shows them)`);
          break;
        case "request":
          if (arg) sim.requestProgram(arg, arg2?.toUpperCase() === "DRIP" ? "DRIP" : "LOAD");
          break;
        case "mode":
          if (arg === "store" || arg === "drip") sim.setMode(arg);
          break;
        case "read":
          sim.pressRead();
          break;
        case "reset":
          sim.reset();
          break;
        case "stats":
          print(JSON.stringify(sim.stats()));
          break;
        case "list":
          print([...sim.model.memory.keys()].join(" "));
          break;
        case "quit":
          void stop();
          break;
        case undefined:
        case "":
          break;
        default:
          print(
            "commands: punch NAME | request NAME [LOAD|DRIP] | mode store|drip | read | reset | stats | list | quit",
          );
      }
    });
  });
}

function loadProgramDir(dir: string): Record<string, string> {
  const programs: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    if (name.startsWith(".")) continue;
    programs[name.replace(/\.[^.]+$/, "")] = readFileSync(join(dir, name), "latin1");
  }
  return programs;
}
