import type { TransferProgress } from "../engine/progress.ts";

/**
 * Progress for a terminal (one line redrawn in place) or for a log/pipe
 * (a plain line every few seconds and on every XOFF/XON change).
 */
export class ProgressDisplay {
  private readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  private readonly tty: boolean;
  private lastPlain = Number.NEGATIVE_INFINITY;
  private lastPaused = false;
  private drawn = false;

  constructor(out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }) {
    this.out = out;
    this.tty = out.isTTY === true;
  }

  update(p: TransferProgress): void {
    if (this.tty) {
      this.out.write(`\r${renderBar(p, Math.min(this.out.columns ?? 80, 100))}\u001b[K`);
      this.drawn = true;
      return;
    }
    const now = performance.now();
    if (now - this.lastPlain < 2000 && p.pausedByXoff === this.lastPaused) return;
    this.lastPlain = now;
    this.lastPaused = p.pausedByXoff;
    this.out.write(`${renderPlain(p)}\n`);
  }

  /** End the bar's line (terminal) so the next message starts on its own line. */
  done(): void {
    if (this.tty && this.drawn) this.out.write("\n");
    this.drawn = false;
  }
}

const VERB = { send: "sent", drip: "drip-fed", receive: "received" } as const;

export function renderPlain(p: TransferProgress): string {
  const total = p.bytesTotal !== undefined ? `/${p.bytesTotal}` : "";
  const pct = p.bytesTotal ? ` (${Math.floor((100 * p.bytesDone) / p.bytesTotal)} %)` : "";
  const lines =
    p.linesTotal !== undefined ? `, line ${p.linesDone}/${p.linesTotal}` : `, ${p.linesDone} lines`;
  return `${VERB[p.direction]} ${p.bytesDone}${total} bytes${pct}${lines}, ${Math.round(p.rate)} B/s${eta(p)}${p.pausedByXoff ? ", paused by XOFF" : ""}`;
}

export function renderBar(p: TransferProgress, width: number): string {
  const tail = ` ${p.bytesDone}${p.bytesTotal !== undefined ? `/${p.bytesTotal}` : ""} B ${Math.round(p.rate)} B/s${eta(p)}${p.pausedByXoff ? " XOFF" : ""}`;
  if (p.bytesTotal === undefined || p.bytesTotal === 0) return `${VERB[p.direction]}${tail}`;
  const barWidth = Math.max(10, width - tail.length - 8);
  const frac = Math.min(1, p.bytesDone / p.bytesTotal);
  const filled = Math.round(frac * barWidth);
  return `[${"#".repeat(filled)}${".".repeat(barWidth - filled)}] ${String(Math.floor(frac * 100)).padStart(3)}%${tail}`;
}

function eta(p: TransferProgress): string {
  if (p.etaMs === undefined || !Number.isFinite(p.etaMs)) return "";
  const s = Math.ceil(p.etaMs / 1000);
  return `, ETA ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
