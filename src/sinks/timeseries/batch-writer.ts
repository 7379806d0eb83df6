import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { PipelineOutput } from "../../core/contracts.ts";
import type { MachineEvent } from "../../core/events.ts";
import type { Observation } from "../../core/observation.ts";

type SeriesKind = "num" | "text";
type SqlValue = number | string | null;

// Signal rows go to SQLite ROWS_PER_INSERT at a time in one multi-row INSERT:
// binding and stepping one statement per row costs more than the row itself.
// 100 rows × 8 columns stays far below SQLite's 32,766 parameter limit.
const ROWS_PER_INSERT = 100;
const SIGNAL_COLUMNS = 8;
const SIGNAL_INSERT =
  "INSERT OR IGNORE INTO signal (series, ts, seq, value_num, value_text, session, quality, detail) VALUES ";

function signalInsert(rows: number): string {
  return SIGNAL_INSERT + Array.from({ length: rows }, () => "(?, ?, ?, ?, ?, ?, ?, ?)").join(", ");
}
type SeriesInfo = { id: number; kind: SeriesKind | null };

/**
 * Writes buffered pipeline output in one transaction with prepared
 * statements. Keeps two small caches that mirror the database — series ids
 * and each machine's last recorded state — and reloads them after a failed
 * transaction so they never point at rolled-back rows.
 */
export class BatchWriter {
  private readonly db: DatabaseSync;
  private readonly series = new Map<string, Map<string, SeriesInfo>>();
  private readonly lastState = new Map<string, string>();
  /** Parameters of the signal rows not yet inserted; reused between flushes. */
  private readonly pending: SqlValue[] = new Array(ROWS_PER_INSERT * SIGNAL_COLUMNS);
  private pendingLength = 0;
  private readonly stmt: {
    insertSignal: StatementSync;
    insertSignals: StatementSync;
    insertSeries: StatementSync;
    setKind: StatementSync;
    insertState: StatementSync;
    insertCycle: StatementSync;
    insertAlarm: StatementSync;
    clearAlarm: StatementSync;
    insertEvent: StatementSync;
    setLastSeq: StatementSync;
  };

