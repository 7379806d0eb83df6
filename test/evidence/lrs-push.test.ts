// xAPI statements pushed to a Learning Record Store through the durable
// outbox. The LRS is a real HTTP server on loopback (test/evidence/lrs/
// test-lrs.ts) that validates every statement and keeps one copy per id; the
// sender is a real process (lrs/sender-process.ts) so it can be SIGKILLed.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { Registry } from "prom-client";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { actorHomePage } from "../../src/evidence/config.ts";
import { SqliteLedgerStore } from "../../src/evidence/ledger/sqlite-store.ts";
import type { EvidenceDraft } from "../../src/evidence/recorder/map-event.ts";
import { EvidenceService } from "../../src/evidence/service.ts";
import { statementFromRecord } from "../../src/evidence/xapi/from-record.ts";
import { XapiPush } from "../../src/evidence/xapi/lrs-push.ts";
import { SharedOutbox } from "../../src/sinks/outbox/shared-outbox.ts";
import { registerLrsMetrics } from "../../src/sinks/xapi/lrs-metrics.ts";
import { at, catalogue } from "./course-day.ts";
import { TestLrs } from "./lrs/test-lrs.ts";

const dir = mkdtempSync(join(tmpdir(), "mp-lrs-"));
const SENDER = join(import.meta.dirname, "lrs", "sender-process.ts");
const children = new Set<ChildProcess>();
const lrses: TestLrs[] = [];
afterEach(async () => {
  for (const c of children) c.kill("SIGKILL");
  children.clear();
  for (const l of lrses.splice(0)) await l.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TRAINEES = ["ada", "bo", "cy"];

/** `n` completed cycles spread over three trainees on three lathes, from minute `from` of the day. */
function cycles(n: number, from: number): EvidenceDraft[] {
  return Array.from({ length: n }, (_, i) => {
    const k = from + i;
    return {
      type: "cycle.completed",
      traineeId: TRAINEES[k % 3]!,
      machine: `lathe-${k % 3}`,
      sessionId: `S-${k % 3}`,
      ts: at(7) + k * 60_000,
      payload: {
        program: `O${1000 + (k % 7)}`,
        durationMs: 55_000,
        parts: 1,
        machineKind: "lathe",
        programSentByTrainee: false,
      },
    };
  });
}

/** Every statement the ledger gives (ids), as the LRS must end up holding them. */
async function expectedIds(ledger: SqliteLedgerStore): Promise<string[]> {
  const ctx = { homePage: actorHomePage({}, "raufoss"), catalogue };
  const ids: string[] = [];
  for await (const r of ledger.scan()) {
    const s = statementFromRecord(r, ctx);
    if (s) ids.push(s.id!);
  }
  return ids;
}

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

type Sender = { child: ChildProcess; logs: () => string };

async function startSender(ledgerDb: string, outboxDir: string, lrs: TestLrs): Promise<Sender> {
  const child = spawn(process.execPath, [SENDER, ledgerDb, outboxDir, lrs.endpoint, lrs.username], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (d) => (out += String(d)));
  child.stderr!.on("data", (d) => (err += String(d)));
  child.stdin!.end(`${lrs.password}\n`);
  await waitFor("the sender to start", () => {
    if (child.exitCode !== null) throw new Error(`sender exited ${child.exitCode}: ${err}`);
    return out.includes("ready");
  });
  return { child, logs: () => err };
}

function killHard(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
    children.delete(child);
  });
}

