// Throughput the way a consumer sees it: publish as fast as the system
// sustains, never more than `maxInFlight` ahead of what the subscriber has
// received (closed loop, so no queue grows without bound and nothing is
// measured that a broker merely buffered), and count deliveries over a fixed
// window after a warm-up. Afterwards, wait for the tail to arrive: what is
// still missing then was lost.
import { setTimeout as sleep, setImmediate as yieldToIo } from "node:timers/promises";
import { ThreadCpuMeter } from "./machine.ts";

/** A cumulative CPU-time reading in µs (a thread, a child process…). */
export type CpuReading = () => number;

export type FlowWindowOptions = {
  /** Publish about `max` items now, synchronously; returns how many it published. */
  write(max: number): number;
  /** Items the subscriber has received so far. */
  delivered(): number;
  warmupMs: number;
  windowMs: number;
  /** Items published but not yet received, at most. */
  maxInFlight: number;
  /** Items published per turn of the event loop before yielding to I/O. */
  burst: number;
  /** Other parts whose CPU time per item is reported, by name (the publishing thread is always "publisher"). */
  cpu?: Record<string, CpuReading>;
  /** How long to wait for the tail after the window; stops earlier once 1 s passes without progress. */
  drainTimeoutMs?: number;
};

export type FlowWindowResult = {
  /** Items received per second during the window. */
  rate: number;
  /** CPU µs per item received during the window: "publisher" (this thread) and each `cpu` meter. */
  cpuUsPerItem: Record<string, number>;
  /**
   * Share of the window the publisher waited because `maxInFlight` items were
   * outstanding: near 1 = the broker or the subscriber set the pace; near 0 = the publisher did.
   */
  waitingShare: number;
  written: number;
  delivered: number;
  /** Published minus received after the drain (0 when nothing was lost). */
  lost: number;
};

export async function measureFlowWindow(opts: FlowWindowOptions): Promise<FlowWindowResult> {
  let written = 0;
  let waitedMs = 0;
  const pump = async (until: number): Promise<void> => {
    while (performance.now() < until) {
      const room = opts.maxInFlight - (written - opts.delivered());
      if (room <= 0) {
        // The subscriber is behind: leave the CPU to the broker and the subscriber.
        const w0 = performance.now();
        await sleep(1);
        waitedMs += performance.now() - w0;
        continue;
      }
      written += opts.write(Math.min(room, opts.burst));
      await yieldToIo();
    }
  };

  await pump(performance.now() + opts.warmupMs);
  const meters: Record<string, CpuReading> = { publisher: threadCpu(), ...opts.cpu };
  const cpu0 = Object.fromEntries(Object.entries(meters).map(([k, m]) => [k, m()]));
  const d0 = opts.delivered();
  waitedMs = 0;
  const t0 = performance.now();
  await pump(t0 + opts.windowMs);
  const d1 = opts.delivered();
  const elapsedMs = performance.now() - t0;
  const items = d1 - d0;
  const cpuUsPerItem = Object.fromEntries(
    Object.entries(meters).map(([k, m]) => [k, items > 0 ? (m() - (cpu0[k] as number)) / items : Number.NaN]),
  );
  const waitingShare = waitedMs / elapsedMs;

  const drainUntil = performance.now() + (opts.drainTimeoutMs ?? 10_000);
  let last = opts.delivered();
  let lastProgress = performance.now();
  while (opts.delivered() < written && performance.now() < drainUntil) {
    await sleep(20);
    const now = opts.delivered();
    if (now !== last) {
      last = now;
      lastProgress = performance.now();
    } else if (performance.now() - lastProgress > 1000) {
      break;
    }
  }
  const delivered = opts.delivered();
  return {
    rate: items / (elapsedMs / 1000),
    cpuUsPerItem,
    waitingShare,
    written,
    delivered,
    lost: Math.max(0, written - delivered),
  };
}

function threadCpu(): CpuReading {
  const meter = new ThreadCpuMeter();
  return () => meter.elapsedUs();
}
