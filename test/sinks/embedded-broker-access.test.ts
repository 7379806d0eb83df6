// Who may speak on the embedded broker (issue 13, item 3): real broker
// thread, real TCP, mqtt.js clients. Only the gateway publishes under the
// prefix; its client id cannot be taken; check-in readers reach their
// command topics and nothing else; $SYS and check-in commands are not for
// everyone's eyes.
import { connectAsync, type IClientOptions, type MqttClient } from "mqtt";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MqttSink } from "../../src/sinks/mqtt/mqtt-sink.ts";
import { startTestBroker, type TestBroker } from "../support/embedded-broker.ts";
import { waitFor } from "../support/ports.ts";
import { output, snapshot } from "./helpers/fixtures.ts";
import { type Probe, subscribeProbe } from "./helpers/mqtt-probe.ts";

const PREFIX = "maskinport/test";
const STATE = `${PREFIX}/lathe-1/state`;
const STATUS = `${PREFIX}/gateway/gw-1/status`;
const READER = { username: "reader", password: "reader-password-1" };
const BADGE = { username: "badge-lathe-1", password: "badge-password-1" };
const LAB = { username: "lab", password: "lab-password-123" };

let broker: TestBroker;
let sink: MqttSink;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  broker = await startTestBroker({
    users: [
      { ...READER, role: "read" },
      { ...BADGE, role: "checkin" },
      { ...LAB, role: "readwrite" },
    ],
  });
  // The gateway's own publisher, as src/gateway wires it.
  sink = new MqttSink({
    url: broker.url,
    username: broker.gatewayLogin.username,
    password: broker.gatewayLogin.password,
    clientId: broker.gatewayLogin.clientId,
    prefix: PREFIX,
    gatewayId: "gw-1",
    signalQos: 0,
    reconnectPeriodMs: 100,
    log: pino({ level: "silent" }),
  });
  await sink.start();
  sink.write(output({ snapshots: [snapshot("lathe-1", "running", 1_700_000_000_000)] }));
});
afterAll(async () => {
  await sink?.stop();
  await broker?.close();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connect(opts: IClientOptions = {}): Promise<MqttClient> {
  const client = await connectAsync(broker.url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  cleanups.push(() => client.endAsync(true));
  return client;
}

/** A probe that can run a barrier (it publishes outside the prefix, so it needs a readwrite login). */
async function probe(filters: string[]): Promise<Probe> {
  const p = await subscribeProbe(broker.url, filters, LAB);
  cleanups.push(() => p.close());
  return p;
}

/** The QoS granted per filter; 128 is a refusal (mqtt.js rejects then, with the SUBACK attached). */
async function grantedQos(client: MqttClient, filters: string | string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(filters)).map((g) => g.qos);
  } catch (err) {
    const granted = (err as { packet?: { granted?: number[] } }).packet?.granted;
    if (granted) return granted;
    throw err;
  }
}

/** MQTT 3.1.1 cannot answer "no" to a PUBLISH: the broker closes the connection. */
async function expectPublishRefused(
  client: MqttClient,
  topic: string,
  payload: string,
  opts: { qos?: 0 | 1; retain?: boolean } = {},
): Promise<void> {
  const closed = new Promise<void>((resolve) => client.once("close", () => resolve()));
  client.publish(topic, payload, { qos: opts.qos ?? 0, retain: opts.retain ?? false });
  await expect(
    Promise.race([
      closed,
      new Promise((_, reject) => setTimeout(() => reject(new Error("still open")), 3000)),
    ]),
  ).resolves.toBeUndefined();
}

describe("embedded broker: only the gateway speaks for the gateway", () => {
  it("refuses an anonymous retained spoof of a machine's state and of the gateway status; new subscribers never see it", async () => {
    const first = await probe([STATE, STATUS]);
    await first.waitFor(STATE);
    await first.waitFor(STATUS);

    const spoofer = await connect();
    await expectPublishRefused(spoofer, STATE, JSON.stringify({ v: 1, state: "alarm", spoofed: true }), {
      retain: true,
    });
    const again = await connect();
    await expectPublishRefused(again, STATUS, JSON.stringify({ v: 1, status: "offline", spoofed: true }), {
      qos: 1,
      retain: true,
    });
    const readOnly = await connect(READER);
    await expectPublishRefused(readOnly, `${PREFIX}/mill-9/state`, JSON.stringify({ spoofed: true }), {
      retain: true,
    });

    const late = await probe([`${PREFIX}/#`]);
    await late.waitFor(STATE);
    await late.barrier();
    const seen = late.messages.filter((m) => m.topic.startsWith(`${PREFIX}/`));
    expect(seen.some((m) => m.payload.spoofed === true)).toBe(false);
    expect(late.on(STATE)[0]?.payload).toMatchObject({ state: "running" });
    expect(late.on(STATUS)[0]?.payload).toMatchObject({ status: "online" });
    expect(late.on(`${PREFIX}/mill-9/state`)).toEqual([]);
  });

  it("does not publish a Last Will that spoofs the gateway status", async () => {
    const spoofer = await connectAsync(broker.url, {
      reconnectPeriod: 0,
      will: {
        topic: STATUS,
        payload: Buffer.from(JSON.stringify({ v: 1, status: "offline", spoofed: true })),
        qos: 1,
        retain: true,
      },
    });
    const live = await probe([STATUS]);
    await live.waitFor(STATUS);
    // aedes announces a client's end on $SYS after it has dealt with its will.
    const watcher = await connect(LAB);
    const gone: string[] = [];
    watcher.on("message", (_topic, payload) => gone.push(payload.toString()));
    await watcher.subscribeAsync("$SYS/+/disconnect/clients");
    // An abrupt end (no DISCONNECT) is what makes a broker publish the will.
    (spoofer.stream as unknown as { destroy(): void }).destroy();
    await waitFor(
      "the broker to see the spoofer go",
      () => gone.includes(spoofer.options.clientId!) || undefined,
    );
    await live.barrier();
    const late = await probe([STATUS]);
    await late.waitFor(STATUS);
    await late.barrier();
    expect([...live.on(STATUS), ...late.on(STATUS)].some((m) => m.payload.spoofed === true)).toBe(false);
    spoofer.end(true);
  });

  it("refuses a readwrite user under the prefix but lets it publish elsewhere", async () => {
    const lab = await connect(LAB);
    await lab.publishAsync("lab/robot-1/temperature", "21.5", { qos: 1, retain: true });
    await expectPublishRefused(lab, STATE, JSON.stringify({ spoofed: true }), { qos: 1, retain: true });
    const late = await probe(["lab/#"]);
    const [temperature] = await late.waitFor("lab/robot-1/temperature");
    expect(temperature?.payload).toBe(21.5);
    // Clear it again (retained messages outlive the test); the probe would not parse the empty payload.
    await late.close();
    const clean = await connect(LAB);
    await clean.publishAsync("lab/robot-1/temperature", "", { qos: 1, retain: true });
  });

  it("refuses anyone connecting with the gateway's client id, and the gateway keeps publishing", async () => {
    const connectsBefore = sink.stats.connects;
    const live = await probe([STATE]);
    await live.waitFor(STATE);
    for (let i = 0; i < 5; i++) {
      await expect(
        connectAsync(broker.url, { clientId: broker.gatewayLogin.clientId, reconnectPeriod: 0 }),
      ).rejects.toThrow(/Identifier rejected/i);
      // A valid login of another user does not make the id available either.
      await expect(
        connectAsync(broker.url, { clientId: broker.gatewayLogin.clientId, reconnectPeriod: 0, ...LAB }),
      ).rejects.toThrow(/Identifier rejected/i);
    }
    expect(sink.connected).toBe(true);
    expect(sink.stats.connects).toBe(connectsBefore);

    sink.write(output({ snapshots: [snapshot("lathe-1", "idle", 1_700_000_100_000)] }));
    await waitFor("the new state", () => live.on(STATE).some((m) => m.payload.state === "idle"));
  });

  it("refuses a wrong gateway password like any wrong password", async () => {
    await expect(
      connectAsync(broker.url, {
        username: broker.gatewayLogin.username,
        password: "a-guess",
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow(/Bad username or password/i);
  });
});

describe("embedded broker: check-in readers", () => {
  const CHECKIN = `${PREFIX}/lathe-1/cmd/checkin`;
  const REPLY = `${PREFIX}/lathe-1/cmd/reply`;

  it("may publish a check-in command, which reaches the gateway and nobody else", async () => {
    const gateway = await subscribeProbe(broker.url, [`${PREFIX}/+/cmd/checkin`], broker.gatewayLogin);
    cleanups.push(() => gateway.close());
    const everything = await probe(["#"]);
    const anonymous = await subscribeProbe(broker.url, [`${PREFIX}/#`]);
    cleanups.push(() => anonymous.close());

    const reader = await connect(BADGE);
    await reader.publishAsync(CHECKIN, JSON.stringify({ v: 1, badge: "04A1B2", token: "per-reader-token" }), {
      qos: 1,
    });
    const [command] = await gateway.waitFor(CHECKIN);
    expect(command?.payload).toMatchObject({ badge: "04A1B2" });

    await everything.barrier();
    expect(everything.on(CHECKIN)).toEqual([]);
    expect(anonymous.on(CHECKIN)).toEqual([]);
  });

  it("may read replies on cmd/reply, and nothing else", async () => {
    const reader = await connect(BADGE);
    const replies: string[] = [];
    reader.on("message", (topic, payload) => replies.push(`${topic} ${payload.toString()}`));
    const granted = await grantedQos(reader, [
      `${PREFIX}/+/cmd/reply`,
      `${PREFIX}/#`,
      "#",
      `${PREFIX}/lathe-1/state`,
      "$SYS/#",
    ]);
    expect(granted).toEqual([0, 128, 128, 128, 128]);

    const gateway = await connect({ ...broker.gatewayLogin, clientId: "maskinport-gw-1-training" });
    await gateway.publishAsync(REPLY, JSON.stringify({ v: 1, ok: true }), { qos: 1 });
    await waitFor("the reply", () => replies.length > 0);
    expect(replies).toEqual([`${REPLY} {"v":1,"ok":true}`]);
  });

  it("is refused on any other topic, and for a retained command", async () => {
    await expectPublishRefused(await connect(BADGE), STATE, JSON.stringify({ spoofed: true }), {
      retain: true,
    });
    await expectPublishRefused(await connect(BADGE), REPLY, JSON.stringify({ spoofed: true }));
    await expectPublishRefused(await connect(BADGE), `${PREFIX}/lathe-1/cmd/checkin/x`, "{}");
    await expectPublishRefused(await connect(BADGE), "lab/anything", "{}");
    await expectPublishRefused(await connect(BADGE), CHECKIN, JSON.stringify({ v: 1 }), { retain: true });
  });
});

describe("embedded broker: $SYS", () => {
  it("is not open to anonymous or read users, even through #", async () => {
    const anonymous = await connect();
    const anonymousGot: string[] = [];
    anonymous.on("message", (topic) => anonymousGot.push(topic));
    expect(await grantedQos(anonymous, "$SYS/#")).toEqual([128]);
    await anonymous.subscribeAsync("#");

    const reader = await connect(READER);
    expect(await grantedQos(reader, "$SYS/+/new/clients")).toEqual([128]);

    const lab = await connect(LAB);
    const labGot: string[] = [];
    lab.on("message", (topic) => labGot.push(topic));
    expect(await grantedQos(lab, "$SYS/#")).toEqual([0]);

    // aedes announces every new client on $SYS/<id>/new/clients.
    await connect();
    await waitFor("a $SYS message for the readwrite user", () => labGot.some((t) => t.startsWith("$SYS/")));
    const barrier = `lab/barrier/${Date.now()}`;
    await lab.publishAsync(barrier, "x", { qos: 1 });
    await waitFor("the barrier", () => anonymousGot.includes(barrier));
    expect(anonymousGot.filter((t) => t.startsWith("$"))).toEqual([]);
  });

  it("cannot be published to, even by a readwrite user", async () => {
    await expectPublishRefused(await connect(LAB), "$SYS/fake/heartbeat", "x");
  });
});
