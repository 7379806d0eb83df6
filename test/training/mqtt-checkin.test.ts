import { Writable } from "node:stream";
import { connectAsync, type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MAX_COMMAND_BYTES } from "../../src/training/checkin/command.ts";
import { MqttCheckin } from "../../src/training/checkin/mqtt-checkin.ts";
import { LoginThrottle } from "../../src/training/people/login-throttle.ts";
import { pseudonymOf } from "../../src/training/people/pseudonym.ts";
import { UserService } from "../../src/training/people/users.ts";
import { SessionService } from "../../src/training/sessions/sessions.ts";
import { type Mosquitto, startMosquitto } from "../support/mosquitto.ts";
import { waitFor } from "../support/ports.ts";
import { addUser, memoryStore, SECRET } from "./helpers.ts";

const TOKEN = "reader-token-0123456789abcdef";
const OTHER_TOKEN = "other-reader-token-0123456789";

let broker: Mosquitto;
beforeAll(async () => {
  broker = await startMosquitto();
});
afterAll(async () => {
  await broker?.stop();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Reply = Record<string, unknown>;

async function setup() {
  const prefix = `test-${Math.random().toString(36).slice(2, 10)}/raufoss`;
  const store = memoryStore();
  const logLines: string[] = [];
  const logger = pino(
    { level: "debug" },
    new Writable({
      write(chunk, _enc, cb) {
        logLines.push(String(chunk));
        cb();
      },
    }),
  );
  const sessions = await SessionService.start({
    store,
    pseudonymSecret: SECRET,
    idleCheckoutMinutes: 30,
    endOfDay: "off",
    timeZone: "Europe/Oslo",
    onOccupied: "refuse",
    machines: ["lathe-1", "mill-1"],
    logger,
  });
  const users = new UserService(store, { throttle: new LoginThrottle(), logger });
  const kari = await addUser(store, {
    username: "kari.nordmann",
    displayName: "Kari Nordmann",
    email: "kari@skole.example.no",
    badge: "04A1B2C3",
  });
  const ola = await addUser(store, { username: "ola.hansen", displayName: "Ola Hansen", badge: "04FFEE01" });
  const per = await addUser(store, {
    username: "per.instruktor",
    displayName: "Per Lærer",
    role: "instructor",
    badge: "04BEEF00",
  });

  const gatewayClient = await connectAsync(broker.url, { reconnectPeriod: 0 });
  const checkin = new MqttCheckin({
    client: gatewayClient,
    prefix,
    readers: [
      { id: "hall-a", token: TOKEN },
      { id: "mill-door", token: OTHER_TOKEN, machines: ["mill-1"] },
    ],
    sessions,
    users,
    logger,
  });
  await checkin.start();

  const reader: MqttClient = await connectAsync(broker.url, { reconnectPeriod: 0 });
  const replies: { topic: string; reply: Reply; raw: string }[] = [];
  const everything: string[] = [];
  reader.on("message", (topic, payload) => {
    everything.push(`${topic} ${payload.toString()}`);
    if (topic.endsWith("/cmd/reply"))
      replies.push({ topic, reply: JSON.parse(payload.toString()) as Reply, raw: payload.toString() });
  });
  await reader.subscribeAsync(`${prefix}/#`, { qos: 1 });
  cleanups.push(
    () => store.close(),
    () => sessions.close(),
    () => gatewayClient.endAsync(),
    () => checkin.stop(),
    () => reader.endAsync(),
  );

  /** Publish a command and wait for the n-th reply. */
  const send = async (machine: string, payload: string | Buffer | object): Promise<Reply> => {
    const n = replies.length;
    const body = typeof payload === "string" || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
    await reader.publishAsync(`${prefix}/${machine}/cmd/checkin`, body, { qos: 1 });
    return (await waitFor(`reply ${n + 1} on ${prefix}/${machine}/cmd/reply`, () => replies[n])).reply;
  };
  return { prefix, sessions, kari, ola, per, send, replies, everything, logLines, checkin };
}

const cmd = (over: Record<string, unknown>) => ({
  v: 1,
  reader: "hall-a",
  token: TOKEN,
  action: "checkin",
  ...over,
});

describe("MQTT check-in command (real Mosquitto)", () => {
  it("checks in by badge, answers on cmd/reply with the session and pseudonym, and checks out", async () => {
    const { sessions, kari, send, replies, prefix } = await setup();
    const r = await send("lathe-1", cmd({ badge: "04A1B2C3", requestId: "r-1" }));
    const session = sessions.current("lathe-1");
    expect(r).toEqual({
      v: 1,
      ok: true,
      action: "checkin",
      machine: "lathe-1",
      session: session?.sessionId,
      pseudonym: pseudonymOf(SECRET, kari.id),
      at: session?.since,
      already: false,
      requestId: "r-1",
    });
    expect(replies[0]?.topic).toBe(`${prefix}/lathe-1/cmd/reply`);
    expect(session?.source).toBe("mqtt");
    expect((await send("lathe-1", cmd({ badge: "04A1B2C3" }))).already).toBe(true);
    const out = await send("lathe-1", cmd({ user: kari.id, action: "checkout", requestId: "r-2" }));
    expect(out).toMatchObject({
      ok: true,
      action: "checkout",
      session: session?.sessionId,
      requestId: "r-2",
    });
    expect(sessions.current("lathe-1")).toBeUndefined();
  });

  it("tells a second trainee the machine is occupied, with since and the holder's pseudonym only", async () => {
    const { kari, send } = await setup();
    const first = await send("lathe-1", cmd({ badge: "04A1B2C3" }));
    const second = await send("lathe-1", cmd({ badge: "04FFEE01", requestId: "r-9" }));
    expect(second).toEqual({
      v: 1,
      ok: false,
      error: "occupied",
      reason: "machine is occupied by another trainee",
      since: first.at,
      holder: pseudonymOf(SECRET, kari.id),
      requestId: "r-9",
    });
    expect((await send("lathe-1", cmd({ badge: "04FFEE01", action: "checkout" }))).error).toBe(
      "not-checked-in",
    );
    // an instructor's badge checks out whoever is there
    expect((await send("lathe-1", cmd({ badge: "04BEEF00", action: "checkout" }))).ok).toBe(true);
  });

  it("answers every bad command with a reason and keeps working", async () => {
    const { send, checkin } = await setup();
    const cases: [string, string | Buffer | object, string, RegExp][] = [
      ["lathe-1", "{not json", "bad-json", /not JSON/],
      ["lathe-1", Buffer.alloc(MAX_COMMAND_BYTES + 1, 0x20), "too-large", /at most 4096/],
      ["lathe-1", cmd({ v: 2, badge: "x" }), "bad-command", /v: expected v: 1/],
      ["lathe-1", cmd({ badge: "x", user: "u-y" }), "bad-command", /exactly one of badge or user/],
      [
        "lathe-1",
        cmd({ badge: "x", action: "jump" }),
        "bad-command",
        /action: expected action "checkin" or "checkout"/,
      ],
      ["lathe-1", cmd({ badge: "x", extra: 1 }), "bad-command", /unknown key "extra"/],
      ["lathe-1", [1, 2], "bad-command", /expected object/],
      ["lathe-1", "null", "bad-command", /expected object/],
      [
        "lathe-1",
        cmd({ badge: "04A1B2C3", token: "wrong-token-wrong-token" }),
        "unauthorized",
        /unknown reader or wrong token/,
      ],
      [
        "lathe-1",
        cmd({ badge: "04A1B2C3", reader: "ghost" }),
        "unauthorized",
        /unknown reader or wrong token/,
      ],
      [
        "lathe-1",
        cmd({ badge: "04A1B2C3", reader: "mill-door", token: OTHER_TOKEN }),
        "reader-not-allowed",
        /may not/,
      ],
      ["lathe-9", cmd({ badge: "04A1B2C3" }), "unknown-machine", /no such machine/],
      ["lathe-1", cmd({ badge: "NOPE" }), "unknown-badge", /badge not registered/],
      ["lathe-1", cmd({ user: "u-nobody" }), "unknown-user", /no such user/],
      ["lathe-1", cmd({ badge: "04BEEF00" }), "not-a-trainee", /only trainees/],
    ];
    for (const [machine, payload, error, reason] of cases) {
      const r = await send(machine, payload);
      expect({ error: r.error, ok: r.ok }, JSON.stringify(payload).slice(0, 80)).toEqual({
        error,
        ok: false,
      });
      expect(r.reason).toMatch(reason);
    }
    expect((await send("lathe-1", cmd({ badge: "x", requestId: "keep-me", v: 3 }))).requestId).toBe(
      "keep-me",
    );
    // still alive: a good command works after all that
    expect(
      (await send("mill-1", cmd({ badge: "04A1B2C3", reader: "mill-door", token: OTHER_TOKEN }))).ok,
    ).toBe(true);
    await checkin.stop();
  });

  it("never puts a name, username, e-mail or badge on MQTT or in the log", async () => {
    const { kari, ola, per, send, everything, logLines } = await setup();
    await send("lathe-1", cmd({ badge: "04A1B2C3" }));
    await send("lathe-1", cmd({ badge: "04FFEE01" }));
    await send("lathe-1", cmd({ badge: "04BEEF00" }));
    await send("lathe-1", cmd({ badge: "NOPE-BADGE" }));
    await send("lathe-1", cmd({ user: ola.id, action: "checkout" }));
    await send("lathe-1", cmd({ badge: "04BEEF00", action: "checkout" }));
    await send("lathe-1", "{garbage");
    const replies = everything.filter((l) => l.includes("/cmd/reply"));
    expect(replies).toHaveLength(7);
    const logs = logLines.join("");
    expect(logLines.length).toBeGreaterThanOrEqual(7);
    for (const u of [kari, ola, per]) {
      for (const personal of [
        u.username,
        u.displayName,
        ...u.displayName.split(" "),
        u.email ?? "@",
        u.badge!,
      ]) {
        for (const line of replies) expect(line).not.toContain(personal);
        expect(logs).not.toContain(personal);
      }
    }
    expect(logs).not.toContain(TOKEN);
    expect(logs).not.toContain("NOPE-BADGE");
  });
});
