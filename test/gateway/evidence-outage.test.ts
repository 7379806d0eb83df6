// The network between a gateway and the site's PostgreSQL drops for a few
// seconds while a trainee works: the cycles that end meanwhile must still
// become evidence, in the same chain, once the database is reachable again.
// Real parts: a PostgreSQL, the real Gateway with a simulated SHDR lathe, and
// a TCP proxy between them that is cut (connections reset, new ones refused)
// and restored. The cycles are counted as the gateway published them on MQTT.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { PostgresLedgerStore } from "../../src/evidence/ledger/postgres-store.ts";
import type { EvidenceRecord } from "../../src/evidence/ledger/record.ts";
import { verifyChain } from "../../src/evidence/verify/verify.ts";
import { Gateway } from "../../src/gateway/gateway.ts";
import { CourseService } from "../../src/training/people/courses.ts";
import { UserService } from "../../src/training/people/users.ts";
import { PostgresTrainingStore } from "../../src/training/store/postgres.ts";
import type { User } from "../../src/training/store/types.ts";
import { captureLog } from "../support/log-lines.ts";
import { freePorts, waitFor } from "../support/ports.ts";
import { type Postgres, startPostgres } from "../support/postgres.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";

const PASSWORD = "pw-ola-long-enough";
const PREFIX = "maskinport/outage";

type CycleEnd = { ts: number; startedAt: number; outcome: string; session?: string };

let pgServer: Postgres;
let proxy: TcpProxy;
let gateway: Gateway | undefined;
let ledger: PostgresLedgerStore;
let subscriber: mqtt.MqttClient | undefined;
let trainee: User;
const captured = captureLog("info");

beforeAll(async () => {
  pgServer = await startPostgres();
  const direct = new URL(pgServer.url);
  proxy = await startTcpProxy({ host: direct.hostname, port: Number(direct.port) });
  const store = await PostgresTrainingStore.open(pgServer.url);
  const users = new UserService(store, { scrypt: { logN: 10, r: 8, p: 1 } });
  trainee = (await users.add({ username: "ola", displayName: "Ola Nordmann" }, PASSWORD)).user;
  const courses = new CourseService(store);
  const course = await courses.add({ name: "CNC", startDate: "2027-01-04", endDate: "2027-01-29" });
  await courses.enrol(course.id, [trainee.id]);
  await store.close();
  // The test reads the ledger directly, past the proxy.
  ledger = await PostgresLedgerStore.open(pgServer.url);
}, 60_000);

afterAll(async () => {
  await subscriber?.endAsync();
  await gateway?.stop();
  await ledger?.close();
  await proxy?.close();
  await pgServer?.stop();
});

async function cycleRecords(): Promise<EvidenceRecord[]> {
  const out: EvidenceRecord[] = [];
  for await (const r of ledger.scan()) {
    if (r.machine === "lathe-1" && r.type.startsWith("cycle.")) out.push(r);
  }
  return out;
}

