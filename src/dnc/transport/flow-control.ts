import { DncError } from "../errors.ts";
import type { DncPort } from "./port.ts";

export const DC1_XON = 0x11;
export const DC3_XOFF = 0x13;

/**
 * Pacing, and the bound on what follows an XOFF.
 *
 * We keep an estimate of how many bytes have been handed to the OS but are not
 * yet on the wire: it drains at `paceFactor` × the line's character rate, and
 * a write counts from when it *completed*, so a write the OS took late is not
 * followed by a burst. We write (at least `chunkBytes` at a time) only to top
 * that estimate up to `aheadBytes`, and check for XOFF before every write. So
 * when the machine sends XOFF it can still receive what was queued (at most
 * aheadBytes) plus one write that raced its XOFF, plus whatever the line
 * carries while the XOFF reaches us and the OS hands it over:
 *
 *   bound = aheadBytes + chunkBytes + line rate × reaction time
 *         = 16 (+≈1) at 9600 baud, 48 (+≈12) at 115200 8N1 with the defaults
 *           (reaction ≈ 1 ms on an idle machine).
 *
 * After the XOFF has reached us nothing more is written. The ahead margin
 * must cover a timer tick plus a write's latency (≈ 2 ms) or the line idles
 * between writes: that is why it grows with the rate, and why a heavily
 * loaded PC loses some throughput rather than overrunning the control.
 */
export type Pacing = { chunkBytes: number; aheadBytes: number };

export function defaultPacing(charsPerSecond: number): Pacing {
  const chunkBytes = Math.max(4, Math.ceil(charsPerSecond * 0.001));
  return { chunkBytes, aheadBytes: chunkBytes + Math.max(8, Math.ceil(charsPerSecond * 0.002)) };
}

/** Characters a machine can receive after its XOFF by the pacing rule, reaction time not included. */
export function xoffBound(pacing: Pacing): number {
  return pacing.aheadBytes + pacing.chunkBytes;
}

export type PacedSendOptions = {
  /** The line's theoretical character rate (charsPerSecond(line)). */
  charsPerSecond: number;
  /** Fraction of the line rate to pace at (default 0.98). */
  paceFactor?: number;
  /** Override the pacing (default: defaultPacing of the rate). */
  pacing?: Pacing;
  /** Fail with no-response if XOFF holds the line longer than this (0: wait for ever, as in drip-feed feed hold). */
  xoffTimeoutMs?: number;
  /** Do not start before the machine's DC1 (reader on). */
  startOnXon?: boolean;
  startTimeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (sentBytes: number) => void;
  onPause?: (pausedByXoff: boolean) => void;
};

export type PacedSendStats = { bytes: number; xoffCount: number; pausedMs: number; durationMs: number };

type Waiter = { resolve: () => void; timer?: NodeJS.Timeout };

/**
 * Send `bytes` over `port`, paced to the line and obeying XON/XOFF in user
 * space when the port's flow control is xonxoff (with rtscts the UART or the
 * device server stops the line; pacing still keeps the queue short).
 * Rejects with a DncError: cancelled, cable-pulled, no-response, framing-mismatch.
 */
