import { z } from "zod";
import { backoffSchema, durationMs } from "../../config/fields.ts";
import { isSignalId } from "../../core/signals.ts";

// `monitor: { type: mtconnect, url, device }` on a machine (DESIGN.md). Each
// machine names the agent URL and the device it is; machines that name the same
// agent URL (with the same stream options) share one adapter and one HTTP
// stream (see group.ts), so an agent serving eight devices is read once.

const signalId = z.string().min(1).refine(isSignalId, {
  message: "expected a catalogue signal id (e.g. spindle.speed, spindle.2.load) or raw.<name>",
});

/** Override of the default data item → signal mapping, keyed by data item id or name. */
export const mtconnectDataItemSchema = z
  .object({
    /** Catalogue signal id, e.g. "spindle.speed", or "raw.<name>". Omit to keep the default mapping. */
    signal: signalId.optional(),
    /** Unit label on the readings (replaces the catalogue unit). */
    unit: z.string().optional(),
    /** Multiply numeric values after unit conversion (e.g. 0.001 for µm → mm). */
    scale: z.number().optional(),
    /** Drop this data item (its observations are counted, not emitted). */
    ignore: z.boolean().optional(),
  })
  .strict();
export type MtconnectDataItemConfig = z.infer<typeof mtconnectDataItemSchema>;

/**
 * http(s)://host[:port][/prefix] — the agent's base URL, without query or
 * fragment, and without credentials (the URL appears in logs and metrics).
 */
export const agentUrl = () =>
  z
    .string({ error: "expected an agent URL like http://mill-2.verksted.lan:5000" })
    .regex(
      /^https?:\/\/[^\s/?#@]+(\/[^\s?#]*)?$/,
      "expected an agent URL like http://mill-2.verksted.lan:5000 (http or https, no ?query, no user@)",
    )
    .transform((u) => u.replace(/\/+$/, ""));

export const mtconnectMonitorSchema = z
  .object({
    type: z.literal("mtconnect"),
    url: agentUrl(),
    /** Device name or uuid in the agent's /probe. May be omitted when the agent serves one device. */
    device: z.string().min(1).optional(),
    /** `stream`: one long-lived /sample?interval= request; `poll`: repeated /sample for agents that cannot stream. */
    mode: z.enum(["stream", "poll"]).default("stream"),
    /** `interval` of the streaming /sample request: the agent batches changes for this long. */
    intervalMs: durationMs(0, 60_000).default(100),
    /** `heartbeat` of the streaming request; no part within 2× this → reconnect. */
    heartbeatMs: durationMs(100, 600_000).default(10_000),
    /** `count`: most observations per document. */
    count: z.int().min(1, "expected 1–100000").max(100_000, "expected 1–100000").default(1000),
    /** Pause between /sample requests in poll mode (when the agent had nothing more). */
    pollMs: durationMs(50, 600_000).default(1000),
    /** Time limit for /probe and /current (and each poll). */
    timeoutMs: durationMs(500, 600_000).default(10_000),
    /** Largest document (or multipart part) accepted; a bigger one is an error, not an out-of-memory. */
    maxDocumentBytes: z
      .int()
      .min(65_536, "expected 65536–1073741824 bytes")
      .max(1_073_741_824, "expected 65536–1073741824 bytes")
      .default(64 * 1024 * 1024),
    /**
     * Most readings one document may become (a TimeSeries observation becomes one per sample).
     * maxDocumentBytes bounds the bytes, this bounds what they expand to: a bigger document is
     * an error naming the agent, not an out-of-memory. 50,000 readings take ≈ 50 ms to convert
     * on a small PC: the time every other machine waits for this document.
     */
    maxReadingsPerDocument: z
      .int()
      .min(1000, "expected 1000–10000000 readings")
      .max(10_000_000, "expected 1000–10000000 readings")
      .default(50_000),
    /** Most characters of observation values held for one document (the rest of the same bound). */
    maxValueBytesPerDocument: z
      .int()
      .min(65_536, "expected 65536–1073741824 bytes")
      .max(1_073_741_824, "expected 65536–1073741824 bytes")
      .default(16 * 1024 * 1024),
    /**
     * Disconnected for longer than this → availability and every signal of the
     * machine become null (offline). A quick reconnect (agent restart) stays invisible.
     */
    offlineAfterMs: durationMs(0, 600_000).default(5_000),
    /** Per data item (id or name) overrides. Shorthand: `dataItemId: signal.id`. */
    dataItems: z.record(z.string(), z.union([signalId, mtconnectDataItemSchema])).default({}),
    /** Data items with no catalogue signal: `raw` emits them as raw.<name>, `ignore` drops them. */
    unmapped: z.enum(["raw", "ignore"]).default("raw"),
    reconnect: backoffSchema.default({ initialMs: 500, maxMs: 30_000 }),
  })
  .strict();
export type MtconnectMonitorConfig = z.infer<typeof mtconnectMonitorSchema>;
export type MtconnectMonitorInput = z.input<typeof mtconnectMonitorSchema>;

/** Options that belong to the agent connection (shared by every machine behind one URL). */
export const AGENT_OPTION_KEYS = [
  "url",
  "mode",
  "intervalMs",
  "heartbeatMs",
  "count",
  "pollMs",
  "timeoutMs",
  "maxDocumentBytes",
  "maxReadingsPerDocument",
  "maxValueBytesPerDocument",
  "offlineAfterMs",
  "reconnect",
] as const;
