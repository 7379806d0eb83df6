import { DncError } from "../errors.ts";
import { charsPerSecond, type DncProfile } from "../profiles/schema.ts";
import { buildSendPayload, linesCompleted } from "../program/payload.ts";
import { defaultPacing, type Pacing, sendPaced } from "../transport/flow-control.ts";
import type { DncPort } from "../transport/port.ts";
import { formatValidationMessage, type ValidationReport, validateProgram } from "../validate.ts";
import { ProgressMeter, type TransferProgress } from "./progress.ts";

export type SendOptions = {
  port: DncPort;
  profile: DncProfile;
  /** Program text, byte for byte (latin1). */
  text: string;
  /** For messages: the file name. */
  file?: string;
  /** send: into the control's memory; drip: stream while the machine executes. */
  mode: "send" | "drip";
  /** Drip-feed: resume from this line of the file (1-based). */
  fromLine?: number;
  /** Send even though validation found errors. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
  /** Fail when XOFF holds the line longer (send only; a drip-feed waits through feed holds). */
  xoffTimeoutMs?: number;
  pacing?: Pacing;
  paceFactor?: number;
};

export type SendResult = {
  bytes: number;
  lines: number;
  durationMs: number;
  xoffCount: number;
  pausedMs: number;
  validation: ValidationReport;
};

/**
 * Validate, then send (or drip-feed) a program over an open port, paced to
 * the line with XON/XOFF in user space. Throws DncError: invalid-program
 * (nothing sent), cancelled, cable-pulled, no-response, framing-mismatch.
 * A failed drip-feed carries `resumeFromLine`.
 */
export async function sendProgram(opts: SendOptions): Promise<SendResult> {
  const { profile, mode } = opts;
  const validation = validateProgram(opts.text, profile, { mode });
  if (!validation.ok && !opts.force) {
    const file = opts.file ?? "program";
    const first = validation.messages
      .filter((m) => m.severity === "error")
      .slice(0, 5)
      .map((m) => formatValidationMessage(file, m));
    throw new DncError(
      "invalid-program",
      `${file} is not valid for ${profile.name} (${validation.errors} error${validation.errors === 1 ? "" : "s"}); nothing was sent:\n  ${first.join("\n  ")}`,
    );
  }
  const payload = buildSendPayload(opts.text, profile, { fromLine: opts.fromLine });
  const cps = charsPerSecond(opts.port.line);
  const pacing = opts.pacing ?? defaultPacing(cps);
  const meter = new ProgressMeter(
    { direction: mode, bytesTotal: payload.bytes.length, linesTotal: payload.lines.length },
    (p) => opts.onProgress?.(p),
  );
  let sent = 0;
  try {
    const stats = await sendPaced(opts.port, payload.bytes, {
      charsPerSecond: cps,
      pacing,
      paceFactor: opts.paceFactor,
      xoffTimeoutMs: mode === "drip" ? 0 : (opts.xoffTimeoutMs ?? 60_000),
      startOnXon: profile.waitForXonToStart,
      startTimeoutMs: profile.receive.startTimeoutMs,
      signal: opts.signal,
      onProgress: (bytes) => {
        sent = bytes;
        meter.update(bytes, linesCompleted(payload, bytes));
      },
      onPause: (paused) => meter.setPaused(paused),
    });
    meter.finish();
    return {
      bytes: stats.bytes,
      lines: payload.lines.length,
      durationMs: stats.durationMs,
      xoffCount: stats.xoffCount,
      pausedMs: stats.pausedMs,
      validation,
    };
  } catch (err) {
    meter.finish();
    if (err instanceof DncError) {
      err.bytesDone = sent;
      // What was queued ahead of the wire may be lost with the line: resume from the first
      // line that was not completely written at least aheadBytes before the failure.
      const safe = Math.max(0, sent - pacing.aheadBytes);
      const done = linesCompleted(payload, safe);
      const next = payload.lines[done];
      if (next) err.resumeFromLine = next.source;
    }
    throw err;
  }
}
