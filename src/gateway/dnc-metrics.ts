import { Counter, type Registry } from "prom-client";
import type { ProgramTransferEvent } from "../core/events.ts";

// DNC program transfers on /metrics. A technician alerts on failed transfers
// per machine (a loose cable, a control set to the wrong baud rate shows as
// a run of `failed`), and sees how much the lines carry. No file names: they
// can carry a trainee's initials, and labels must stay few.

export type DncMetrics = { record(event: ProgramTransferEvent): void };

export function registerDncMetrics(registry: Registry): DncMetrics {
  const transfers = new Counter({
    name: "maskinport_dnc_transfers_total",
    help: "DNC program transfers ended, by machine, direction (send, receive, drip) and result (ok, failed, cancelled)",
    labelNames: ["machine", "direction", "result"] as const,
    registers: [registry],
  });
  const bytes = new Counter({
    name: "maskinport_dnc_transfer_bytes_total",
    help: "Program bytes moved over DNC lines by transfers that ended, by machine and direction",
    labelNames: ["machine", "direction"] as const,
    registers: [registry],
  });
  return {
    record(e) {
      transfers.inc({ machine: e.machine, direction: e.direction, result: e.result });
      if (e.bytes > 0) bytes.inc({ machine: e.machine, direction: e.direction }, e.bytes);
    },
  };
}
