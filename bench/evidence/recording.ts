// Evidence recording cost for 100 machines over one course day (issue #14
// goal: < 5 % extra gateway CPU). The day's ≈ 19,900 pipeline events go
// through EvidenceRecorder + EvidenceService into a SQLite ledger file, one
// event at a time as the gateway hands them over, on top of `--history-days`
// earlier days of the same fleet (default 19: the last day of a four-week
// course, ≈ 3,800 records per trainee, when evaluation has the most to read).
// Then the gateway's own CPU for the same fleet through `maskinport run`
// (gateway-cpu.ts), and the ratio.
//   node_modules/.bin/node bench/evidence/recording.ts [--history-days N] [--limit EVENTS] [--gateway-seconds S]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { loadCatalogueFolder } from "../../src/evidence/catalogue/load.ts";
import { SqliteLedgerStore } from "../../src/evidence/ledger/sqlite-store.ts";
import type { EvidenceDraft } from "../../src/evidence/recorder/map-event.ts";
import { EvidenceRecorder } from "../../src/evidence/recorder/recorder.ts";
import { EvidenceService } from "../../src/evidence/service.ts";
import { LrsFeed } from "../../src/evidence/xapi/lrs-feed.ts";
import { DurableOutbox } from "../../src/sinks/outbox/durable-outbox.ts";
import { machineContext } from "../support/machine.ts";
import { percentile } from "../support/stats.ts";
import { fleetDay, MACHINES, machineKind, resolveSession } from "./fleet-day.ts";
import { measureGatewayCpu } from "./gateway-cpu.ts";

const { values } = parseArgs({
  options: {
    "history-days": { type: "string", default: "19" },
    limit: { type: "string" },
    "gateway-seconds": { type: "string", default: "60" },
  },
});
const HISTORY = Number(values["history-days"]);
const LIMIT = values.limit === undefined ? Number.POSITIVE_INFINITY : Number(values.limit);
const GATEWAY_SECONDS = Number(values["gateway-seconds"]);
const DAY_SECONDS = 8 * 3600;

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const dir = mkdtempSync(join(tmpdir(), "mp-bench-recording-"));
const catalogue = loadCatalogueFolder(new URL("../../config/competence", import.meta.url).pathname);
const store = new SqliteLedgerStore(join(dir, "library.db"));
const service = new EvidenceService({ store, catalogue });
process.on("SIGINT", () => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(130);
});

try {
  console.log(machineContext());

  // History: earlier days, one append per trainee and day (fast; not what is measured).
  const f0 = performance.now();
  for (let d = 0; d < HISTORY; d++) {
    const recorder = new EvidenceRecorder({ resolveSession, machineKind });
    const byTrainee = new Map<string, EvidenceDraft[]>();
    for (const e of fleetDay(d)) {
      const draft = recorder.handle(e);
      if (draft) byTrainee.set(draft.traineeId, [...(byTrainee.get(draft.traineeId) ?? []), draft]);
    }
    for (const drafts of byTrainee.values()) await service.record(drafts);
  }
  const history = (await store.head())?.seq ?? 0;
  console.log(
    `history: ${HISTORY} days × ${MACHINES} trainees = ${history} records (${(history / MACHINES).toFixed(0)} per trainee), filled in ${((performance.now() - f0) / 1000).toFixed(1)} s`,
  );

  // The measured day: every event through the recorder, every draft appended on its own.
  const events = fleetDay(HISTORY);
  const measured = events.slice(0, Math.min(events.length, LIMIT));
  const recorder = new EvidenceRecorder({ resolveSession, machineKind });
  const latencies: number[] = [];
  let drafts = 0;
  const c0 = cpuUs();
  const w0 = performance.now();
  for (const e of measured) {
    const draft = recorder.handle(e);
    if (!draft) continue;
    drafts++;
    const t = performance.now();
    await service.record([draft]);
    latencies.push(performance.now() - t);
  }
  const cpuS = (cpuUs() - c0) / 1e6;
  const wallS = (performance.now() - w0) / 1000;
  const records = ((await store.head())?.seq ?? 0) - history;
  const perEventUs = (cpuS * 1e6) / measured.length;
  const dayCpuS = (perEventUs * events.length) / 1e6;
  latencies.sort((a, b) => a - b);
  console.log(
    `day ${HISTORY + 1}: ${measured.length} of ${events.length} events → ${drafts} drafts → ${records} records (with automatic marks)`,
  );
  console.log(
    `  CPU ${cpuS.toFixed(2)} s (${perEventUs.toFixed(0)} µs per event), wall ${wallS.toFixed(1)} s; per append p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, max ${latencies[latencies.length - 1]!.toFixed(1)} ms`,
  );
  console.log(
    `  evidence CPU for the whole day: ${dayCpuS.toFixed(1)} s${measured.length < events.length ? " (extrapolated from the measured events)" : ""} = ${((100 * dayCpuS) / DAY_SECONDS).toFixed(3)} % of one core over an 8-hour day`,
  );

  // The xAPI feed over the same day: statements made, validated and written to the outbox
  // (what a gateway with evidence.xapi adds; the HTTP to the LRS is not in this figure).
  const outbox = new DurableOutbox({
    name: "xapi",
    path: join(dir, "outbox"),
    maxBytes: 1 << 30,
    whenFull: "pause",
    log: pino({ level: "warn" }),
  });
  outbox.open();
  const positionFile = join(dir, "outbox", "xapi", "ledger-position");
  const { writeFileSync, mkdirSync } = await import("node:fs");
  mkdirSync(join(dir, "outbox", "xapi"), { recursive: true });
  writeFileSync(positionFile, `${history}\n`);
  const feed = new LrsFeed({
    ledger: store,
    outbox,
    positionFile,
    context: { homePage: "https://bench.maskinport.invalid/", catalogue },
    log: pino({ level: "warn" }),
    pollIntervalMs: 3_600_000,
  });
  const x0 = cpuUs();
  await feed.start();
  await feed.poll();
  const feedCpuS = (cpuUs() - x0) / 1e6;
  await feed.stop();
  outbox.close();
  console.log(
    `  xAPI feed for the day (statements made, validated, into the outbox; no HTTP): ${feed.stats.enqueued} statements, CPU ${feedCpuS.toFixed(2)} s (${((feedCpuS * 1e6) / Math.max(1, feed.stats.enqueued)).toFixed(0)} µs per statement)`,
  );

  if (GATEWAY_SECONDS > 0) {
    const gw = await measureGatewayCpu(dir, GATEWAY_SECONDS);
    const gatewayDayS = gw.cpuShare * DAY_SECONDS;
    console.log(
      `gateway (maskinport run, ${gw.machines} ${gw.observationsNote}, ${gw.seconds} s after warm-up): ${(gw.cpuShare * 100).toFixed(1)} % of one core = ${gatewayDayS.toFixed(0)} s CPU per 8-hour day`,
    );
    console.log(`evidence / gateway CPU: ${((100 * dayCpuS) / gatewayDayS).toFixed(2)} % (goal < 5 %)`);
  } else {
    console.log("gateway CPU not measured (--gateway-seconds 0): the evidence figure above is absolute");
  }
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
