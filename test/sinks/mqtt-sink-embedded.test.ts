// MqttSink against the embedded aedes broker: the same contract suite as
// Mosquitto, plus the broker's own login check. Who may do what on the
// embedded broker is tested in embedded-broker-security.test.ts.
import { connectAsync } from "mqtt";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { MqttSink } from "../../src/sinks/mqtt/mqtt-sink.ts";
import { startTestBroker, type TestBroker } from "../support/embedded-broker.ts";
import { type BrokerUnderTest, mqttSinkContract } from "./helpers/mqtt-sink-contract.ts";

const silent = pino({ level: "silent" });

async function embeddedUnderTest(): Promise<BrokerUnderTest> {
  let broker: TestBroker = await startTestBroker();
  const port = broker.port;
  const { username, password } = broker.gatewayLogin;
  return {
    url: broker.url,
    port,
    // The sink under test is the gateway: only it may publish on this broker.
    login: { username, password },
    async restart() {
      await broker.close();
      broker = await startTestBroker({ port, gatewayPassword: broker.gatewayLogin.password });
    },
    stop: () => broker.close(),
  };
}

mqttSinkContract("embedded broker (aedes)", embeddedUnderTest);

describe("embedded broker with credentials", () => {
  // The older single login (mqtt.embedded.username/password): a readwrite user, and no anonymous read.
  const withLogin = () => startTestBroker({ username: "school", password: "s3cret-pw" });

  it("accepts the right password and rejects a wrong one", async () => {
    const broker = await withLogin();
    try {
      const url = broker.url;
      const ok = await connectAsync(url, { username: "school", password: "s3cret-pw", reconnectPeriod: 0 });
      await ok.endAsync();
      await expect(
        connectAsync(url, { username: "school", password: "wrong", reconnectPeriod: 0 }),
      ).rejects.toThrow(/Bad username or password/i);
      await expect(connectAsync(url, { reconnectPeriod: 0 })).rejects.toThrow(/Not authorized/i);
    } finally {
      await broker.close();
    }
  });

  it("makes MqttSink.start fail with a clear message that does not reveal the password", async () => {
    const broker = await withLogin();
    const sink = new MqttSink({
      url: broker.url,
      username: "school",
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
    await expect(startTestBroker({ username: "school" })).rejects.toThrow(/set both username and password/);
  });

  it("names the port and the fix when the port is taken", async () => {
    const first = await startTestBroker();
    try {
      await expect(startTestBroker({ port: first.port })).rejects.toThrow(
        new RegExp(`127\\.0\\.0\\.1:${first.port} \\(EADDRINUSE\\).*mqtt\\.embedded\\.port`),
      );
    } finally {
      await first.close();
    }
  });
});