describe("xAPI push to an LRS through the durable outbox", () => {
  it("delivers every statement exactly once by id across an LRS outage (503, then gone) and a SIGKILL of the sender", async () => {
    const lrs = new TestLrs();
    lrses.push(lrs);
    await lrs.listen();
    const ledgerDb = join(dir, "a-ledger.db");
    const outboxDir = join(dir, "a-outbox");
    const ledger = new SqliteLedgerStore(ledgerDb);
    const service = new EvidenceService({ store: ledger, catalogue });
    try {
      const first = await startSender(ledgerDb, outboxDir, lrs);

      // 1. LRS up: statements arrive.
      await service.record(cycles(30, 0));
      let want = await expectedIds(ledger);
      await waitFor("the first statements", () => lrs.statements.size === want.length).catch((e) => {
        throw new Error(
          `${e.message}: ${lrs.statements.size}/${want.length} ${JSON.stringify(lrs.requests)} ${first.logs()}`,
        );
      });

      // 2. The LRS answers 503; more evidence arrives; the sender is killed mid-outage.
      lrs.mode = "503";
      await service.record(cycles(40, 30));
      await waitFor("the sender to meet the 503", () => lrs.requests.some((r) => r.status === 503));
      await new Promise((r) => setTimeout(r, 300)); // a few retries with backoff
      const logsBefore = first.logs();
      await killHard(first.child);
      expect(logsBefore).toMatch(/xapi LRS not reachable; statements wait in the outbox/);

      // 3. The LRS is gone from the network altogether; evidence keeps coming; the sender restarts.
      await lrs.close();
      lrs.mode = "up";
      await service.record(cycles(35, 70));
      const second = await startSender(ledgerDb, outboxDir, lrs);
      await new Promise((r) => setTimeout(r, 500)); // connection refused, retried
      await service.record(cycles(10, 105));

      // 4. The LRS is back: everything arrives, each id stored once, nothing else.
      await lrs.listen();
      want = await expectedIds(ledger);
      expect(want.length).toBeGreaterThan(115); // cycles + the automatic P marks they earned
      await waitFor("every statement after the outage", () => lrs.statements.size === want.length);
      expect(new Set(lrs.statements.keys())).toEqual(new Set(want));
      expect([...lrs.storedTimes.values()].every((n) => n === 1)).toBe(true);
      expect(second.logs()).toMatch(/xapi LRS delivery recovered/);
      // What was in the outbox when the sender died came from its files, not from the ledger again.
      expect(second.logs()).toMatch(/"sink":"xapi".*outbox has undelivered data from an earlier run/);
      expect(`${logsBefore}${second.logs()}`).not.toContain(lrs.password);
      expect(`${logsBefore}${second.logs()}`).not.toContain(
        Buffer.from(`${lrs.username}:${lrs.password}`).toString("base64"),
      );
    } finally {
      await ledger.close();
    }
  }, 60_000);

  it("a resend of what the LRS holds is harmless (409 → PUT each → one copy); a refused statement is dead-lettered; erased trainees are not pushed; metrics count it", async () => {
    const lrs = new TestLrs();
    lrses.push(lrs);
    await lrs.listen();
    const ledger = new SqliteLedgerStore(join(dir, "b-ledger.db"));
    const service = new EvidenceService({ store: ledger, catalogue });
    const outboxDir = join(dir, "b-outbox");
    const lines: string[] = [];
    const log = pino({ level: "info" }, { write: (l: string) => void lines.push(l) });
    const open = () => {
      const outbox = new SharedOutbox({
        path: outboxDir,
        sinks: ["xapi"],
        maxBytes: 1 << 26,
        whenFull: "pause",
        log,
      });
      outbox.open();
      const push = new XapiPush({
        xapi: { endpoint: lrs.endpoint, username: lrs.username, password: lrs.password },
        site: "raufoss",
        catalogue,
        ledger,
        outbox: outbox.sink("xapi"),
        log,
        pollIntervalMs: 50,
        flushIntervalMs: 50,
        batchSize: 10,
        backoff: { initialMs: 20, maxMs: 100 },
      });
      return { outbox, push };
    };
    try {
      let { outbox, push } = open();
      await push.start();
      const registry = new Registry();
      let current = push;
      registerLrsMetrics(registry, () => ({ sink: current.sink, feed: current.feed }));

      await service.record(cycles(12, 0));
      let want = await expectedIds(ledger);
      await waitFor("the first statements", () => lrs.statements.size === want.length);

      // The feed's position is lost (a crash before it was saved): everything is enqueued again.
      await push.stop();
      outbox.close();
      rmSync(join(outboxDir, "xapi", "ledger-position"));
      ({ outbox, push } = open());
      current = push;
      // Fresh start = ledger head; rewind to the beginning as a lost position would.
      const { writeFileSync } = await import("node:fs");
      writeFileSync(join(outboxDir, "xapi", "ledger-position"), "0\n");
      const records = await service.record(cycles(6, 12));
      // One new statement the LRS refuses as invalid: dead-lettered, the rest still delivered.
      const refused = statementFromRecord(records[0]!, {
        homePage: actorHomePage({}, "raufoss"),
        catalogue,
      })!;
      lrs.refuse.add(refused.id!);
      await push.start();
      want = await expectedIds(ledger);
      await waitFor("the resend and the new ones", () => lrs.statements.size === want.length - 1);
      expect(lrs.requests.some((r) => r.method === "POST" && r.status === 409)).toBe(true);
      expect(lrs.requests.some((r) => r.method === "PUT" && r.status === 204 && r.count === 0)).toBe(true);
      expect([...lrs.storedTimes.values()].every((n) => n === 1)).toBe(true);
      expect(lrs.statements.has(refused.id!)).toBe(false);
      await waitFor("the dead letter", () => push.sink.stats.rejected === 1);
      const dead = readFileSync(join(outboxDir, "xapi", "dead-letter.jsonl"), "utf8");
      expect(JSON.parse(dead.trim()).statement.id).toBe(refused.id);

      // An erased trainee's later records are not pushed (their subject can no longer be resolved).
      const ada = (await service.subjectOf("ada"))!;
      await service.erase("ada", "request", at(12));
      const before = lrs.statements.size;
      await service.record(cycles(3, 30)); // ada, bo, cy
      await push.feed.poll();
      await waitFor("bo's and cy's statements", () => lrs.statements.size > before);
      await push.sink.idle();
      const after = [...lrs.statements.values()].slice(before);
      const actors = after.map((st) => (st.actor as { account: { name: string } }).account.name);
      expect(after.length).toBeGreaterThanOrEqual(2);
      expect(actors).not.toContain(ada);
      expect(push.feed.stats.skipped).toBeGreaterThan(0);

      const metrics = await registry.metrics();
      expect(metrics).toMatch(/maskinport_xapi_statements_sent_total \d+/);
      expect(metrics).toMatch(/maskinport_xapi_statements_rejected_total 1/);
      expect(metrics).toMatch(/maskinport_xapi_lrs_up 1/);
      expect(metrics).toMatch(/maskinport_xapi_feed_ledger_seq \d+/);
      expect(lines.join("")).not.toContain(lrs.password);
      await push.stop();
      outbox.close();
      expect(existsSync(join(outboxDir, "xapi", "ledger-position"))).toBe(true);
    } finally {
      await ledger.close();
    }
  }, 30_000);
});
