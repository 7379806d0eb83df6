// MqttSink against the embedded aedes broker: the same contract suite as
// Mosquitto, plus the broker's own login check.
import { connectAsync } from "mqtt";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { type EmbeddedBroker, startEmbeddedBroker } from "../../src/sinks/mqtt/embedded-broker.ts";
import { MqttSink } from "../../src/sinks/mqtt/mqtt-sink.ts";
import { type BrokerUnderTest, mqttSinkContract } from "./helpers/mqtt-sink-contract.ts";

const silent = pino({ level: "silent" });

async function embeddedUnderTest(): Promise<BrokerUnderTest> {
  let broker: EmbeddedBroker = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silent });
  const port = broker.port;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async restart() {
      await broker.close();
      broker = await startEmbeddedBroker({ host: "127.0.0.1", port, log: silent });
    },
    stop: () => broker.close(),
  };
}

mqttSinkContract("embedded broker (aedes)", embeddedUnderTest);

describe("embedded broker with credentials", () => {
  const withLogin = () =>
    startEmbeddedBroker({
      host: "127.0.0.1",
      port: 0,
      username: "gateway",
      password: "s3cret-pw",
      log: silent,
    });

  it("accepts the right password and rejects a wrong one", async () => {
    const broker = await withLogin();
    try {
      const url = `mqtt://127.0.0.1:${broker.port}`;
      const ok = await connectAsync(url, { username: "gateway", password: "s3cret-pw", reconnectPeriod: 0 });
      await ok.endAsync();
      await expect(
        connectAsync(url, { username: "gateway", password: "wrong", reconnectPeriod: 0 }),
      ).rejects.toThrow(/Bad username or password/i);
      await expect(connectAsync(url, { reconnectPeriod: 0 })).rejects.toThrow(/Bad username or password/i);
    } finally {
      await broker.close();
    }
  });

  it("makes MqttSink.start fail with a clear message that does not reveal the password", async () => {
    const broker = await withLogin();
    const sink = new MqttSink({
      url: `mqtt://127.0.0.1:${broker.port}`,
      username: "gateway",
      password: "not-the-password",
      prefix: "maskinport/test",
      gatewayId: "gw-1",
      signalQos: 0,
      log: silent,
    });
    try {
      const failure = sink.start();
      await expect(failure).rejects.toThrow(/refused the connection.*mqtt\.username \/ mqtt\.password/);
      await expect(failure).rejects.not.toThrow(/not-the-password/);
    } finally {
      await sink.stop();
      await broker.close();
    }
  });

  it("refuses half-configured credentials", async () => {
    await expect(
      startEmbeddedBroker({ host: "127.0.0.1", port: 0, username: "gateway", log: silent }),
    ).rejects.toThrow(/set both username and password/);
  });

  it("names the port and the fix when the port is taken", async () => {
    const first = await startEmbeddedBroker({ host: "127.0.0.1", port: 0, log: silent });
    try {
      await expect(startEmbeddedBroker({ host: "127.0.0.1", port: first.port, log: silent })).rejects.toThrow(
        new RegExp(`127\\.0\\.0\\.1:${first.port} \\(EADDRINUSE\\).*mqtt\\.embedded\\.port`),
      );
    } finally {
      await first.close();
    }
  });
});
