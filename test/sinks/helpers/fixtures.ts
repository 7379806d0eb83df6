// Hand-built pipeline output for sink tests: small, explicit, no pipeline needed.
import type { PipelineOutput } from "../../../src/core/contracts.ts";
import type { MachineEvent, MachineSnapshot, MachineStateName } from "../../../src/core/events.ts";
import type { Observation } from "../../../src/core/observation.ts";
import type { SignalId } from "../../../src/core/signals.ts";

export function obs(
  machine: string,
  signal: SignalId,
  value: Observation["value"],
  seq: number,
  ts = 1_700_000_000_000 + seq,
  extra: Partial<Observation> = {},
): Observation {
  return {
    machine,
    signal,
    value,
    ts,
    rx: ts + 1,
    quality: "good",
    source: { protocol: "sim", ref: signal },
    seq,
    ...extra,
  };
}

export function snapshot(
  machine: string,
  state: MachineStateName,
  since: number,
  ts = since,
): MachineSnapshot {
  return {
    machine,
    state,
    since,
    signals: { execution: { value: state === "running" ? "ACTIVE" : "READY", ts: since } },
    alarms: [],
    session: null,
    ts,
  };
}

export function output(parts: Partial<PipelineOutput>): PipelineOutput {
  return { observations: [], events: [], snapshots: [], ...parts };
}

export function cycleEnd(
  machine: string,
  startedAt: number,
  endedAt: number,
  extra: Partial<MachineEvent> = {},
) {
  return {
    type: "cycle.end",
    machine,
    ts: endedAt,
    program: "O1234",
    startedAt,
    durationMs: endedAt - startedAt,
    partsMade: 1,
    outcome: "completed",
    ...extra,
  } as MachineEvent;
}
