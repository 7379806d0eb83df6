import { DncError } from "../errors.ts";
import type { DncProfile } from "../profiles/schema.ts";
import { type ProgramIdentity, programIdentity } from "../program/identity.ts";
import { PunchDecoder, type PunchEnd } from "../program/punch-decoder.ts";
import { splitProgramLines } from "../program/text.ts";
import type { DncPort } from "../transport/port.ts";
import { ProgressMeter, type TransferProgress } from "./progress.ts";

export type ReceiveOptions = {
  port: DncPort;
  profile: DncProfile;
  signal?: AbortSignal;
  onProgress?: (p: TransferProgress) => void;
  /** Override the profile's timeouts. */
  idleTimeoutMs?: number;
  /** 0 = wait for ever (listening for remote requests). */
  startTimeoutMs?: number;
  /**
   * Called once the program itself starts (its first character after any
   * leader). Leader, flow-control characters and line noise do not count:
   * a listener that took them for a transfer would hold the line "busy"
   * while it waited, refusing the next send.
   */
  onStart?: () => void;
};

export type ReceivedProgram = {
  /** Program text with LF ends of block. */
  text: string;
  /** Characters received, leader and control characters included. */
  bytes: number;
  lines: number;
  endedBy: PunchEnd | "idle";
  /** False when a %-framed program ended by timeout without its closing %. */
  complete: boolean;
  identity: ProgramIdentity;
  durationMs: number;
};

/** Characters needed before we judge the framing. */
const DIAGNOSE_AFTER = 16;

/**
 * Receive what the machine punches, until the closing `%`, an end byte (EOT)
 * or the line goes idle. Checks the framing of what arrives and fails with
 * framing-mismatch (naming the wrong setting) rather than saving garbage.
 */
export function receiveProgram(opts: ReceiveOptions): Promise<ReceivedProgram> {
  const { port, profile } = opts;
  const idleMs = opts.idleTimeoutMs ?? profile.receive.idleTimeoutMs;
  const startMs = opts.startTimeoutMs ?? profile.receive.startTimeoutMs;
  const decoder = new PunchDecoder(profile);
  const meter = new ProgressMeter({ direction: "receive" }, (p) => opts.onProgress?.(p));
  const raw: number[] = [];
  let bytes = 0;
  let started: number | undefined;
  /** Whether onStart was called: once, when the program itself began. */
  let announced = false;
  let diagnosed = false;
  let lineErrors = 0;
  let lastDataAt = performance.now();

  return new Promise<ReceivedProgram>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      offData();
      offClose();
      opts.signal?.removeEventListener("abort", onAbort);
      meter.finish();
    };
    const fail = (err: DncError) => {
      cleanup();
      err.bytesDone = bytes;
      reject(err);
    };
    const done = (endedBy: ReceivedProgram["endedBy"]) => {
      cleanup();
      const text = decoder.result();
      resolve({
        text,
        bytes,
        lines: splitProgramLines(text).length,
        endedBy,
        complete: endedBy !== "idle" || !profile.percentFramed,
        identity: programIdentity(text, profile),
        durationMs: started === undefined ? 0 : performance.now() - started,
      });
    };
    const arm = (ms: number, onTimeout: () => void) => {
      if (timer) clearTimeout(timer);
      timer = ms > 0 ? setTimeout(onTimeout, ms) : undefined;
    };
    const onIdle = () => {
      // Let pending I/O in first: after the process itself stalled (a busy machine), the
      // data may be waiting to be read while our timer already fired.
      setImmediate(() => {
        const quiet = performance.now() - lastDataAt;
        if (quiet < idleMs) return arm(idleMs - quiet, onIdle);
        idleReached();
      });
    };
    const failFraming = (why: string | undefined) =>
      fail(
        new DncError(
          "framing-mismatch",
          why ??
            `${lineErrors} characters with parity/framing errors: the machine's settings differ from ${port.description}`,
        ),
      );
    const idleReached = () => {
      if (lineErrors > 0) return failFraming(port.diagnose(Buffer.from(raw)));
      if (!decoder.hasStarted) {
        // Only leader or noise arrived: keep waiting as if nothing came.
        arm(startMs, onNoStart);
        return;
      }
      done("idle");
    };
    const onNoStart = () =>
      setImmediate(() => {
        if (performance.now() - lastDataAt < startMs)
          return arm(startMs - (performance.now() - lastDataAt), onIdle);
        noStart();
      });
    const noStart = () =>
      fail(
        new DncError(
          "no-response",
          `nothing received from the machine within ${seconds(startMs)}: start the output on the control ` +
            "(EDIT mode → PUNCH / OUTPUT) and check the cable",
        ),
      );

    const offData = port.onData((chunk) => {
      lastDataAt = performance.now();
      if (started === undefined) started = performance.now();
      bytes += chunk.raw.length;
      for (const b of chunk.raw) if (raw.length < 512) raw.push(b);
      lineErrors += chunk.parityErrors + chunk.framingErrors;
      if (!diagnosed && raw.filter((b) => b !== 0).length >= DIAGNOSE_AFTER) {
        diagnosed = true;
        const why = port.diagnose(Buffer.from(raw));
        if (why || lineErrors > 0) return failFraming(why);
      }
      if (lineErrors > 0) {
        // Garbage is not fed to the program; wait for enough characters to say which setting is wrong.
        arm(idleMs, onIdle);
        return;
      }
      decoder.feed(chunk.chars);
      if (!announced && decoder.hasStarted) {
        announced = true;
        opts.onStart?.();
      }
      meter.update(bytes, decoder.lineCount);
      if (decoder.endedBy) return done(decoder.endedBy);
      arm(idleMs, onIdle);
    });
    const offClose = port.onClose((err) =>
      fail(err ?? new DncError("cable-pulled", `${port.description} was closed while receiving`)),
    );
    const onAbort = () => fail(new DncError("cancelled", "receive cancelled"));
    opts.signal?.addEventListener("abort", onAbort);
    if (opts.signal?.aborted) return onAbort();
    arm(startMs, onNoStart);
  });
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
