import { z } from "zod";
import type { SignalId } from "./signals.ts";

/**
 * Where a reading came from: a monitor protocol's registered name
 * (src/adapters/registry.ts: "shdr", "mtconnect", "opcua" …), "dnc", or "sim"
 * in tests. Open on purpose: core imports nothing of ours, so a new protocol
 * needs no edit here; the registry keeps the names unique.
 */
export type Protocol = string;
export type Quality = "good" | "uncertain" | "bad";
export type ObservationValue = number | string | boolean | null;

/**
 * One value of one signal of one machine at one time: the contract every
 * adapter, transform and sink shares (DESIGN.md "The observation model").
 * `value: null` means unavailable. `seq` is assigned by the pipeline, so
 * adapters emit `Reading`s (an Observation without seq/session).
 */
export type Observation = {
  machine: string;
  signal: SignalId;
  value: ObservationValue;
  unit?: string;
  ts: number;
  rx: number;
  quality: Quality;
  source: { protocol: Protocol; ref: string };
  seq: number;
  session?: string;
  /** For `alarm` readings only: the condition detail (see AlarmDetail). */
  alarm?: AlarmDetail;
};

/** What an adapter emits; the pipeline adds seq and session. */
export type Reading = Omit<Observation, "seq" | "session">;

export type AlarmLevel = "normal" | "warning" | "fault" | "unavailable";

/**
 * A condition report. MTConnect conditions are per data item and, within one
 * item, per nativeCode; `normal` with no nativeCode clears every code of the
 * item. `key` identifies the condition data item (e.g. "system").
 */
export type AlarmDetail = {
  key: string;
  level: AlarmLevel;
  nativeCode: string;
  nativeSeverity?: string;
  qualifier?: string;
  text: string;
};

const quality = z.enum(["good", "uncertain", "bad"]);
const protocol = z.string().regex(/^[a-z][a-z0-9-]*$/, "expected a protocol name like shdr or opcua");

export const alarmDetailSchema = z.object({
  key: z.string(),
  level: z.enum(["normal", "warning", "fault", "unavailable"]),
  nativeCode: z.string(),
  nativeSeverity: z.string().optional(),
  qualifier: z.string().optional(),
  text: z.string(),
});

/** For observations that cross a process boundary (MQTT consumers, replay files). */
export const observationSchema = z.object({
  v: z.literal(1).optional(),
  machine: z.string().min(1),
  signal: z.string().min(1),
  value: z.union([z.number(), z.string(), z.boolean(), z.null()]),
  unit: z.string().optional(),
  ts: z.number(),
  rx: z.number(),
  quality,
  source: z.object({ protocol, ref: z.string() }),
  seq: z.number().int().nonnegative(),
  session: z.string().optional(),
  alarm: alarmDetailSchema.optional(),
});
