// What the latency run's main thread (latency.ts) and its worker
// (latency-world.ts) say to each other, and the bench key they share.

/** The SHDR key whose value is the send stamp; the adapter maps it to this raw signal. */
export const STAMP_KEY = "bench_sent";
export const STAMP_SIGNAL = `raw.${STAMP_KEY}`;
/** Observations per line: Sspeed, Sload, Xact and the stamp. */
export const OBS_PER_LINE = 4;

export type WorldRequest =
  | { cmd: "listen"; machines: number }
  | { cmd: "subscribe"; url: string; topic: string; qos: 0 | 1 }
  /** Bare mqtt.js in the worker publishing the same stamped messages, for the "no gateway" floor. */
  | { cmd: "publisher"; url: string; prefix: string; qos: 0 | 1 }
  /** Pace through the SHDR machines (to the gateway) or straight to the broker (the floor). */
  | { cmd: "run"; via: "shdr" | "mqtt"; obsPerSecond: number; warmupMs: number; measureMs: number }
  | { cmd: "close" };

export type WorldReply =
  | { ok: "listening"; ports: number[] }
  | { ok: "subscribed" }
  | { ok: "publisher" }
  | {
      ok: "ran";
      /** ms from line written to MQTT message received, one per stamped line of the measured part. */
      latencies: number[];
      /** Observations received per second while measuring. */
      deliveredPerSecond: number;
      /** Observations written per second while measuring. */
      sentPerSecond: number;
      /** Stamped lines written while measuring whose message never came (after a 500 ms grace). */
      missingStamps: number;
      unreadableStamps: number;
    }
  | { ok: "closed" }
  | { error: string };
