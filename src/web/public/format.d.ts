// Types for the browser module format.js, so server-side tests can import it.
import type { Translate } from "./i18n.js";
export function formatDuration(ms: number, t: Translate): string;
export function createTimeFormatter(
  language: string,
  timeZone: string,
): { clock(ts: number): string; since(ts: number, now: number): string };
export function createNumberFormatter(language: string): (value: unknown) => string;
