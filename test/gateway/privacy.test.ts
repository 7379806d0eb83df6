// Names never leave the process: a gateway with an embedded broker, an
// embedded time-series store, the training store and the evidence ledger,
// three trainees checked in (two by themselves over the HTTP API, one
// assigned by their instructor) while simulated machines run cycles, and
// the evidence fed as xAPI statements to a Learning Record Store. Every MQTT
// payload under maskinport/#, every row of every time-series table, every
// statement the LRS received and every log line is scanned for each
// trainee's name, username and e-mail: none may appear, and their pseudonyms
// must (on MQTT and in the store).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Writable } from "node:stream";
import mqtt from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { Gateway } from "../../src/gateway/gateway.ts";
import { CourseService } from "../../src/training/people/courses.ts";
import { pseudonymOf } from "../../src/training/people/pseudonym.ts";
import { UserService } from "../../src/training/people/users.ts";
import { SqliteTrainingStore } from "../../src/training/store/sqlite.ts";
import type { User } from "../../src/training/store/types.ts";
import { TestLrs } from "../evidence/lrs/test-lrs.ts";
import { freePorts, waitFor } from "../support/ports.ts";

const SECRET = "privacy-test-pseudonym-secret-0123456789";
const PEOPLE = [
  { username: "kari.nordmann", displayName: "Kari Nordmann-Testesen", email: "kari.nordmann@skole.example" },
  { username: "jonas.aasen", displayName: "Jonas Åsen Privat", email: "jonas.aasen@skole.example" },
  { username: "sara.lie", displayName: "Sara Lie Hemmelig", email: "sara.lie@skole.example" },
] as const;
const INSTRUCTOR = {
  username: "ingrid.lærer",
  displayName: "Ingrid Lærer Navnesen",
  email: "ingrid@skole.example",
};
const password = (username: string) => `pw-${username}-long-enough`;

type Message = { topic: string; payload: string };

let gateway: Gateway;
let webPort: number;
let trainees: User[];
const messages: Message[] = [];
const logLines: string[] = [];
let subscriber: mqtt.MqttClient;
let timeseriesPath: string;
const lrs = new TestLrs();

async function seedPeople(path: string): Promise<User[]> {
  const store = new SqliteTrainingStore(path);
  const users = new UserService(store, { scrypt: { logN: 10, r: 8, p: 1 } });
  const courses = new CourseService(store);
  const added: User[] = [];
  for (const p of PEOPLE) added.push((await users.add({ ...p, role: "trainee" }, password(p.username))).user);
  const instructor = (
    await users.add({ ...INSTRUCTOR, username: "ingrid", role: "instructor" }, password("ingrid"))
  ).user;
  const course = await courses.add({
    name: "Personvern-kurs",
    startDate: "2027-01-04",
    endDate: "2027-01-29",
  });
  await courses.enrol(course.id, [instructor.id, ...added.map((u) => u.id)]);
  await store.close();
  return added;
}

