// Types for the browser module shift.js, so server-side tests can import it.
export function zonedInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  timeZone: string,
): number;
export function currentShiftStart(now: number, timeZone: string, starts: readonly string[]): number;
