import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { loadConfig } from "../config/load.ts";
import { ProgressDisplay } from "./cli/progress-bar.ts";
import { type DncConfig, type DncConfigInput, dncConfigSchema, profileFor } from "./config.ts";
import { DncMachine } from "./engine/dnc-machine.ts";
import type { Transfer } from "./engine/transfer.ts";
import { ProgramLibrary } from "./library/library.ts";
import { LINE_SETTING_FLAGS } from "./line/flags.ts";
import { PROFILE_IDS } from "./profiles/index.ts";
import { fileNameFor } from "./program/identity.ts";
import { programText } from "./program/text.ts";
import { formatValidationMessage, validateProgram } from "./validate.ts";

const USAGE = `maskinport dnc — send, receive and drip-feed NC programs over RS-232 or a serial device server

Usage:
  maskinport dnc validate FILE [--drip]            check FILE against the profile; exit 1 on errors
  maskinport dnc send FILE [--force]               upload FILE into the control's memory
  maskinport dnc drip FILE [--from-line N]         stream FILE while the machine runs it (resume from line N)
  maskinport dnc receive [--out FILE|DIR]          save what the control punches (default: ./<O-number>.nc)

The line, either from the config:
  --machine ID --config FILE                       the machine's dnc: section
or given directly:
  --port PATH                                      serial port, e.g. /dev/ttyUSB0
  --host HOST[:PORT]                               serial device server in TCP server mode (port 4001)
  --profile ${PROFILE_IDS.join("|")}
Overrides (either way):
  --baud N --data-bits 7|8 --parity none|even|odd --stop-bits 1|2 --flow xonxoff|rtscts|none
Audit:
  --library DB [--user ID]                         record the transfer (and save received programs) in DB`;

type Io = {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
};

class UsageError extends Error {}

