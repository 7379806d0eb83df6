// Upgrade path through the whole gateway: its data folder still has the
// per-sink outbox folders of the earlier version with undelivered entries
// (test/sinks/outbox/fixtures/legacy-outbox, written by that code). The
// gateway imports them into the shared outbox at start and delivers them to
// the broker and to InfluxDB, and its pipeline continues after their seqs.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectAsync } from "mqtt";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/load.ts";
import { Gateway } from "../../src/gateway/gateway.ts";
import { startOutageBroker } from "../faults/support/mosquitto-outage.ts";
import { influxCount, startInfluxd } from "../support/influxd.ts";
import { freePorts, waitFor } from "../support/ports.ts";

const FIXTURE = join(import.meta.dirname, "../sinks/outbox/fixtures/legacy-outbox");
const dir = mkdtempSync(join(tmpdir(), "mp-gw-upgrade-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("gateway start on an outbox folder of the earlier version", () => {
  it("delivers the old folders' undelivered entries to MQTT and InfluxDB; seq continues after them", {
    timeout: 60_000,
  }, async () => {
    const outboxPath = join(dir, "outbox");
    cpSync(FIXTURE, outboxPath, { recursive: true });
    const broker = await startOutageBroker();
    const influxd = await startInfluxd();
    const database = `upgrade_${process.pid}_${Date.now()}`;
    const [web, sim] = await freePorts(2);
    const prefix = `upgrade/${process.pid}`;
    // A persistent session, so the subscriber gets everything the gateway publishes from its start.
    const subscriber = await connectAsync(broker.url, {
      clientId: `upgrade-sub-${process.pid}`,
      clean: false,
    });
    const legacy: number[] = [];
    const live: number[] = [];
    subscriber.on("message", (topic, payload) => {
      const seq = (JSON.parse(payload.toString()) as { seq?: number }).seq;
      if (typeof seq !== "number") return;
      if (topic.startsWith("legacy/")) legacy.push(seq);
      else live.push(seq);
    });
    await subscriber.subscribeAsync(["legacy/#", `${prefix}/+/signal/#`], { qos: 1 });
    const config = parseConfig(
      `site: upgrade
gateway: { id: gw-upgrade, logLevel: warn }
mqtt: { url: "${broker.url}", prefix: ${prefix}, clientId: gw-upgrade-${process.pid} }
timeseries:
  influx: { url: "${influxd.url}", database: ${database}, createDatabase: true, flushIntervalMs: 200 }
outbox: { path: ${outboxPath} }
web: { port: ${web}, host: 127.0.0.1 }
machines:
  - { id: lathe-1, name: Lathe, kind: lathe, monitor: { type: shdr, host: 127.0.0.1, port: ${sim} } }
simulators:
  - { type: shdr, port: ${sim}, machines: 1, seed: 5, timeScale: 30 }
`,
      "upgrade.yaml",
      {},
    );
    const gateway = new Gateway({ config, log: pino({ level: "silent" }), version: "test" });
    try {
      await gateway.start();
      await waitFor("the old MQTT entries", () => (legacy.length >= 4 ? true : undefined), 15_000);
      expect(legacy).toEqual([3, 4, 5, 6]);
      await waitFor("new observations", () => (live.length > 0 ? true : undefined), 15_000);
      expect(Math.min(...live)).toBeGreaterThan(6); // never a seq the old outboxes had used
      await waitFor(
        "the old InfluxDB points",
        async () =>
          (await influxCount(
            influxd.url,
            database,
            "SELECT count(value) FROM signal WHERE machine = 'lathe-1' AND signal = 'part.count' AND time < '2024-01-01T00:00:00Z'",
          )) === 4
            ? true
            : undefined,
        15_000,
      );
      // The old per-sink files are gone; one log in outbox.path.
      expect(existsSync(join(outboxPath, "mqtt"))).toBe(false);
      expect(readdirSync(join(outboxPath, "influx"))).toEqual(["dead-letter.jsonl"]);
      expect(readdirSync(outboxPath)).toContain("cursors");
    } finally {
      await gateway.stop();
      await subscriber.endAsync(true);
      await broker.dispose();
      await influxd.stop();
    }
  });
});
