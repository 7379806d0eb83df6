// Trainee report render time (issue #14 goal: < 200 ms). A trainee with a
// busy four-week course (20 days × 200 records: cycles, transfers, alarms,
// sessions, marks) in a SQLite ledger shared with 15 other trainees; timed
// as the API would serve it: read the trainee's records, evaluate, build the
// report and render HTML (plus JSON and CSV, printed separately).
//   node_modules/.bin/node bench/evidence/report.ts [--runs N]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadCatalogueFolder } from "../../src/evidence/catalogue/load.ts";
import { SqliteLedgerStore } from "../../src/evidence/ledger/sqlite-store.ts";
import type { EvidenceDraft } from "../../src/evidence/recorder/map-event.ts";
import { renderReportHtml } from "../../src/evidence/reports/html.ts";
import { buildTraineeReport } from "../../src/evidence/reports/model.ts";
import { renderReportCsv, renderReportJson } from "../../src/evidence/reports/tabular.ts";
import { EvidenceService } from "../../src/evidence/service.ts";
import { machineContext } from "../support/machine.ts";
import { percentile } from "../support/stats.ts";

const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;
const TRAINEES = 16;
const DAYS = 20;
const PER_DAY = 200;
const START = Date.UTC(2027, 0, 11, 7);

function day(trainee: number, d: number): EvidenceDraft[] {
  const traineeId = `t${trainee}`;
  const machine = trainee % 2 === 0 ? "lathe-1" : "mill-1";
  const machineKind = trainee % 2 === 0 ? "lathe" : "mill";
  const sessionId = `s-${trainee}-${d}`;
  const t0 = START + d * 86_400_000;
  const out: EvidenceDraft[] = [
    {
      type: "program.transfer",
      traineeId,
      machine,
      sessionId,
      ts: t0 + 60_000,
      payload: {
        machineKind,
        direction: "send",
        file: `O${1000 + d}.NC`,
        checksum: "ab",
        bytes: 4000,
        durationMs: 5000,
        result: "ok",
      },
    },
  ];
  for (let i = 0; i < PER_DAY - 3; i++) {
    out.push({
      type: "cycle.completed",
      traineeId,
      machine,
      sessionId,
      ts: t0 + 120_000 + i * 90_000,
      payload: {
        machineKind,
        program: `O${1000 + d}`,
        startedAt: t0 + i * 90_000,
        durationMs: 80_000,
        parts: 1,
        programSentByTrainee: true,
      },
    });
  }
  out.push({
    type: "alarm.handled",
    traineeId,
    machine,
    sessionId,
    ts: t0 + 3_600_000,
    payload: {
      machineKind,
      code: "EX1",
      key: "k",
      text: "DOOR",
      raisedAt: t0 + 3_500_000,
      durationMs: 100_000,
      withinSession: true,
    },
  });
  out.push({
    type: "session.ended",
    traineeId,
    machine,
    sessionId,
    ts: t0 + 6 * 3_600_000,
    payload: { machineKind, startedAt: t0, durationMs: 6 * 3_600_000 },
  });
  return out;
}

const dir = mkdtempSync(join(tmpdir(), "mp-evidence-report-"));
try {
  console.log(machineContext());
  const catalogue = loadCatalogueFolder(new URL("../../config/competence", import.meta.url).pathname);
  const store = new SqliteLedgerStore(join(dir, "ledger.db"));
  const service = new EvidenceService({ store, catalogue });
  for (let d = 0; d < DAYS; d++) for (let t = 0; t < TRAINEES; t++) await service.record(day(t, d));
  const head = await store.head();
  console.log(
    `ledger: ${head?.seq.toLocaleString("en")} records, ${TRAINEES} trainees, ${(DAYS * PER_DAY).toLocaleString("en")} records for the reported trainee`,
  );

  const times = {
    total: [] as number[],
    read: [] as number[],
    html: [] as number[],
    json: [] as number[],
    csv: [] as number[],
  };
  for (let run = 0; run < RUNS + 3; run++) {
    const t0 = performance.now();
    const records = await service.recordsOf("t0");
    const states = await service.marksOf("t0");
    const t1 = performance.now();
    const report = buildTraineeReport({
      lang: "nb",
      timeZone: "Europe/Oslo",
      generatedAt: Date.now(),
      traineeName: "Ada Ødegård",
      courseName: "CNC intensiv, vår 2027",
      catalogue,
      records,
      states,
      nameOfSubject: () => "Ingrid Instruktør",
      comments: new Map(),
      chainHead: head,
    });
    const html = renderReportHtml(report);
    const t2 = performance.now();
    renderReportJson(report);
    const t3 = performance.now();
    renderReportCsv(report);
    const t4 = performance.now();
    if (run < 3 || html.length === 0) continue; // warm-up
    times.read.push(t1 - t0);
    times.html.push(t2 - t1);
    times.total.push(t2 - t0);
    times.json.push(t3 - t2);
    times.csv.push(t4 - t3);
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  const fmt = (xs: number[]) =>
    `median ${percentile(sorted(xs), 50).toFixed(1)} ms, p90 ${percentile(sorted(xs), 90).toFixed(1)} ms`;
  console.log(`read records + evaluate: ${fmt(times.read)}`);
  console.log(`build + HTML:            ${fmt(times.html)}`);
  console.log(`JSON:                    ${fmt(times.json)}`);
  console.log(`CSV:                     ${fmt(times.csv)}`);
  const median = percentile(sorted(times.total), 50);
  console.log(
    `trainee report (read, evaluate, HTML): ${fmt(times.total)} over ${RUNS} runs (goal < 200 ms: ${median < 200 ? "met" : "missed"})`,
  );
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