/** `maskinport dnc …`; returns the exit code (0 ok, 1 failed, 2 usage). */
export async function runDncCli(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const say = (s: string) => io.stdout.write(`${s}\n`);
  const complain = (s: string) => io.stderr.write(`${s}\n`);
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    say(USAGE);
    return command ? 0 : 2;
  }
  if (!["validate", "send", "drip", "receive"].includes(command)) {
    complain(`maskinport dnc: unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        machine: { type: "string" },
        config: { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        ...LINE_SETTING_FLAGS,
        force: { type: "boolean" },
        drip: { type: "boolean" },
        "from-line": { type: "string" },
        out: { type: "string" },
        library: { type: "string" },
        user: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
    if (values.help) {
      say(USAGE);
      return 0;
    }
    const file = positionals[0];
    if (command !== "receive" && !file)
      throw new UsageError(`maskinport dnc ${command}: give the program FILE`);
    if (positionals.length > (command === "receive" ? 0 : 1)) {
      throw new UsageError(`maskinport dnc ${command}: unexpected argument "${positionals.at(-1)}"`);
    }
    const config = resolveLine(command, values);

    if (command === "validate") {
      const text = readProgram(file!);
      const report = validateProgram(text, profileFor(config), { mode: values.drip ? "drip" : "send" });
      for (const m of report.messages) say(formatValidationMessage(file!, m));
      say(
        report.ok
          ? `${file}: ok for ${profileFor(config).name} (${report.bytes} bytes, ${report.lines} lines${report.warnings ? `, ${report.warnings} warnings` : ""})`
          : `${file}: ${report.errors} error${report.errors === 1 ? "" : "s"}`,
      );
      return report.ok ? 0 : 1;
    }

    const library = values.library ? ProgramLibrary.open(values.library) : undefined;
    const machine = new DncMachine({
      machine: values.machine ?? "cli",
      config,
      library,
      log: pino({ level: "silent" }),
    });
    const progress = new ProgressDisplay(io.stderr);
    const user = values.user;
    try {
      let transfer: Transfer<unknown>;
      if (command === "receive") {
        say(`waiting for the control to punch (${machine.profile.name}, ${describeConfig(config)}) …`);
        transfer = machine.receive({ user, save: library !== undefined });
      } else {
        const text = readProgram(file!);
        const program = { text, file: file!.split("/").at(-1)! };
        const fromLine =
          values["from-line"] !== undefined ? positiveInt(values["from-line"], "--from-line") : undefined;
        transfer =
          command === "send"
            ? machine.send(program, { user, force: values.force })
            : machine.drip(program, { user, force: values.force, fromLine });
      }
      transfer.on("progress", (p) => progress.update(p));
      const stop = () => transfer.cancel();
      process.once("SIGINT", stop);
      const outcome = await transfer.done;
      process.off("SIGINT", stop);
      progress.done();
      if (outcome.result !== "ok") {
        complain(`${outcome.result}: ${outcome.error?.message ?? "unknown error"}`);
        if (outcome.resumeFromLine !== undefined) {
          complain(`resume with: maskinport dnc drip ${file} --from-line ${outcome.resumeFromLine} …`);
        }
        return 1;
      }
      if (command === "receive") {
        const received = (outcome.value as { program: { text: string; lines: number; identity: object } })
          .program;
        const target = outputPath(values.out, fileNameFor(received.identity, machine.profile, new Date()));
        writeFileSync(target, received.text, "latin1");
        say(
          `received ${received.lines} lines, ${Buffer.byteLength(received.text, "latin1")} bytes → ${target}`,
        );
      } else {
        say(
          `${command === "send" ? "sent" : "drip-fed"} ${outcome.file}: ${outcome.bytes} bytes in ${(outcome.durationMs / 1000).toFixed(1)} s`,
        );
      }
      return 0;
    } finally {
      await machine.stop();
      library?.close();
    }
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      complain(`${(err as Error).message}\n\n${USAGE}`);
      return 2;
    }
    complain(`maskinport dnc ${command}: ${(err as Error).message}`);
    return 1;
  }
}

type Values = Record<string, string | boolean | undefined>;

/** The machine's dnc section (from --config) or the line given on the command line, plus overrides. */
function resolveLine(command: string, values: Values): DncConfig {
  let base: Partial<DncConfigInput> = {};
  if (values.machine !== undefined || values.config !== undefined) {
    if (values.machine === undefined || values.config === undefined) {
      throw new UsageError("--machine and --config go together");
    }
    base = dncSectionOf(loadConfig(String(values.config)), String(values.machine));
  }
  const input: Record<string, unknown> = { ...base };
  if (values.port !== undefined) {
    Object.assign(input, { transport: "serial", path: values.port, host: undefined, port: undefined });
  }
  if (values.host !== undefined) {
    const [host, port] = String(values.host).split(/:(?=\d+$)/);
    Object.assign(input, { transport: "tcp", host, port: port ? Number(port) : undefined, path: undefined });
  }
  if (values.profile !== undefined) input.profile = values.profile;
  if (values.baud !== undefined) input.baud = Number(values.baud);
  if (values["data-bits"] !== undefined) input.dataBits = Number(values["data-bits"]);
  if (values.parity !== undefined) input.parity = values.parity;
  if (values["stop-bits"] !== undefined) input.stopBits = Number(values["stop-bits"]);
  if (values.flow !== undefined) input.flowControl = values.flow;
  if (command === "validate" && input.transport === undefined) {
    // Validation needs only the profile.
    Object.assign(input, { transport: "serial", path: "-" });
  }
  if (input.transport === undefined)
    throw new UsageError(
      "say where the machine is: --port PATH, --host HOST[:PORT] or --machine ID --config FILE",
    );
  if (input.profile === undefined)
    throw new UsageError(`give --profile (${PROFILE_IDS.join(", ")}) or --machine/--config`);
  for (const key of Object.keys(input)) if (input[key] === undefined) delete input[key];
  const parsed = dncConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`bad line settings: ${issue.path.join(".") || "(line)"}: ${issue.message}`);
  }
  return parsed.data;
}

/**
 * The `dnc:` section of machine `id` in a loaded config. The machine schema
 * gains `dnc: dncConfigSchema.optional()` in src/config/schema.ts, so the
 * section is already validated there; it is validated again here so that
 * this works whatever the schema of the day.
 */
export function dncSectionOf(config: { machines: readonly { id: string }[] }, id: string): DncConfigInput {
  const machine = config.machines.find((m) => m.id === id) as { id: string; dnc?: unknown } | undefined;
  if (!machine) {
    throw new Error(
      `no machine "${id}" in the config (machines: ${config.machines.map((m) => m.id).join(", ")})`,
    );
  }
  if (machine.dnc === undefined) throw new Error(`machine "${id}" has no dnc: section in the config`);
  const parsed = dncConfigSchema.safeParse(machine.dnc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`machines.${id}.dnc.${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

function describeConfig(c: DncConfig): string {
  return c.transport === "serial" ? c.path! : `${c.host}:${c.port ?? 4001}`;
}

function readProgram(file: string): string {
  try {
    return programText(readFileSync(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(`cannot read ${file}: ${code === "ENOENT" ? "file not found" : (err as Error).message}`);
  }
}

function outputPath(out: string | boolean | undefined, name: string): string {
  if (typeof out !== "string") return join(".", name);
  try {
    if (statSync(out).isDirectory()) return join(out, name);
  } catch {
    // Not there yet: a file name.
  }
  return out;
}

function positiveInt(v: string | boolean, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag} expects a line number ≥ 1, got ${String(v)}`);
  return n;
}
