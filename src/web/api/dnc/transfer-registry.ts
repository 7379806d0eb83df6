import { randomBytes } from "node:crypto";
import type { TransferProgress } from "../../../dnc/engine/progress.ts";
import type { Transfer, TransferOutcome } from "../../../dnc/engine/transfer.ts";

/** A transfer's states as the page shows them (texts: `dnc.state.<state>` in texts.ts). */
export const TRANSFER_STATES = ["queued", "sending", "paused", "done", "failed", "cancelled"] as const;
export type TransferState = (typeof TRANSFER_STATES)[number];

const ENDED: ReadonlySet<TransferState> = new Set(["done", "failed", "cancelled"]);

export function isEnded(state: TransferState): boolean {
  return ENDED.has(state);
}

/** `GET /api/dnc/transfers/:id`, and each `progress` message of its event stream. */
export type TransferView = {
  id: string;
  machine: string;
  fileName: string;
  mode: "send" | "drip";
  state: TransferState;
  /** Bytes and lines on the wire, leader and trailer included. */
  bytesSent: number;
  bytesTotal: number;
  linesSent: number;
  linesTotal: number;
  /** Characters a second over the last few seconds. */
  rate: number;
  /** The machine said XOFF (its buffer is full, or the operator stopped the reader). */
  pausedByMachine: boolean;
  error?: string;
  /** DncError code (errors.ts DNC_ERROR_CODES): the page shows a translated headline for it. */
  errorCode?: string;
  /** A drip-feed that stopped: the first line to resume from. */
  resumeFromLine?: number;
  startedAt: number;
  endedAt?: number;
};

type Listener = (view: TransferView) => void;

type Entry = {
  view: TransferView;
  owner: string;
  handle: Pick<Transfer, "cancel">;
  listeners: Set<Listener>;
};

/**
 * The transfers started from the browser, by a random id (not the engine's
 * counter: ids in URLs should not be guessable or count anyone's uploads).
 * Follows each engine Transfer's progress and outcome and tells listeners
 * (the event streams). Ended transfers stay readable for a while; the
 * library's audit keeps them for good.
 */
export class WebTransfers {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  readonly #keepEndedMs: number;
  readonly #maxEnded: number;

  constructor(options: { now: () => number; keepEndedMs: number; maxEnded: number }) {
    this.#now = options.now;
    this.#keepEndedMs = options.keepEndedMs;
    this.#maxEnded = options.maxEnded;
  }

  /** Follow an engine transfer that has just been started. */
  track(
    handle: Transfer,
    meta: {
      machine: string;
      fileName: string;
      mode: "send" | "drip";
      owner: string;
      bytesTotal: number;
      linesTotal: number;
    },
  ): TransferView {
    this.#prune();
    const view: TransferView = {
      id: `x-${randomBytes(12).toString("base64url")}`,
      machine: meta.machine,
      fileName: meta.fileName,
      mode: meta.mode,
      state: "queued",
      bytesSent: 0,
      bytesTotal: meta.bytesTotal,
      linesSent: 0,
      linesTotal: meta.linesTotal,
      rate: 0,
      pausedByMachine: false,
      startedAt: this.#now(),
    };
    const entry: Entry = { view, owner: meta.owner, handle, listeners: new Set() };
    this.#entries.set(view.id, entry);
    handle.on("progress", (p) => this.#progress(entry, p));
    void handle.done.then((outcome) => this.#end(entry, outcome));
    return { ...view };
  }

  get(id: string): { view: TransferView; owner: string } | undefined {
    const entry = this.#entries.get(id);
    return entry && { view: { ...entry.view }, owner: entry.owner };
  }

  /** Transfers still running, oldest first; only `owner`'s when given. */
  running(owner?: string): TransferView[] {
    return [...this.#entries.values()]
      .filter((e) => !isEnded(e.view.state) && (owner === undefined || e.owner === owner))
      .map((e) => ({ ...e.view }));
  }

  /** Ask the engine to stop; the state becomes "cancelled" when it has. False if it had already ended. */
  cancel(id: string): boolean {
    const entry = this.#entries.get(id);
    if (entry === undefined || isEnded(entry.view.state)) return false;
    entry.handle.cancel();
    return true;
  }

  /** Every change of one transfer until it ends. Returns unsubscribe. */
  subscribe(id: string, listener: Listener): () => void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return () => {};
    entry.listeners.add(listener);
    return () => entry.listeners.delete(listener);
  }

  #progress(entry: Entry, p: TransferProgress): void {
    if (isEnded(entry.view.state)) return;
    Object.assign(entry.view, {
      state: p.pausedByXoff ? "paused" : "sending",
      bytesSent: p.bytesDone,
      bytesTotal: p.bytesTotal ?? entry.view.bytesTotal,
      linesSent: p.linesDone,
      linesTotal: p.linesTotal ?? entry.view.linesTotal,
      rate: Math.round(p.rate),
      pausedByMachine: p.pausedByXoff,
    } satisfies Partial<TransferView>);
    this.#tell(entry);
  }

  #end(entry: Entry, outcome: TransferOutcome): void {
    const { view } = entry;
    view.state = outcome.result === "ok" ? "done" : outcome.result;
    view.pausedByMachine = false;
    view.rate = 0;
    view.endedAt = this.#now();
    if (outcome.result === "ok") {
      view.bytesSent = view.bytesTotal;
      view.linesSent = view.linesTotal;
    }
    if (outcome.error) {
      view.error = outcome.error.message;
      view.errorCode = outcome.error.code;
    }
    if (outcome.resumeFromLine !== undefined) view.resumeFromLine = outcome.resumeFromLine;
    this.#tell(entry);
    entry.listeners.clear();
  }

  #tell(entry: Entry): void {
    for (const listener of entry.listeners) listener({ ...entry.view });
  }

  /** Forget ended transfers past their time, and the oldest beyond the count. */
  #prune(): void {
    const cutoff = this.#now() - this.#keepEndedMs;
    const ended = [...this.#entries.values()].filter((e) => isEnded(e.view.state));
    const excess = ended.length - this.#maxEnded;
    ended.forEach((e, i) => {
      if (i < excess || (e.view.endedAt ?? 0) < cutoff) this.#entries.delete(e.view.id);
    });
  }
}
