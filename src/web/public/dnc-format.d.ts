// Types for the browser module dnc-format.js, so server-side tests can import it.
import type { Translate } from "./i18n.js";
export type ProgressLike = {
  state: string;
  bytesSent: number;
  bytesTotal: number;
  linesSent: number;
  linesTotal: number;
  rate: number;
};
export function progressTexts(
  view: ProgressLike,
  t: Translate,
  number: (value: unknown) => string,
): { value: number; max: number; percent: number; summary: string; state: string };
export function problemPlace(problem: { line: number; column?: number }, t: Translate): string;
export function codeHeadline(prefix: string, code: string | undefined, t: Translate): string | undefined;
export function safeFileName(name: string): string;
export function lineRange(text: string, line: number): { start: number; end: number };
export function lineText(text: string, line: number): string;
