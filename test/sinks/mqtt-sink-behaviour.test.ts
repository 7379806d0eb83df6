// MqttSink behaviour that does not depend on which broker it talks to:
// logging (no storms, no secrets), config errors, offline buffering.
import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { GATEWAY_USERNAME } from "../../src/sinks/mqtt/broker-config.ts";
import { MqttSink, redactUrl } from "../../src/sinks/mqtt/mqtt-sink.ts";
import { startTestBroker } from "../support/embedded-broker.ts";
import { freePort, waitFor } from "../support/ports.ts";
import { cycleEnd, obs, output } from "./helpers/fixtures.ts";
import { subscribeProbe } from "./helpers/mqtt-probe.ts";

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      raw.push(chunk.toString());
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: pino({ level: "debug" }, stream), lines, raw };
}

const baseOptions = {
  prefix: "maskinport/test",
  gatewayId: "gw-1",
  signalQos: 0 as const,
  reconnectPeriodMs: 20,
};

describe("MqttSink", () => {
  it("redacts credentials from URLs", () => {
    expect(redactUrl("mqtt://user:hunter2@broker.lan:1883")).toBe("mqtt://broker.lan:1883");
    expect(redactUrl("mqtts://broker.lan:8883/")).toBe("mqtts://broker.lan:8883");
    expect(redactUrl("not a url")).toBe("<unparseable MQTT URL>");
  });

  it("logs one line per outage, not one per reconnect attempt, and never the password", async () => {
    const { log, lines, raw } = capturingLogger();
    const port = await freePort(); // nothing listens here
    const sink = new MqttSink({
      ...baseOptions,
      url: `mqtt://gw:hunter2@127.0.0.1:${port}`,
      password: "also-secret",
      log,
      startTimeoutMs: 400,
    });
    // start() resolves after startTimeoutMs (the gateway keeps running); with
    // a 20 ms reconnect period that is a dozen or more failed attempts.
    await sink.start();
    await sink.stop();
    const warnings = lines.filter((l) => (l.level as number) >= 40);
    expect(warnings.map((l) => l.msg)).toEqual([
      "mqtt connection error; retrying in the background",
      "mqtt broker not reachable yet; the gateway keeps running and retries",
    ]);
    expect(raw.join("")).not.toMatch(/hunter2|also-secret/);
  });

  it("names the unreadable TLS file and the config key", async () => {
    const sink = new MqttSink({
      ...baseOptions,
      url: "mqtts://127.0.0.1:1",
      ca: "/nonexistent/ca.pem",
      log: pino({ level: "silent" }),
    });
    await expect(sink.start()).rejects.toThrow('cannot read mqtt.ca file "/nonexistent/ca.pem" (ENOENT)');
  });

  it("rejects a URL mqtt.js cannot use, naming the config key", async () => {
    const sink = new MqttSink({ ...baseOptions, url: "ftp://broker.lan:21", log: pino({ level: "silent" }) });
    await expect(sink.start()).rejects.toThrow(
      /invalid mqtt\.url ftp:\/\/broker\.lan: unsupported scheme "ftp:"/,
    );
  });

  it("while offline keeps the latest values and queued events, and delivers them on connect", async () => {
    const port = await freePort();
    const sink = new MqttSink({
      ...baseOptions,
      url: `mqtt://127.0.0.1:${port}`,
      // The broker starts later with this gateway password (only the gateway may publish).
      username: GATEWAY_USERNAME,
      password: "the-sink-waits-with-this",
      log: pino({ level: "silent" }),
      startTimeoutMs: 50,
    });
    await sink.start();
    expect(sink.connected).toBe(false);
    sink.write(
      output({
        observations: [obs("lathe-1", "spindle.speed", 100, 1), obs("lathe-1", "spindle.speed", 200, 2)],
        events: [cycleEnd("lathe-1", 0, 1000)],
      }),
    );
    expect(sink.queueDepth()).toBe(1); // the event; signal values are coalesced, not queued

    const broker = await startTestBroker({ port, gatewayPassword: "the-sink-waits-with-this" });
    try {
      await waitFor("connect", () => sink.connected);
      await waitFor("the event to be acknowledged", () => sink.queueDepth() === 0);
      const late = await subscribeProbe(`mqtt://127.0.0.1:${port}`, ["maskinport/test/#"]);
      const [speed] = await late.waitFor("maskinport/test/lathe-1/signal/spindle.speed");
      expect(speed?.payload).toMatchObject({ value: 200, seq: 2 });
      await late.close();
    } finally {
      await sink.stop();
      await broker.close();
    }
  });

  it("drops events beyond maxOfflineEvents and counts them", async () => {
    const port = await freePort();
    const sink = new MqttSink({
      ...baseOptions,
      url: `mqtt://127.0.0.1:${port}`,
      log: pino({ level: "silent" }),
      startTimeoutMs: 50,
      stopTimeoutMs: 50,
      maxOfflineEvents: 2,
    });
    await sink.start();
    sink.write(output({ events: [1, 2, 3, 4].map((i) => cycleEnd("lathe-1", 0, i)) }));
    expect(sink.queueDepth()).toBe(2);
    expect(sink.stats.dropped).toBe(2);
    await sink.stop();
  });
});
