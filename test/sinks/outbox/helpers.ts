// Shared by the outbox tests: a temp folder per test file, a log that keeps
// its lines for assertions, and reading an outbox without acking it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll } from "vitest";
import type { OutboxEntry } from "../../../src/sinks/outbox/outbox-types.ts";

/** A new, not yet existing path under one temp folder per test file (removed after the file). */
export function freshPaths(prefix: string): () => string {
  const root = mkdtempSync(join(tmpdir(), `mp-${prefix}-`));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  return () => join(root, `${prefix}-${++n}`);
}

export type LogLine = { level: number; msg: string; [k: string]: unknown };

/** A debug-level pino logger whose lines are parsed into `lines`. */
export function capturingLog(): { log: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s) as LogLine) });
  return { log, lines };
}

/** Everything an outbox (or one sink's view of the shared log) still holds, in order, without acking it. */
export function drain(
  source: { peek(afterId: number, limit: number): OutboxEntry[] },
  limit = 1000,
): OutboxEntry[] {
  const all: OutboxEntry[] = [];
  let after = 0;
  for (;;) {
    const batch = source.peek(after, limit);
    if (batch.length === 0) return all;
    all.push(...batch);
    after = batch.at(-1)!.id;
  }
}
