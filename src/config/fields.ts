import { z } from "zod";

// Reusable config field schemas whose messages read well to a technician.
// The formatter (errors.ts) appends ", got <value>" to every message.

export const port = () =>
  z.int({ error: "expected integer 1–65535" }).min(1).max(65535, "expected integer 1–65535");

export const hostname = () =>
  z
    .string({ error: "expected a host name or IP address" })
    .min(1, "expected a host name or IP address")
    .regex(/^[A-Za-z0-9.\-:[\]]+$/, "expected a host name or IP address (letters, digits, '.', '-', ':')");

/** Ids appear in MQTT topics and stored tags: lowercase, no spaces, no MQTT wildcards. */
export const identifier = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .regex(
      /^[a-z0-9][a-z0-9_-]{0,63}$/,
      `expected ${what}: 1–64 of a–z, 0–9, '-' or '_', starting with a letter or digit`,
    );

/** A local time of day, 24 h, as the site's clocks show it (zone: gateway.timeZone). */
export const timeOfDay = () =>
  z
    .string({ error: 'expected a time of day like "16:30"' })
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day "HH:MM" (24 h), like "16:30"');

export const durationMs = (min: number, max: number) =>
  z
    .int({ error: `expected milliseconds ${min}–${max}` })
    .min(min, `expected milliseconds ${min}–${max}`)
    .max(max, `expected milliseconds ${min}–${max}`);

/** Capped exponential backoff for reconnects (all adapters). */
export const backoffSchema = z
  .object({
    initialMs: durationMs(10, 60_000).default(500),
    maxMs: durationMs(100, 600_000).default(30_000),
  })
  .strict();
export type BackoffConfig = z.infer<typeof backoffSchema>;