  constructor(db: DatabaseSync) {
    this.db = db;
    this.stmt = {
      insertSignal: db.prepare(signalInsert(1)),
      insertSignals: db.prepare(signalInsert(ROWS_PER_INSERT)),
      insertSeries: db.prepare("INSERT INTO series (machine, signal, kind, unit) VALUES (?, ?, ?, ?)"),
      setKind: db.prepare("UPDATE series SET kind = ? WHERE id = ?"),
      insertState: db.prepare("INSERT INTO state (machine, ts, state) VALUES (?, ?, ?)"),
      insertCycle: db.prepare(
        "INSERT INTO cycle (machine, start_ts, end_ts, duration_ms, program, parts_made, outcome, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      insertAlarm: db.prepare(
        "INSERT INTO alarm (machine, alarm_key, native_code, severity, native_severity, text, raised_ts, cleared_ts, duration_ms, session) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ),
      clearAlarm: db.prepare(
        "UPDATE alarm SET cleared_ts = ?, duration_ms = ? WHERE machine = ? AND alarm_key = ? AND native_code = ? AND cleared_ts IS NULL",
      ),
      insertEvent: db.prepare("INSERT INTO event (machine, ts, type, session, body) VALUES (?, ?, ?, ?, ?)"),
      setLastSeq: db.prepare(
        "INSERT INTO meta (key, value) VALUES ('last_seq', ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)",
      ),
    };
    this.reloadCaches();
  }

  /** Highest observation seq ever committed (0 for a new file). */
  lastSeq(): number {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").get() as
      | { value: number }
      | undefined;
    return row?.value ?? 0;
  }

  /** Write everything in `outs`, in order, as one transaction. Returns the number of signal rows. */
  write(outs: readonly PipelineOutput[]): number {
    let rows = 0;
    let maxSeq = -1;
    this.pendingLength = 0;
    this.db.exec("BEGIN");
    try {
      for (const out of outs) {
        for (const o of out.observations) {
          this.insertObservation(o);
          if (o.seq > maxSeq) maxSeq = o.seq;
        }
        rows += out.observations.length;
        for (const event of out.events) this.insertEvent(event);
        for (const snapshot of out.snapshots)
          this.recordState(snapshot.machine, snapshot.since, snapshot.state);
      }
      this.insertPendingSignals();
      if (maxSeq >= 0) this.stmt.setLastSeq.run(maxSeq);
      this.db.exec("COMMIT");
    } catch (err) {
      try {
        this.db.exec("ROLLBACK");
      } finally {
        this.reloadCaches();
      }
      throw err;
    }
    return rows;
  }

  private insertObservation(o: Observation): void {
    const info = this.seriesFor(o);
    const v = o.value;
    let num: number | null = null;
    let text: string | null = null;
    if (typeof v === "number") num = Number.isFinite(v) ? v : null;
    else if (typeof v === "string") text = v;
    else if (typeof v === "boolean") num = v ? 1 : 0;
    if (info.kind === null && v !== null) {
      info.kind = text === null ? "num" : "text";
      this.stmt.setKind.run(info.kind, info.id);
    }
    const p = this.pending;
    let i = this.pendingLength;
    p[i++] = info.id;
    p[i++] = o.ts;
    p[i++] = o.seq;
    p[i++] = num;
    p[i++] = text;
    p[i++] = o.session ?? null;
    p[i++] = o.quality === "good" ? null : o.quality;
    p[i++] = o.alarm ? JSON.stringify(o.alarm) : null;
    this.pendingLength = i;
    if (i === p.length) {
      this.stmt.insertSignals.run(...p);
      this.pendingLength = 0;
    }
  }

  /** The rest that did not fill a multi-row INSERT, one row per statement. */
  private insertPendingSignals(): void {
    const p = this.pending;
    for (let i = 0; i < this.pendingLength; i += SIGNAL_COLUMNS) {
      this.stmt.insertSignal.run(...p.slice(i, i + SIGNAL_COLUMNS));
    }
    this.pendingLength = 0;
  }

  private seriesFor(o: Observation): SeriesInfo {
    let perMachine = this.series.get(o.machine);
    if (!perMachine) {
      perMachine = new Map();
      this.series.set(o.machine, perMachine);
    }
    let info = perMachine.get(o.signal);
    if (!info) {
      const kind: SeriesKind | null = o.value === null ? null : typeof o.value === "string" ? "text" : "num";
      const result = this.stmt.insertSeries.run(o.machine, o.signal, kind, o.unit ?? null);
      info = { id: Number(result.lastInsertRowid), kind };
      perMachine.set(o.signal, info);
    }
    return info;
  }

  private recordState(machine: string, ts: number, state: string): void {
    if (this.lastState.get(machine) === state) return;
    this.lastState.set(machine, state);
    this.stmt.insertState.run(machine, ts, state);
  }

  private insertEvent(e: MachineEvent): void {
    const session = e.session ?? null;
    this.stmt.insertEvent.run(e.machine, e.ts, e.type, session, JSON.stringify(e));
    switch (e.type) {
      case "state.change":
        this.recordState(e.machine, e.ts, e.to);
        break;
      case "cycle.end":
        this.stmt.insertCycle.run(
          e.machine,
          e.startedAt,
          e.ts,
          e.durationMs,
          e.program,
          e.partsMade,
          e.outcome,
          session,
        );
        break;
      case "alarm.raise":
        this.stmt.insertAlarm.run(
          e.machine,
          e.key,
          e.nativeCode,
          e.severity,
          e.nativeSeverity ?? null,
          e.text,
          e.ts,
          null,
          null,
          session,
        );
        break;
      case "alarm.clear": {
        const result = this.stmt.clearAlarm.run(e.ts, e.durationMs, e.machine, e.key, e.nativeCode);
        // Raised before this database existed (or before a restart lost it): keep the clear anyway.
        if (Number(result.changes) === 0) {
          this.stmt.insertAlarm.run(
            e.machine,
            e.key,
            e.nativeCode,
            null,
            null,
            e.text,
            e.raisedAt,
            e.ts,
            e.durationMs,
            session,
          );
        }
        break;
      }
    }
  }

  private reloadCaches(): void {
    this.series.clear();
    const rows = this.db.prepare("SELECT id, machine, signal, kind FROM series").all() as {
      id: number;
      machine: string;
      signal: string;
      kind: SeriesKind | null;
    }[];
    for (const r of rows) {
      let perMachine = this.series.get(r.machine);
      if (!perMachine) {
        perMachine = new Map();
        this.series.set(r.machine, perMachine);
      }
      perMachine.set(r.signal, { id: r.id, kind: r.kind });
    }
    this.lastState.clear();
    // SQLite returns the bare column `state` from the row holding max(rowid).
    const states = this.db.prepare("SELECT machine, state, max(rowid) FROM state GROUP BY machine").all() as {
      machine: string;
      state: string;
    }[];
    for (const s of states) this.lastState.set(s.machine, s.state);
  }
}
