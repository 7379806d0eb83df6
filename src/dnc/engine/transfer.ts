import { EventEmitter } from "node:events";
import type { DncError } from "../errors.ts";
import type { TransferProgress } from "./progress.ts";

export type TransferDirection = "send" | "receive" | "drip";

export type TransferOutcome<T = undefined> = {
  result: "ok" | "failed" | "cancelled";
  error?: DncError;
  direction: TransferDirection;
  file: string;
  /** sha256 of the program (sent or received). */
  checksum: string;
  bytes: number;
  durationMs: number;
  /** Drip-feed that failed: where to resume. */
  resumeFromLine?: number;
  value?: T;
};

let counter = 0;

/**
 * One running transfer: progress events for a progress bar, cancel(), and
 * `done`, which never rejects — failures are part of the outcome, as they
 * are part of the audit.
 */
export class Transfer<T = undefined> extends EventEmitter<{ progress: [TransferProgress] }> {
  readonly id = `t${++counter}`;
  readonly direction: TransferDirection;
  readonly done: Promise<TransferOutcome<T>>;
  private readonly controller = new AbortController();
  last: TransferProgress | undefined;

  constructor(
    direction: TransferDirection,
    run: (signal: AbortSignal, transfer: Transfer<T>) => Promise<TransferOutcome<T>>,
  ) {
    super();
    this.direction = direction;
    // Start on the next tick so that callers can attach listeners first.
    this.done = new Promise<void>((r) => setImmediate(r)).then(() => run(this.controller.signal, this));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  progress(p: TransferProgress): void {
    this.last = p;
    this.emit("progress", p);
  }

  cancel(): void {
    this.controller.abort();
  }
}
