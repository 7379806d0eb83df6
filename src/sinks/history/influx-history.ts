import { type InfluxDB, escape as influxQl } from "influx";
import type { CycleOutcome } from "../../core/events.ts";
import { createInfluxClient, type InfluxConnection } from "../influx/client.ts";
import {
  type AlarmRecord,
  type CycleRecord,
  checkMaxPoints,
  checkWindow,
  type FleetWindow,
  HISTORY_DEFAULT_LIMIT,
  type HistoryStore,
  type MachineWindow,
  type RangePoint,
  type RangeQuery,
  type StateSegment,
  stateSegments,
  type TransferRecord,
} from "./history.ts";

// The history questions in InfluxQL, over the schema the InfluxSink writes
// (src/sinks/influx/README.md). Answers match the embedded store's exactly;
// the contract suite in test/sinks/history/ runs against both.

type Row = Record<string, unknown> & { time: number };
type RawResult = {
  results?: { error?: string; series?: { columns: string[]; values: unknown[][] }[] }[];
};

const lit = (s: string) => influxQl.stringLit(s);
const num = (v: unknown): number | null => (typeof v === "number" ? v : null);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

export class InfluxHistory implements HistoryStore {
  readonly kind = "influx";
  private readonly client: InfluxDB;
  private readonly database: string;
  private readonly retentionPolicy: string | undefined;

  constructor(connection: InfluxConnection) {
    this.client = createInfluxClient(connection);
    this.database = connection.database;
    this.retentionPolicy = connection.retentionPolicy;
  }

  async range(q: RangeQuery): Promise<RangePoint[]> {
    checkWindow(q, "range");
    checkMaxPoints(q.maxPoints);
    const where = `"machine" = ${lit(q.machine)} AND "signal" = ${lit(q.signal)} AND ${this.window(q)}`;
    const [counts] = await this.select(
      `SELECT count(seq) AS n, count(value) AS nv, count(text) AS nt FROM ${this.from("signal")} WHERE ${where}`,
    );
    const n = num(counts?.n) ?? 0;
    if (n === 0) return [];
    // Like the embedded store: a series' kind follows its values (text when it holds only strings).
    const text = (num(counts?.nt) ?? 0) > 0 && (num(counts?.nv) ?? 0) === 0;
    if (n <= q.maxPoints) {
      const rows = await this.select(`SELECT value, text, seq FROM ${this.from("signal")} WHERE ${where}`);
      return rows.map((r) => ({ ts: r.time, value: text ? (str(r.text) ?? num(r.value)) : num(r.value) }));
    }
    // Equal buckets from `from`: InfluxQL aligns GROUP BY time() to the epoch plus an offset.
    const width = Math.max(1, Math.ceil((q.to - q.from) / q.maxPoints));
    const group = `GROUP BY time(${width}ms, ${q.from % width}ms) fill(none)`;
    const bucketStart = (t: number) => q.from + Math.floor((t - q.from) / width) * width;
    if (text) {
      const rows = await this.select(
        `SELECT last(text) AS v, count(seq) AS n FROM ${this.from("signal")} WHERE ${where} ${group}`,
      );
      return rows
        .filter((r) => (num(r.n) ?? 0) > 0)
        .map((r) => ({ ts: bucketStart(r.time), value: str(r.v) }));
    }
    const rows = await this.select(
      `SELECT mean(value) AS avg, min(value) AS lo, max(value) AS hi, count(seq) AS n FROM ${this.from("signal")} WHERE ${where} ${group}`,
    );
    return rows
      .filter((r) => (num(r.n) ?? 0) > 0)
      .map((r) => ({ ts: bucketStart(r.time), value: num(r.avg), min: num(r.lo), max: num(r.hi) }));
  }

  async stateTimeline(q: MachineWindow): Promise<StateSegment[]> {
    checkWindow(q, "stateTimeline");
    const m = `"machine" = ${lit(q.machine)}`;
    const [before] = await this.select(
      `SELECT last(state) AS state FROM ${this.from("state")} WHERE ${m} AND time <= ${q.from}ms`,
    );
    const inside = await this.select(
      `SELECT state FROM ${this.from("state")} WHERE ${m} AND time > ${q.from}ms AND time < ${q.to}ms`,
    );
    const rows = [...(before && str(before.state) ? [before] : []), ...inside].map((r) => ({
      ts: r.time,
      state: String(r.state),
    }));
    return stateSegments(rows, q);
  }

