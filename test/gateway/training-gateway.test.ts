// The training layer inside a running gateway, as `maskinport run` wires it:
// a badge reader (the embedded broker's `checkin` role) checks a trainee in
// over MQTT, the gateway answers on cmd/reply over its own connection, the
// machine's events carry the trainee's pseudonym, and the web API sees the
// session — with login working because the gateway now has users.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import mqtt from "mqtt";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { Gateway } from "../../src/gateway/gateway.ts";
import { pseudonymOf } from "../../src/training/people/pseudonym.ts";
import { UserService } from "../../src/training/people/users.ts";
import { SqliteTrainingStore } from "../../src/training/store/sqlite.ts";
import type { User } from "../../src/training/store/types.ts";
import { freePorts, waitFor } from "../support/ports.ts";

const SECRET = "gateway-test-pseudonym-secret-0123456789";
const READER_TOKEN = "reader-token-0123456789abcdef";
const READER_PASSWORD = "reader-password-0123456789";
const WATCHER_PASSWORD = "watcher-password-0123456789";
const PREFIX = "maskinport/trainingtest";
const PROGRAM =
  "%\nO1001 (TEST)\nG21 G40 G99\nT0101\nG96 S200 M03\nG00 X130. Z2.\nG01 X-1.6 F0.2\nG28 U0. W0.\nM30\n%\n";

let gateway: Gateway;
let mqttUrl: string;
let webPort: number;
let trainee: User;
let config: ReturnType<typeof parseConfig>;

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "mp-training-gw-"));
  const store = new SqliteTrainingStore(join(dir, "training.db"));
  const users = new UserService(store, { scrypt: { logN: 10, r: 8, p: 1 } });
  trainee = (
    await users.add(
      { username: "ola", displayName: "Ola Nordmann", role: "trainee", badge: "BADGE-42" },
      "pw-ola-long-enough",
    )
  ).user;
  await store.close();
  const [web, broker, sim, dncPort] = await freePorts(4);
  const yaml = `site: trainingtest
gateway: { id: gw-training }
mqtt:
  embedded:
    port: ${broker}
    users:
      - { username: reader, password: ${READER_PASSWORD}, role: checkin }
      - { username: watcher, password: ${WATCHER_PASSWORD}, role: read }
timeseries:
  embedded: { path: ${join(dir, "ts.db")} }
library: { path: ${join(dir, "library.db")} }
web: { port: ${web}, host: 127.0.0.1, liveRequiresLogin: true }
training:
  path: ${join(dir, "training.db")}
  pseudonymSecret: ${SECRET}
  checkinReaders: [{ id: door, token: ${READER_TOKEN}, machines: [lathe-1] }]
machines:
  - id: lathe-1
    name: Lathe
    kind: lathe
    monitor: { type: shdr, host: 127.0.0.1, port: ${sim} }
    dnc: { transport: tcp, host: 127.0.0.1, port: ${dncPort}, profile: fanuc }
simulators:
  - { type: shdr, port: ${sim}, machines: 1, seed: 7, timeScale: 60 }
  - { type: dnc, transport: tcp, port: ${dncPort}, profile: fanuc }
`;
  config = parseConfig(yaml, "training-gateway.yaml", {});
  gateway = new Gateway({
    config,
    log: pino({ level: "silent" }),
    version: "test",
  });
  ({ mqttUrl, webPort } = await gateway.start());
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
});

