import { z } from "zod";
import { backoffSchema, durationMs, hostname, port } from "../../config/fields.ts";

/** How an SHDR key is to be read: its MTConnect category decides the line form. */
export const SHDR_KEY_TYPES = ["sample", "event", "condition", "message"] as const;

export const shdrKeySchema = z
  .object({
    /** Catalogue signal id, e.g. "spindle.speed", or "raw.<name>". Omit to keep the default mapping. */
    signal: z.string().min(1).optional(),
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
    keys: z.record(z.string(), z.union([z.string().min(1), shdrKeySchema])).default({}),
    /** An MTConnect Devices.xml to read key types (condition / event / sample) from. */
    devicesXml: z.string().min(1).optional(),
    /** Device name in devicesXml whose DataItem names are the SHDR keys (default: the first device). */
    device: z.string().min(1).optional(),
    reconnect: backoffSchema.default({ initialMs: 500, maxMs: 30_000 }),
  })
  .strict();
export type ShdrMonitorConfig = z.infer<typeof shdrMonitorSchema>;
