// `evidence verify` over a million records (issue #14 goal: < 10 s). Fills a
// temporary SQLite ledger with realistic records (a course day's mix of
// cycles, transfers and alarms), then times a cold verify through the same
// path the CLI takes: SqliteLedgerStore.scan → verifyChain.
//   node_modules/.bin/node bench/evidence/verify.ts [--records N] [--keep FILE]
// --keep FILE fills FILE once and keeps it; later runs with the same FILE only
// verify (a shared, busy machine: re-measure when the neighbours are quiet).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RecordBody } from "../../src/evidence/ledger/record.ts";
import { SqliteLedgerStore } from "../../src/evidence/ledger/sqlite-store.ts";
import { verifyChain } from "../../src/evidence/verify/verify.ts";
import { machineContext, mainThreadRunQueueWaitUs } from "../support/machine.ts";

const arg = process.argv.indexOf("--records");
const RECORDS = arg > 0 ? Number(process.argv[arg + 1]) : 1_000_000;
const BATCH = 10_000;

function body(i: number): RecordBody {
  const kind = i % 10;
  const base = {
    subject: `${(i % 97).toString(16).padStart(32, "0")}`,
    machine: `m-${i % 100}`,
    session: `${(i % 4001).toString(16).padStart(32, "0")}`,
    ts: 1_800_000_000_000 + i * 250,
    author: null,
  };
  if (kind < 7)
    return {
      ...base,
      type: "cycle.completed",
      goals: ["run-auto"],
      payload: {
        program: `O${1000 + (i % 50)}`,
        durationMs: 60_000 + (i % 977),
        parts: 1,
        machineKind: "lathe",
        programSentByTrainee: true,
      },
    };
  if (kind < 9)
    return {
      ...base,
      type: "program.transfer",
      goals: ["send-dnc"],
      payload: {
        file: `O${1000 + (i % 50)}.NC`,
        checksum: (i * 2654435761).toString(16),
        bytes: 4000 + (i % 300),
        direction: "send",
        result: "ok",
        machineKind: "lathe",
      },
    };
  return {
    ...base,
    type: "alarm.handled",
    goals: ["handle-alarm"],
    payload: {
      code: "EX1001",
      severity: "fault",
      raisedAt: base.ts - 90_000,
      durationMs: 90_000,
      withinSession: true,
      machineKind: "mill",
    },
  };
}

const keepArg = process.argv.indexOf("--keep");
const keep = keepArg > 0 ? process.argv[keepArg + 1] : undefined;
const dir = mkdtempSync(join(tmpdir(), "mp-evidence-verify-"));
const file = keep ?? join(dir, "ledger.db");
try {
  console.log(machineContext());
  if (!keep || !existsSync(keep)) await fill();
  await verify();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

async function fill(): Promise<void> {
  const fillStart = performance.now();
  const store = new SqliteLedgerStore(file);
  for (let i = 0; i < RECORDS; i += BATCH) {
    await store.append(Array.from({ length: Math.min(BATCH, RECORDS - i) }, (_, k) => body(i + k + 1)));
  }
  await store.close();
  const fillS = (performance.now() - fillStart) / 1000;
  console.log(
    `filled ${RECORDS.toLocaleString("en")} records in ${fillS.toFixed(1)} s (${Math.round(RECORDS / fillS).toLocaleString("en")} appends/s in batches of ${BATCH})`,
  );
}

async function verify(): Promise<void> {
  const fresh = new SqliteLedgerStore(file);
  const cpu0 = process.cpuUsage();
  const wait0 = mainThreadRunQueueWaitUs();
  const t0 = performance.now();
  const result = await verifyChain(fresh.scan(), await fresh.head());
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const waitS = (mainThreadRunQueueWaitUs() - wait0) / 1e6;
  await fresh.close();
  const cpuS = (cpu.user + cpu.system) / 1e6;
  console.log(
    `verify: ${result.records.toLocaleString("en")} records, ${result.ok ? "ok" : "BROKEN"}, ${wallS.toFixed(2)} s wall, ${cpuS.toFixed(2)} s CPU, ${Math.round(result.records / wallS).toLocaleString("en")} records/s (goal: 1,000,000 in < 10 s: ${wallS < 10 * (result.records / 1_000_000) ? "met" : "missed"}; wall far above CPU means the process waited for a CPU or the disk)`,
  );
  console.log(
    `  of the wall time: ${waitS.toFixed(2)} s waiting for a CPU (run queue); the rest is CPU (${cpuS.toFixed(2)} s) and I/O`,
  );
  console.log(`memory: rss ${Math.round(process.memoryUsage().rss / 1e6)} MB after verify`);
}
