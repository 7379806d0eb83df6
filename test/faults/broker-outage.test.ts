// Fault injection: the MQTT broker (a real Mosquitto) goes down for 10 s while
// 5,000 observations per second flow through MqttSink and its durable outbox.
// A subscriber with a persistent session must see every seq afterwards.
//
// The broker is stopped with SIGTERM (it saves its sessions and queues on the
// way out). A broker killed with SIGKILL loses what it acknowledged since its
// last autosave: MQTT's guarantee to a publisher ends at PUBACK, so no
// publisher can restore that (README: "What at-least-once covers").
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { MqttSink } from "../../src/sinks/mqtt/mqtt-sink.ts";
import { DurableOutbox } from "../../src/sinks/outbox/durable-outbox.ts";
import { waitFor } from "../support/ports.ts";
import { missingSeqs, sleep, startLoad } from "./support/load.ts";
import { startOutageBroker } from "./support/mosquitto-outage.ts";

const dir = mkdtempSync(join(tmpdir(), "mp-fault-broker-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fault: broker down for 10 s at 5k obs/s", () => {
  it("a persistent-session subscriber sees every seq: 0 missing", { timeout: 90_000 }, async () => {
    const log = pino({ level: "silent" });
    // Mosquitto's default queue per client is 1,000 messages: beyond it, it drops
    // what a slower subscriber has not taken yet. A no-loss site raises it (deploy/mosquitto.conf).
    const broker = await startOutageBroker(["max_queued_messages 1000000"]);
    const prefix = `fault/broker/${process.pid}`;
    const subscriber = await connectAsync(broker.url, {
      clientId: `fault-sub-${process.pid}`,
      clean: false,
      reconnectPeriod: 250,
    });
    const seen: number[] = [];
    subscriber.on("message", (_topic, payload) => {
      seen.push((JSON.parse(payload.toString()) as { seq: number }).seq);
    });
    await subscriber.subscribeAsync(`${prefix}/+/signal/#`, { qos: 1 });
    // Mosquitto saves sessions every second: let it save this subscription before the outage.
    await sleep(1200);

    const outbox = new DurableOutbox({
      path: join(dir, "mqtt"),
      name: "mqtt",
      maxBytes: 1e9,
      whenFull: "pause",
      log,
    });
    outbox.open();
    const sink = new MqttSink({
      url: broker.url,
      prefix,
      gatewayId: "gw-fault",
      clientId: `fault-gw-${process.pid}`,
      signalQos: 0,
      reconnectPeriodMs: 250,
      outbox,
      log,
    });
    await sink.start();
    const load = startLoad((out) => sink.write(out), { rate: 5000, machines: 5 });

    try {
      await sleep(1500);
      await broker.stop();
      const killedAt = load.sent();
      await sleep(10_000);
      const backlog = outbox.depth();
      await broker.start();
      await sleep(1500);
      load.stop();
      const total = load.sent();
      expect(total).toBeGreaterThan(55_000);
      // While the broker was gone the outbox held what flowed (5k/s × 10 s).
      expect(backlog).toBeGreaterThan(40_000);
      expect(killedAt).toBeGreaterThan(4000);

      await waitFor("the outbox to drain", () => (outbox.depth() === 0 ? true : undefined), 40_000);
      await waitFor(
        "the subscriber to have every seq",
        () => (missingSeqs(seen, total).length === 0 ? true : undefined),
        20_000,
      ).catch(() => undefined);
      const missing = missingSeqs(seen, total);
      expect(missing.length, `missing seqs, first: ${missing.slice(0, 10).join(", ")}`).toBe(0);
      expect(outbox.stats.dropped + outbox.stats.rejected).toBe(0);
    } finally {
      load.stop();
      await sink.stop();
      outbox.close();
      await subscriber.endAsync(true);
      await broker.dispose();
    }
  });
});