  async cycles(q: FleetWindow): Promise<CycleRecord[]> {
    checkWindow(q, "cycles");
    const byMachine = q.machine === undefined ? "" : ` AND "machine" = ${lit(q.machine)}`;
    const rows = await this.select(
      `SELECT * FROM ${this.from("cycle")} WHERE time >= ${q.from}ms AND "startedAt" < ${q.to}${byMachine}`,
    );
    return rows
      .map(
        (r): CycleRecord => ({
          machine: String(r.machine),
          program: str(r.program),
          startedAt: num(r.startedAt) ?? r.time,
          endedAt: r.time,
          durationMs: num(r.durationMs) ?? 0,
          partsMade: num(r.partsMade) ?? 0,
          outcome: String(r.outcome) as CycleOutcome,
          session: str(r.session),
        }),
      )
      .sort((a, b) => a.startedAt - b.startedAt || a.endedAt - b.endedAt)
      .slice(0, q.limit ?? HISTORY_DEFAULT_LIMIT);
  }

  async alarms(q: FleetWindow): Promise<AlarmRecord[]> {
    checkWindow(q, "alarms");
    const byMachine = q.machine === undefined ? "" : ` AND "machine" = ${lit(q.machine)}`;
    // A point's time is its raise time; cleared ones still need clearedAt ≥ from.
    const rows = await this.select(`SELECT * FROM ${this.from("alarm")} WHERE time < ${q.to}ms${byMachine}`);
    return rows
      .map(
        (r): AlarmRecord => ({
          machine: String(r.machine),
          key: String(r.key),
          nativeCode: String(r.nativeCode),
          severity: (str(r.severity) as AlarmRecord["severity"]) ?? null,
          nativeSeverity: str(r.nativeSeverity),
          text: str(r.text) ?? str(r.clearReason) ?? "", // a clear seen without its raise
          raisedAt: num(r.raisedAt) ?? r.time,
          clearedAt: num(r.clearedAt),
          durationMs: num(r.durationMs),
          session: str(r.session),
        }),
      )
      .filter((a) => a.clearedAt === null || a.clearedAt >= q.from)
      .sort((a, b) => a.raisedAt - b.raisedAt)
      .slice(0, q.limit ?? HISTORY_DEFAULT_LIMIT);
  }

  async transfers(q: FleetWindow): Promise<TransferRecord[]> {
    checkWindow(q, "transfers");
    const byMachine = q.machine === undefined ? "" : ` AND "machine" = ${lit(q.machine)}`;
    const rows = await this.select(
      `SELECT * FROM ${this.from("transfer")} WHERE ${this.window(q)}${byMachine}`,
    );
    return rows.slice(0, q.limit ?? HISTORY_DEFAULT_LIMIT).map(
      (r): TransferRecord => ({
        machine: String(r.machine),
        endedAt: r.time,
        direction: String(r.direction) as TransferRecord["direction"],
        file: str(r.file) ?? "",
        checksum: str(r.checksum) ?? "",
        bytes: num(r.bytes) ?? 0,
        durationMs: num(r.durationMs) ?? 0,
        result: String(r.result) as TransferRecord["result"],
        error: str(r.error),
        session: str(r.session),
      }),
    );
  }

  private window(q: { from: number; to: number }): string {
    return `time >= ${q.from}ms AND time < ${q.to}ms`;
  }

  private from(measurement: string): string {
    const rp = this.retentionPolicy ? `${influxQl.quoted(this.retentionPolicy)}.` : "";
    return `${rp}${influxQl.quoted(measurement)}`;
  }

  /** Rows of one statement with `time` in ms. A missing database or measurement is no rows. */
  private async select(query: string): Promise<Row[]> {
    const raw = (await this.client.queryRaw(query, {
      database: this.database,
      precision: "ms",
    })) as RawResult;
    const result = raw.results?.[0];
    if (result?.error) {
      if (/database not found/.test(result.error)) return [];
      throw new Error(`InfluxDB query failed: ${result.error}`);
    }
    const rows: Row[] = [];
    for (const s of result?.series ?? []) {
      for (const v of s.values) rows.push(Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) as Row);
    }
    return rows.sort((a, b) => a.time - b.time);
  }
}