export async function sendPaced(
  port: DncPort,
  bytes: Buffer,
  opts: PacedSendOptions,
): Promise<PacedSendStats> {
  const rate = opts.charsPerSecond * (opts.paceFactor ?? 0.98);
  const { chunkBytes, aheadBytes } = opts.pacing ?? defaultPacing(opts.charsPerSecond);
  const xonxoff = port.flowControl === "xonxoff";
  const started = performance.now();
  let paused = false;
  let xonSeen = false;
  let xoffCount = 0;
  let pausedMs = 0;
  let failure: DncError | undefined;
  let waiter: Waiter | undefined;
  const recentRaw: number[] = [];

  const wake = () => {
    const w = waiter;
    waiter = undefined;
    if (w) {
      clearTimeout(w.timer);
      w.resolve();
    }
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      waiter = {
        resolve,
        timer: ms === Number.POSITIVE_INFINITY ? undefined : setTimeout(wake, Math.max(0, ms)),
      };
    });
  const setPaused = (value: boolean) => {
    if (paused === value) return;
    paused = value;
    if (value) xoffCount++;
    opts.onPause?.(value);
  };

  const offData = port.onData((chunkIn) => {
    for (const b of chunkIn.raw) if (recentRaw.push(b) > 256) recentRaw.shift();
    for (let i = 0; i < chunkIn.chars.length; i++) {
      const c = chunkIn.chars[i]!;
      if (xonxoff && c === DC3_XOFF) setPaused(true);
      else if (xonxoff && c === DC1_XON) {
        xonSeen = true;
        setPaused(false);
      } else if ((c & 0x7f) === DC3_XOFF || (c & 0x7f) === DC1_XON) {
        // A flow-control character with the 8th bit set: the machine frames differently
        // (7E2 parity bit read by an 8N1 port). Stop first — it may well mean XOFF.
        if ((c & 0x7f) === DC3_XOFF) setPaused(true);
        failure ??= framingError(port, Buffer.from(recentRaw));
      }
    }
    if (chunkIn.parityErrors + chunkIn.framingErrors > 0)
      failure ??= framingError(port, Buffer.from(recentRaw));
    wake();
  });
  const offClose = port.onClose((err) => {
    failure ??= err ?? new DncError("cable-pulled", `${port.description} was closed during the transfer`);
    wake();
  });
  const onAbort = () => {
    failure ??= new DncError("cancelled", "transfer cancelled");
    wake();
  };
  opts.signal?.addEventListener("abort", onAbort);
  if (opts.signal?.aborted) onAbort();

  try {
    if (opts.startOnXon && xonxoff) {
      const deadline = performance.now() + (opts.startTimeoutMs ?? 60_000);
      while (!xonSeen && !failure) {
        const left = deadline - performance.now();
        if (left <= 0) {
          throw new DncError(
            "no-response",
            `the machine did not ask for the program (no DC1 within ${Math.round((opts.startTimeoutMs ?? 60_000) / 1000)} s): ` +
              "put the control in READ / input mode and start again",
          );
        }
        await sleep(left);
      }
    }

    let sent = 0;
    let queued = 0;
    let drainedAt = performance.now();
    const drain = () => {
      const now = performance.now();
      queued = Math.max(0, queued - ((now - drainedAt) * rate) / 1000);
      drainedAt = now;
    };
    while (sent < bytes.length) {
      if (failure) throw failure;
      if (paused) {
        const since = performance.now();
        const timeout = opts.xoffTimeoutMs ?? 0;
        while (paused && !failure) {
          const left = timeout > 0 ? since + timeout - performance.now() : Number.POSITIVE_INFINITY;
          if (left <= 0) {
            throw new DncError(
              "no-response",
              `the machine has held the line with XOFF for ${Math.round(timeout / 1000)} s: ` +
                "check the control (alarm, memory full, mode) and the cable",
            );
          }
          await sleep(left);
        }
        pausedMs += performance.now() - since;
        continue;
      }
      drain();
      // Top the queue up to aheadBytes, but not in dribbles of less than a chunk.
      const room = Math.floor(aheadBytes - queued);
      const minimum = Math.min(chunkBytes, bytes.length - sent);
      if (room < minimum) {
        await sleep(((minimum - room) * 1000) / rate);
        continue;
      }
      const n = Math.min(room, bytes.length - sent);
      await port.write(bytes.subarray(sent, sent + n));
      drain();
      queued += n;
      sent += n;
      opts.onProgress?.(sent);
    }
    if (failure) throw failure;
    return { bytes: sent, xoffCount, pausedMs, durationMs: performance.now() - started };
  } finally {
    offData();
    offClose();
    opts.signal?.removeEventListener("abort", onAbort);
    wake();
  }
}

function framingError(port: DncPort, raw: Buffer): DncError {
  const why =
    port.diagnose(raw) ??
    `received flow-control characters that do not fit ${port.description}: the machine's data bits or parity differ from the port's`;
  return new DncError("framing-mismatch", why);
}
