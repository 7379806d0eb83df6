import type { Logger } from "pino";
import type { MachineConfig } from "../config/schema.ts";
import type { ProgramTransferEvent } from "../core/events.ts";
import { DncMachine } from "../dnc/engine/dnc-machine.ts";
import { ProgramLibrary } from "../dnc/library/library.ts";
import type { DncLineEntry } from "../web/api/dnc/index.ts";

/**
 * One DncMachine per machine with a `dnc:` section, sharing the program
 * library. Each listens for remote requests and unasked punches; transfers
 * become `program.transfer` events (competence evidence).
 */
export class DncFleet {
  private readonly machines = new Map<string, DncMachine>();
  readonly library: ProgramLibrary | undefined;
  /** What the web's upload page lists: each machine with a line, in config order. */
  private readonly entries: DncLineEntry[] = [];

  constructor(opts: {
    machines: readonly MachineConfig[];
    libraryPath: string;
    log: Logger;
    onEvent: (event: ProgramTransferEvent) => void;
  }) {
    const withDnc = opts.machines.filter((m) => m.dnc !== undefined);
    if (withDnc.length === 0) return;
    this.library = ProgramLibrary.open(opts.libraryPath);
    for (const m of withDnc) {
      const machine = new DncMachine({
        machine: m.id,
        config: m.dnc!,
        library: this.library,
        log: opts.log,
        onEvent: opts.onEvent,
      });
      machine.startListening();
      this.machines.set(m.id, machine);
      this.entries.push({ id: m.id, name: m.name, kind: m.kind, transport: m.dnc!.transport, line: machine });
    }
  }

  get(machine: string): DncMachine | undefined {
    return this.machines.get(machine);
  }

  /** The machines with a DNC line, for the web (the same DncMachine: the line is opened once). */
  lines(): readonly DncLineEntry[] {
    return this.entries;
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.machines.values()].map((m) => m.stop()));
    this.machines.clear();
    this.library?.close();
  }
}