describe("a ledger outage on the site's PostgreSQL", () => {
  it("holds the evidence of cycles that end while the database is unreachable and records it in order afterwards", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mp-outage-"));
    const [web, broker, sim] = await freePorts(3);
    const viaProxy = new URL(pgServer.url);
    viaProxy.port = String(proxy.port);
    const yaml = `site: outage
gateway: { id: gw-outage }
mqtt:
  embedded: { port: ${broker} }
  prefix: ${PREFIX}
timeseries:
  embedded: { path: ${join(dir, "ts.db")} }
library: { path: ${join(dir, "library.db")} }
web: { port: ${web}, host: 127.0.0.1 }
training: { postgres: { url: "${viaProxy}" }, pseudonymSecret: site-pseudonym-secret-0123456789abc }
evidence: { catalogue: ${resolve("config/competence")} }
machines:
  - { id: lathe-1, name: Dreiebenk, kind: lathe, monitor: { type: shdr, host: 127.0.0.1, port: ${sim} } }
simulators:
  - { type: shdr, port: ${sim}, machines: 1, seed: 7, timeScale: 400 }
`;
    gateway = new Gateway({ config: parseConfig(yaml, "outage.yaml", {}), log: captured.log, version: "t" });
    const { webPort, mqttUrl } = await gateway.start();

    // Every cycle.end the gateway publishes, as a dashboard would see it.
    const cycles: CycleEnd[] = [];
    subscriber = await mqtt.connectAsync(mqttUrl, { reconnectPeriod: 0 });
    subscriber.on("message", (_topic, payload) => cycles.push(JSON.parse(payload.toString()) as CycleEnd));
    await subscriber.subscribeAsync(`${PREFIX}/lathe-1/event/cycle.end`, { qos: 1 });

    // Ola logs in and checks in on the lathe (before the drop: logins live in the database too).
    const login = await fetch(`http://127.0.0.1:${webPort}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "ola", password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const checkin = await fetch(`http://127.0.0.1:${webPort}/api/machines/lathe-1/checkin`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, "x-csrf-token": csrfToken },
      body: "{}",
    });
    expect(checkin.status).toBe(200);
    const checkedInBy = Date.now();
    // Cycles started after this are surely Ola's: each must become evidence.
    const isOlas = (c: CycleEnd) => c.outcome !== "interrupted" && c.startedAt > checkedInBy;

    // The ledger works before the drop.
    await waitFor(
      "a first cycle recorded as evidence",
      async () => (await cycleRecords()).length > 0,
      15_000,
    );

    // The drop: a few seconds, and at least two of Ola's cycles end in it.
    await proxy.cut();
    const cutAt = Date.now();
    await waitFor("the gateway to notice the ledger is unreachable", () =>
      gateway!.health().checks["evidence ledger"]?.ok === false ? true : undefined,
    );
    expect(gateway.health().status).toBe("degraded");
    await waitFor(
      "two of Ola's cycles ending during the drop",
      () => cycles.filter((c) => isOlas(c) && c.ts >= cutAt).length >= 2 || undefined,
      15_000,
    );
    await new Promise((r) => setTimeout(r, Math.max(0, 3000 - (Date.now() - cutAt))));
    const restoredAt = Date.now();
    const duringDrop = cycles.filter((c) => isOlas(c) && c.ts >= cutAt && c.ts < restoredAt);
    expect(duringDrop.length).toBeGreaterThanOrEqual(2);
    await proxy.restore();

    // Back: everything held is recorded, and the gateway says so.
    await waitFor(
      "the held evidence to be recorded",
      () => (gateway!.health().checks["evidence ledger"]?.ok === true ? true : undefined),
      20_000,
    );
    const records = await cycleRecords();
    const recorded = new Set(records.map((r) => `${JSON.parse(r.payloadJson).startedAt}/${r.ts}`));
    for (const c of duringDrop)
      expect(recorded.has(`${c.startedAt}/${c.ts}`), `cycle ending at ${c.ts}`).toBe(true);
    // Each cycle once (a retry never records twice), and only cycles the gateway published.
    expect(recorded.size).toBe(records.length);
    const published = new Set(cycles.map((c) => `${c.startedAt}/${c.ts}`));
    for (const key of recorded) expect(published.has(key), key).toBe(true);
    // In the order the cycles ended, in one intact chain (`maskinport evidence verify`).
    expect(records.map((r) => r.ts)).toEqual([...records.map((r) => r.ts)].sort((a, b) => a - b));
    const verdict = await verifyChain(ledger.scan(), await ledger.head());
    expect(verdict.ok).toBe(true);

    // The technician's log tells the outage once each way; nothing in the log names Ola.
    const messages = captured.lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(messages.filter((m) => m.startsWith("evidence ledger unreachable"))).toHaveLength(1);
    const back = captured.lines
      .map((l) => JSON.parse(l) as { msg: string; recordedLate?: number; outageMs?: number })
      .filter((l) => l.msg.startsWith("evidence ledger reachable again"));
    expect(back).toHaveLength(1);
    expect(back[0]!.recordedLate).toBeGreaterThanOrEqual(duringDrop.length);
    expect(back[0]!.outageMs).toBeGreaterThanOrEqual(2500);
    const metrics = await (await fetch(`http://127.0.0.1:${webPort}/metrics`)).text();
    expect(metrics).toMatch(/^maskinport_evidence_pending_drafts 0$/m);
    expect(metrics).toMatch(/^maskinport_evidence_recorded_late_total [1-9]/m);
    expect(metrics).toMatch(/^maskinport_evidence_dropped_drafts_total\{reason="full"\} 0$/m);
    // (The web's own "login" line names the user id by design: it is the login audit, not evidence.)
    const logins = captured.lines.filter((l) => (JSON.parse(l) as { msg: string }).msg === "login");
    expect(logins).toHaveLength(1);
    for (const line of captured.lines) {
      if (logins.includes(line)) continue;
      expect(line).not.toContain(trainee.id);
      expect(line).not.toContain("Ola Nordmann");
    }
  }, 60_000);
});