describe("training in the gateway", () => {
  it("checks a badge in over MQTT, answers on cmd/reply, and tags the machine's events with the pseudonym", async () => {
    const watcher = await mqtt.connectAsync(mqttUrl, {
      username: "watcher",
      password: WATCHER_PASSWORD,
      reconnectPeriod: 0,
    });
    const events: Record<string, unknown>[] = [];
    watcher.on("message", (_t, p) => events.push(JSON.parse(p.toString()) as Record<string, unknown>));
    await watcher.subscribeAsync(`${PREFIX}/lathe-1/event/#`, { qos: 1 });

    const reader = await mqtt.connectAsync(mqttUrl, {
      username: "reader",
      password: READER_PASSWORD,
      reconnectPeriod: 0,
    });
    const replies: Record<string, unknown>[] = [];
    reader.on("message", (_t, p) => replies.push(JSON.parse(p.toString()) as Record<string, unknown>));
    await reader.subscribeAsync(`${PREFIX}/+/cmd/reply`, { qos: 1 });
    await reader.publishAsync(
      `${PREFIX}/lathe-1/cmd/checkin`,
      JSON.stringify({
        v: 1,
        reader: "door",
        token: READER_TOKEN,
        badge: "BADGE-42",
        action: "checkin",
        requestId: "r-1",
      }),
      { qos: 1 },
    );
    const reply = await waitFor("the check-in reply", () => replies.find((r) => r.requestId === "r-1"));
    const pseudonym = pseudonymOf(SECRET, trainee.id);
    expect(reply).toMatchObject({ v: 1, ok: true, action: "checkin", machine: "lathe-1", pseudonym });

    const start = await waitFor("session.start on MQTT", () =>
      events.find((e) => e.type === "session.start"),
    );
    expect(start).toMatchObject({ machine: "lathe-1", pseudonym });
    const cycle = await waitFor(
      "a cycle event of the trainee",
      () => events.find((e) => String(e.type).startsWith("cycle.") && e.session === pseudonym),
      30_000,
    );
    expect(cycle.session).toBe(pseudonym);
    await reader.endAsync();
    await watcher.endAsync();
  });

  it("logs people in against the training store and shows who is where", async () => {
    const base = `http://127.0.0.1:${webPort}`;
    // liveRequiresLogin: without a login the live view is closed.
    expect((await fetch(`${base}/api/machines`)).status).toBe(401);
    const login = await fetch(`${base}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "ola", password: "pw-ola-long-enough" }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const me = (await (await fetch(`${base}/api/me`, { headers: { cookie } })).json()) as Record<
      string,
      unknown
    >;
    expect(me).toMatchObject({ userId: trainee.id, role: "trainee", displayName: "Ola Nordmann" });
    const sessions = (await (await fetch(`${base}/api/sessions`, { headers: { cookie } })).json()) as {
      sessions: Record<string, unknown>[];
    };
    expect(sessions.sessions).toEqual([
      expect.objectContaining({ machine: "lathe-1", source: "mqtt", you: true }),
    ]);
    expect((await fetch(`${base}/api/machines`, { headers: { cookie } })).status).toBe(200);

    // The machine page's cycles say which were the trainee's own ("you"), never the pseudonym:
    // the gateway wires the training store into the events route.
    const own = await waitFor(
      "one of the trainee's cycles in the store, marked as theirs",
      async () => {
        const res = await fetch(`${base}/api/machines/lathe-1/events?type=cycle.end`, {
          headers: { cookie },
        });
        const body = await res.text();
        expect(body).not.toContain(pseudonymOf(SECRET, trainee.id));
        const cycles = (JSON.parse(body) as { events: { who: unknown }[] }).events;
        return cycles.find((c) => (c.who as { you?: boolean } | null)?.you === true);
      },
      20_000,
    );
    expect(own.who).toEqual({ you: true, trainee: null });

    // Checked in on lathe-1, the trainee may send it a program from the browser (the DNC routes ask the sessions).
    const csrf = me.csrfToken as string;
    const sent = await fetch(`${base}/api/dnc/transfers`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, "x-csrf-token": csrf },
      body: JSON.stringify({ machine: "lathe-1", fileName: "O1001.NC", program: PROGRAM }),
    });
    expect(sent.status, await sent.clone().text()).toBe(202);
    // The technician's view of it on /metrics: one ok send on lathe-1, and its bytes; no file name.
    const metrics = await waitFor("the transfer on /metrics", async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return text.includes('maskinport_dnc_transfers_total{machine="lathe-1",direction="send",result="ok"} 1')
        ? text
        : undefined;
    });
    const bytes = /^maskinport_dnc_transfer_bytes_total\{machine="lathe-1",direction="send"\} (\d+)$/m.exec(
      metrics,
    );
    expect(Number(bytes?.[1])).toBeGreaterThan(0);
    expect(metrics).not.toContain("O1001");
    // Ola is checked in on lathe-1: one machine taken, counted without saying by whom.
    expect(metrics).toMatch(/^maskinport_training_checked_in_machines 1$/m);
    expect(metrics).not.toContain(pseudonymOf(SECRET, trainee.id));
  });

  it("keeps web logins across a restart (they live next to the users)", async () => {
    const base = () => `http://127.0.0.1:${webPort}`;
    const login = await fetch(`${base()}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "ola", password: "pw-ola-long-enough" }),
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    await gateway.stop();
    gateway = new Gateway({ config, log: pino({ level: "silent" }), version: "test" });
    ({ webPort } = await gateway.start());
    const me = await fetch(`${base()}/api/me`, { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ userId: trainee.id, displayName: "Ola Nordmann" });
  }, 30_000);
});
