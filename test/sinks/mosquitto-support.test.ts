// The test helper itself: a spawned Mosquitto can be killed and restarted on
// the same port; the CI-provided one cannot.
import { connectAsync } from "mqtt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { startMosquitto } from "../support/mosquitto.ts";

describe("startMosquitto", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("uses MASKINPORT_TEST_MQTT_URL when set, and refuses to kill or restart it", async () => {
    vi.stubEnv("MASKINPORT_TEST_MQTT_URL", "mqtt://127.0.0.1:18830");
    const broker = await startMosquitto();
    expect(broker).toMatchObject({ url: "mqtt://127.0.0.1:18830", port: 18830, owned: false });
    expect(() => broker.kill()).toThrow(/not owned/);
    await expect(broker.restart()).rejects.toThrow(/not owned/);
    await broker.stop(); // harmless
  });

  it("spawns its own broker that survives kill + restart on the same port, keeping retained messages with persistence", async () => {
    vi.stubEnv("MASKINPORT_TEST_MQTT_URL", "mqtt://127.0.0.1:18830"); // ignored: persistence needs an own broker
    const broker = await startMosquitto({ persistence: true });
    try {
      expect(broker.owned).toBe(true);
      const publisher = await connectAsync(broker.url, { reconnectPeriod: 0 });
      await publisher.publishAsync("t/retained", "kept", { qos: 1, retain: true });
      await publisher.endAsync();
      await broker.restart(); // graceful: Mosquitto saves its persistence file

      const subscriber = await connectAsync(broker.url, { reconnectPeriod: 0 });
      const got = new Promise<string>((resolve) =>
        subscriber.on("message", (_t, p) => resolve(p.toString())),
      );
      await subscriber.subscribeAsync("t/retained", { qos: 1 });
      expect(await got).toBe("kept");

      broker.kill();
      await new Promise<void>((resolve) => subscriber.once("close", () => resolve()));
      await subscriber.endAsync(true);
      await broker.restart();
      const again = await connectAsync(broker.url, { reconnectPeriod: 0 });
      await again.endAsync();
    } finally {
      await broker.stop();
    }
  });
});