async function login(username: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`http://127.0.0.1:${webPort}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: password(username) }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

async function post(who: { cookie: string; csrf: string }, path: string, body: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${webPort}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: who.cookie, "x-csrf-token": who.csrf },
    body: JSON.stringify(body),
  });
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "mp-privacy-"));
  trainees = await seedPeople(join(dir, "training.db"));
  await lrs.listen();
  const [web, broker, simA, simB, simC] = await freePorts(5);
  timeseriesPath = join(dir, "ts.db");
  const yaml = `site: privacy
gateway: { id: gw-privacy }
mqtt:
  embedded: { port: ${broker} }
timeseries:
  embedded: { path: ${timeseriesPath} }
library: { path: ${join(dir, "library.db")} }
web: { port: ${web}, host: 127.0.0.1 }
training: { path: ${join(dir, "training.db")}, pseudonymSecret: ${SECRET} }
evidence:
  catalogue: ${resolve("config/competence")}
  xapi: { endpoint: "${lrs.endpoint}", username: ${lrs.username}, password: "${lrs.password}" }
machines:
  - { id: lathe-1, name: Lathe, kind: lathe, monitor: { type: shdr, host: 127.0.0.1, port: ${simA} } }
  - { id: mill-1, name: Mill, kind: mill, monitor: { type: shdr, host: 127.0.0.1, port: ${simB} } }
  - { id: lathe-2, name: Lathe 2, kind: lathe, monitor: { type: shdr, host: 127.0.0.1, port: ${simC} } }
simulators:
  - { type: shdr, port: ${simA}, machines: 1, seed: 7, timeScale: 60 }
  - { type: shdr, port: ${simB}, machines: 1, seed: 8, timeScale: 60 }
  - { type: shdr, port: ${simC}, machines: 1, seed: 9, timeScale: 60 }
`;
  const config = parseConfig(yaml, "privacy-test.yaml", {});
  const sink = new Writable({
    write(chunk, _enc, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  gateway = new Gateway({ config, log: pino({ level: "debug" }, sink), version: "test" });
  const started = await gateway.start();
  webPort = started.webPort;
  subscriber = await mqtt.connectAsync(started.mqttUrl, { reconnectPeriod: 0 });
  subscriber.on("message", (topic, payload) => messages.push({ topic, payload: payload.toString() }));
  await subscriber.subscribeAsync("maskinport/#", { qos: 1 });

  const [kari, jonas, sara] = trainees as [User, User, User];
  expect((await post(await login("kari.nordmann"), "/api/machines/lathe-1/checkin", {})).status).toBe(200);
  expect((await post(await login("jonas.aasen"), "/api/machines/mill-1/checkin", {})).status).toBe(200);
  const ingrid = await login("ingrid");
  expect((await post(ingrid, "/api/machines/lathe-2/checkin", { userId: sara.id })).status).toBe(200);

  // Run until every trainee's machine has published a cycle under their pseudonym.
  await waitFor(
    "a cycle event under each trainee's pseudonym",
    () =>
      [kari, jonas, sara].every((t) =>
        messages.some(
          (m) => m.topic.includes("/event/cycle.") && m.payload.includes(pseudonymOf(SECRET, t.id)),
        ),
      ) || undefined,
    60_000,
  );
  await waitFor("xAPI statements at the LRS", () => (lrs.statements.size > 0 ? true : undefined), 20_000);
  // Sara checks out (session.end must carry the pseudonym too), then the gateway stops and flushes.
  expect((await post(ingrid, "/api/machines/lathe-2/checkout", {})).status).toBe(200);
  await waitFor(
    "session.end on lathe-2",
    () => messages.some((m) => m.topic.endsWith("lathe-2/event/session.end")) || undefined,
  );
}, 90_000);

afterAll(async () => {
  await subscriber?.endAsync();
  await gateway?.stop();
  await lrs.close();
});

/** Every value a trainee could be recognised by, each in the forms it could take in JSON. */
function forbiddenStrings(): string[] {
  const out: string[] = [];
  for (const p of [...PEOPLE, INSTRUCTOR]) {
    for (const s of [p.displayName, p.username, p.email, ...p.displayName.split(" ")]) {
      out.push(s, JSON.stringify(s).slice(1, -1));
    }
  }
  return [...new Set(out.filter((s) => s.length >= 4))];
}

function timeseriesRows(): string[] {
  const db = new DatabaseSync(timeseriesPath, { readOnly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
      name: string;
    }[];
    return tables.flatMap(({ name }) =>
      (db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]).map((row) =>
        JSON.stringify(row, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString("latin1") : v)),
      ),
    );
  } finally {
    db.close();
  }
}

describe("privacy: no trainee name, username or e-mail leaves the process", () => {
  it("in any MQTT payload, while every trainee's pseudonym is there", () => {
    expect(messages.length).toBeGreaterThan(100);
    const all = messages.map((m) => `${m.topic} ${m.payload}`);
    for (const needle of forbiddenStrings()) {
      const hit = all.find((line) => line.toLowerCase().includes(needle.toLowerCase()));
      expect(hit, `"${needle}" found on MQTT`).toBeUndefined();
    }
    for (const t of trainees) {
      const p = pseudonymOf(SECRET, t.id);
      expect(all.some((line) => line.includes(p))).toBe(true);
      expect(all.some((line) => line.includes(t.id))).toBe(false); // not even the opaque user id
    }
    const starts = messages.filter((m) => m.topic.endsWith("/event/session.start"));
    expect(starts.length).toBeGreaterThanOrEqual(3);
  });

  it("in any row of the time-series store, while every trainee's pseudonym is there", async () => {
    await gateway.stop(); // flushes the store's last batch
    const rows = timeseriesRows();
    expect(rows.length).toBeGreaterThan(100);
    for (const needle of forbiddenStrings()) {
      const hit = rows.find((row) => row.toLowerCase().includes(needle.toLowerCase()));
      expect(hit, `"${needle}" found in the time-series store`).toBeUndefined();
    }
    for (const t of trainees) {
      expect(rows.some((row) => row.includes(pseudonymOf(SECRET, t.id)))).toBe(true);
    }
  });

  it("in any xAPI statement sent to the LRS (actors are pseudonymous accounts)", () => {
    const statements = [...lrs.statements.values()].map((st) => JSON.stringify(st));
    expect(statements.length).toBeGreaterThan(0);
    for (const needle of forbiddenStrings()) {
      const hit = statements.find((st) => st.toLowerCase().includes(needle.toLowerCase()));
      expect(hit, `"${needle}" found in an xAPI statement`).toBeUndefined();
    }
    for (const t of trainees) expect(statements.some((st) => st.includes(t.id))).toBe(false);
    for (const st of lrs.statements.values()) expect(st.actor).not.toHaveProperty("mbox");
  });

  it("in any log line", () => {
    expect(logLines.length).toBeGreaterThan(10);
    for (const needle of forbiddenStrings()) {
      const hit = logLines.find((line) => line.toLowerCase().includes(needle.toLowerCase()));
      expect(hit, `"${needle}" found in the log`).toBeUndefined();
    }
  });
});
