import type { IntakeControl } from "../../src/core/contracts.ts";

/** An IntakeControl a test flips by hand, as the gateway's outbox gate would. */
export function manualIntake(): IntakeControl & { set(paused: boolean): void } {
  const listeners = new Set<(paused: boolean) => void>();
  let paused = false;
  return {
    get paused() {
      return paused;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set(value) {
      paused = value;
      for (const l of [...listeners]) l(value);
    },
  };
}
