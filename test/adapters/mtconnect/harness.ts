import { pino } from "pino";
import { MtconnectAdapter } from "../../../src/adapters/mtconnect/adapter.ts";
import type { MachineBindingConfig } from "../../../src/adapters/mtconnect/bindings.ts";
import { mtconnectMonitorSchema } from "../../../src/adapters/mtconnect/config.ts";
import { groupMtconnectMonitors } from "../../../src/adapters/mtconnect/group.ts";
import type { IntakeControl } from "../../../src/core/contracts.ts";
import type { Reading } from "../../../src/core/observation.ts";
import { waitFor } from "../../support/ports.ts";

// Adapter + collected readings, with quick timings so recovery paths run in
// well under a second (heartbeat 400 ms, backoff 50–200 ms).

export type Harness = {
  adapter: MtconnectAdapter;
  readings: Reading[];
  /** Readings after index `from`, of machine + signal. */
  of(machine: string, signal: string, from?: number): Reading[];
  /** Wait until a reading matches (after index `from`); returns it. */
  until(what: string, match: (r: Reading) => boolean, from?: number, timeoutMs?: number): Promise<Reading>;
  stop(): Promise<void>;
};

export async function startAdapter(
  url: string,
  machines: readonly MachineBindingConfig[],
  monitor: Record<string, unknown> = {},
  onEmit?: (rs: readonly Reading[]) => void,
  intake?: IntakeControl,
): Promise<Harness> {
  const parsed = mtconnectMonitorSchema.parse({
    type: "mtconnect",
    url,
    heartbeatMs: 400,
    intervalMs: 10,
    timeoutMs: 2000,
    offlineAfterMs: 3000,
    reconnect: { initialMs: 50, maxMs: 200 },
    ...monitor,
  });
  const [options] = groupMtconnectMonitors([{ id: "x", monitor: parsed }]);
  const adapter = new MtconnectAdapter({ ...options!, machines });
  const readings: Reading[] = [];
  await adapter.start({
    emit: (rs) => {
      readings.push(...rs);
      onEmit?.(rs);
    },
    log: pino({ level: process.env.TEST_LOG ?? "silent" }),
    intake,
  });
  return {
    adapter,
    readings,
    of: (machine, signal, from = 0) =>
      readings.slice(from).filter((r) => r.machine === machine && r.signal === signal),
    until: (what, match, from = 0, timeoutMs = 8000) =>
      waitFor(what, () => readings.slice(from).find(match), timeoutMs),
    stop: () => adapter.stop(),
  };
}
