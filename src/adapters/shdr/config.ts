import { z } from "zod";
import { backoffSchema, durationMs, hostname, port } from "../../config/fields.ts";
import { isSignalId } from "../../core/signals.ts";

/** A catalogue signal id (spindle.speed, spindle.2.load…) or raw.<name>. */
const signalId = () =>
  z
    .string({ error: "expected a signal id" })
    .refine(
      (s): boolean => isSignalId(s),
      "expected a catalogue signal id (e.g. spindle.speed, spindle.2.load) or raw.<name>",
    );

/**
 * How an SHDR key is to be read: its MTConnect category decides the line form
 * (condition: 5 fields, message: 2, time_series: 3, sample/event: 1).
 */
export const SHDR_KEY_TYPES = ["sample", "event", "condition", "message", "time_series"] as const;
export type ShdrKeyType = (typeof SHDR_KEY_TYPES)[number];

export const shdrKeySchema = z
  .object({
    /** Catalogue signal id, e.g. "spindle.speed", or "raw.<name>". Omit to keep the default mapping. */
    signal: signalId().optional(),
    type: z.enum(SHDR_KEY_TYPES).optional(),
    unit: z.string().optional(),
    /** Multiply numeric values (e.g. 0.001 for µm → mm). */
    scale: z.number().optional(),
    /** Drop this key entirely (it is still counted). */
    ignore: z.boolean().optional(),
  })
  .strict();
export type ShdrKeyConfig = z.infer<typeof shdrKeySchema>;

export const shdrMonitorSchema = z
  .object({
    type: z.literal("shdr"),
    host: hostname(),
    port: port().default(7878),
    /** Heartbeat used until the adapter answers `* PONG <ms>`, which then wins. */
    heartbeatMs: durationMs(250, 600_000).default(10_000),
    /** Per-key overrides of the default key → signal map. Shorthand: `key: signal.id`. */
    keys: z.record(z.string().min(1), z.union([signalId(), shdrKeySchema])).default({}),
    /** An MTConnect Devices.xml to read key types (condition / event / sample) from. */
    devicesXml: z.string().min(1).optional(),
    /** Device name in devicesXml whose DataItem names are the SHDR keys (default: the first device). */
    device: z.string().min(1).optional(),
    reconnect: backoffSchema.default({ initialMs: 500, maxMs: 30_000 }),
    /** Longest accepted line (bytes); the rest of a longer line is discarded up to its LF and counted as an error. */
    maxLineBytes: z
      .int({ error: "expected bytes 1024–67108864" })
      .min(1024, "expected bytes 1024–67108864")
      .max(64 * 1024 * 1024, "expected bytes 1024–67108864")
      .default(1024 * 1024),
    /**
     * Most `|`-separated fields one line may have; a line with more is skipped and counted as an
     * error. What one line costs is what every other machine waits for, so it is bounded.
     */
    maxFieldsPerLine: z
      .int({ error: "expected fields 100–1000000" })
      .min(100, "expected fields 100–1000000")
      .max(1_000_000, "expected fields 100–1000000")
      .default(10_000),
    /**
     * Most distinct keys remembered for this machine. A key first seen after that is dropped
     * (counted on /metrics as maskinport_adapter_dropped_total), so a runaway adapter inventing
     * keys cannot grow memory without end.
     */
    maxKeys: z
      .int({ error: "expected keys 100–1000000" })
      .min(100, "expected keys 100–1000000")
      .max(1_000_000, "expected keys 100–1000000")
      .default(10_000),
  })
  .strict();
export type ShdrMonitorConfig = z.infer<typeof shdrMonitorSchema>;
