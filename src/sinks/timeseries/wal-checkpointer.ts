import { Worker } from "node:worker_threads";
import type { Logger } from "pino";

// Copying the WAL back into the database file (a "checkpoint") is half of
// SQLite's write work, and with synchronous = NORMAL the only fsync. Left to
// SQLite's automatic checkpoint it runs inside whichever commit crosses the
// threshold, on the gateway's event loop, and stalls it for 100+ ms. So the
// writing connection turns automatic checkpoints off and this worker thread,
// with its own connection, runs a PASSIVE checkpoint every intervalMs.
// PASSIVE never waits for nor blocks the writer: frames committed while it
// runs are simply left for the next round.
//
// The worker's code is a string (eval) so it runs the same under plain Node
// and under test runners that transform .ts files.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { statSync } = require("node:fs");
const { DatabaseSync } = require("node:sqlite");
const db = new DatabaseSync(workerData.path, { timeout: workerData.busyTimeoutMs });
const passive = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
const truncate = db.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
const truncating = new Int32Array(workerData.truncating);
let failed = false;
function walBytes() {
  try {
    return statSync(workerData.path + "-wal").size;
  } catch {
    return 0;
  }
}
function run() {
  try {
    passive.get();
    // SQLite rewinds the WAL only when a commit finds it fully checkpointed.
    // Under sustained writes that moment may never come and the file grows
    // without bound; then TRUNCATE, which needs the writer to pause (the
    // PASSIVE round just copied nearly everything, so briefly) and empties the file.
    if (walBytes() > workerData.maxWalBytes) {
      Atomics.store(truncating, 0, 1); // asks the store's timer to hold its commits meanwhile
      try {
        truncate.get();
      } finally {
        Atomics.store(truncating, 0, 0);
      }
    }
    failed = false;
  } catch (err) {
    // Reported once per failure streak; the next round retries.
    if (!failed) parentPort.postMessage({ error: String(err && err.message || err) });
    failed = true;
  }
}
const timer = setInterval(run, workerData.intervalMs);
parentPort.on("message", (msg) => {
  if (msg !== "stop") return;
  clearInterval(timer);
  run();
  db.close();
  parentPort.close();
});
`;

export type WalCheckpointerOptions = {
  path: string;
  intervalMs: number;
  busyTimeoutMs: number;
  /** Above this WAL file size, force a TRUNCATE checkpoint. */
  maxWalBytes: number;
  log: Logger;
  /** Called if the thread dies before stop(): the owner falls back to automatic checkpoints. */
  onLost: () => void;
};

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  /** [0] = 1 while the worker runs a TRUNCATE checkpoint. */
  private readonly truncatingFlag = new Int32Array(new SharedArrayBuffer(4));
  private stopping = false;

  constructor(opts: WalCheckpointerOptions) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        path: opts.path,
        intervalMs: opts.intervalMs,
        busyTimeoutMs: opts.busyTimeoutMs,
        maxWalBytes: opts.maxWalBytes,
        truncating: this.truncatingFlag.buffer,
      },
    });
    this.worker.unref();
    this.worker.on("message", (msg: { error?: string }) => {
      if (msg.error)
        opts.log.warn({ path: opts.path, error: msg.error }, "time-series WAL checkpoint failed; retrying");
    });
    this.exited = new Promise((resolve) => {
      this.worker.once("exit", () => {
        if (!this.stopping) opts.onLost();
        resolve();
      });
      this.worker.once("error", (err) => {
        opts.log.error(
          { path: opts.path, error: err.message },
          "time-series WAL checkpointer stopped; checkpoints run on the main thread again",
        );
      });
    });
  }

  /**
   * True while the worker empties an oversized WAL: timer-driven commits
   * should wait for the next tick instead of queueing behind the checkpoint
   * on SQLite's busy handler, which would block the event loop.
   */
  truncating(): boolean {
    return Atomics.load(this.truncatingFlag, 0) === 1;
  }

  /** Run a last checkpoint, close the worker's connection and wait for the thread to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.worker.ref(); // keep the process alive until the last checkpoint is done
    this.worker.postMessage("stop");
    await this.exited;
  }
}
