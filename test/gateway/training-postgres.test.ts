// Two gateways of one site sharing the roster, the session table and the
// evidence ledger in one PostgreSQL (training.postgres): a check-in made
// through gateway A's API is seen by gateway B within a second, and the
// evidence A records from its machine is what B's API reports; a web login
// made on A is valid on B (the sessions live in the same database).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { Gateway } from "../../src/gateway/gateway.ts";
import { CourseService } from "../../src/training/people/courses.ts";
import { UserService } from "../../src/training/people/users.ts";
import { PostgresTrainingStore } from "../../src/training/store/postgres.ts";
import type { User } from "../../src/training/store/types.ts";
import { freePorts, waitFor } from "../support/ports.ts";
import { type Postgres, startPostgres } from "../support/postgres.ts";

const SECRET = "site-pseudonym-secret-0123456789abc";
const password = (u: string) => `pw-${u}-long-enough`;

let pgServer: Postgres;
const gateways: Gateway[] = [];
const webPorts: number[] = [];
let trainee: User;

async function gatewayOn(id: string, machine: string, kind: string, seed: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), `mp-pg-${id}-`));
  const [web, broker, sim] = await freePorts(3);
  const yaml = `site: shared
gateway: { id: ${id} }
mqtt:
  embedded: { port: ${broker} }
  prefix: maskinport/shared-${id}
timeseries:
  embedded: { path: ${join(dir, "ts.db")} }
library: { path: ${join(dir, "library.db")} }
web: { port: ${web}, host: 127.0.0.1 }
training: { postgres: { url: "${pgServer.url}" }, pseudonymSecret: ${SECRET} }
evidence: { catalogue: ${resolve("config/competence")} }
machines:
  - { id: ${machine}, name: M, kind: ${kind}, monitor: { type: shdr, host: 127.0.0.1, port: ${sim} } }
simulators:
  - { type: shdr, port: ${sim}, machines: 1, seed: ${seed}, timeScale: 60 }
`;
  const gw = new Gateway({
    config: parseConfig(yaml, `${id}.yaml`, {}),
    log: pino({ level: "silent" }),
    version: "t",
  });
  gateways.push(gw);
  webPorts.push((await gw.start()).webPort);
}

async function session(port: number, username: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/api/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password: password(username) }),
  });
  expect(res.status).toBe(200);
  return {
    cookie: res.headers.get("set-cookie")!.split(";")[0]!,
    csrf: ((await res.json()) as { csrfToken: string }).csrfToken,
  };
}

async function get<T>(port: number, path: string, who: { cookie: string }): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { cookie: who.cookie } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

beforeAll(async () => {
  pgServer = await startPostgres();
  const store = await PostgresTrainingStore.open(pgServer.url);
  const users = new UserService(store, { scrypt: { logN: 10, r: 8, p: 1 } });
  const courses = new CourseService(store);
  trainee = (await users.add({ username: "ola", displayName: "Ola Nordmann" }, password("ola"))).user;
  const kari = (
    await users.add({ username: "kari", displayName: "Kari", role: "instructor" }, password("kari"))
  ).user;
  const course = await courses.add({ name: "CNC", startDate: "2027-01-04", endDate: "2027-01-29" });
  await courses.enrol(course.id, [trainee.id, kari.id]);
  await store.close();
  await gatewayOn("gw-a", "lathe-1", "lathe", 7);
  await gatewayOn("gw-b", "mill-1", "mill", 8);
}, 90_000);

afterAll(async () => {
  for (const gw of gateways) await gw.stop();
  await pgServer?.stop();
});

describe("two gateways on one PostgreSQL", () => {
  it("sees a check-in made through the other gateway within a second, and the evidence it recorded", async () => {
    const [portA, portB] = webPorts as [number, number];
    const ola = await session(portA, "ola");
    const checkin = await fetch(`http://127.0.0.1:${portA}/api/machines/lathe-1/checkin`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: ola.cookie, "x-csrf-token": ola.csrf },
      body: "{}",
    });
    expect(checkin.status).toBe(200);
    // Gateway B does not run lathe-1, so a check-in there is not its business …
    const kariB = await session(portB, "kari");
    const elsewhere = await fetch(`http://127.0.0.1:${portB}/api/machines/lathe-1/checkin`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: kariB.cookie, "x-csrf-token": kariB.csrf },
      body: JSON.stringify({ userId: trainee.id }),
    });
    expect(elsewhere.status).toBe(404);
    // … but it sees who is there (LISTEN/NOTIFY), with the name for the instructor.
    const started = Date.now();
    const seen = await waitFor("lathe-1 in gateway B's sessions", async () => {
      const { sessions } = await get<{ sessions: { machine: string; trainee: { name: string } | null }[] }>(
        portB,
        "/api/sessions",
        kariB,
      );
      return sessions.find((s) => s.machine === "lathe-1");
    });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(seen.trainee?.name).toBe("Ola Nordmann");
    // B publishes nothing about a machine it does not run.
    const fleetB = await get<{ machines: { id: string }[] }>(portB, "/api/machines", kariB);
    expect(fleetB.machines.map((m) => m.id)).toEqual(["mill-1"]);

    // Gateway A records the trainee's cycles into the shared ledger; B reports them.
    await waitFor(
      "evidence from lathe-1 reported by gateway B",
      async () => {
        const progress = await get<{ goals: { evidence: { machine: string }[] }[] }>(
          portB,
          `/api/trainees/${trainee.id}/progress`,
          kariB,
        );
        return progress.goals.some((g) => g.evidence.some((e) => e.machine === "lathe-1")) || undefined;
      },
      45_000,
    );
  });
  it("knows a web login made on the other gateway, and a logout there ends it here too", async () => {
    const [portA, portB] = webPorts as [number, number];
    const kari = await session(portA, "kari");
    const me = await get<{ userId: string; csrfToken: string }>(portB, "/api/me", kari);
    expect(me.csrfToken).toBe(kari.csrf);
    const logout = await fetch(`http://127.0.0.1:${portB}/api/logout`, {
      method: "POST",
      headers: { cookie: kari.cookie, "x-csrf-token": kari.csrf },
    });
    expect(logout.status).toBe(204);
    const after = await fetch(`http://127.0.0.1:${portA}/api/me`, { headers: { cookie: kari.cookie } });
    expect(after.status).toBe(401);
  });
});
