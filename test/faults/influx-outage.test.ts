// Fault injection: influxd (a real InfluxDB 1.x) is stopped for 30 s while
// observations flow through InfluxSink and its durable outbox. Afterwards
// every point is in InfluxDB: a count per machine equals what was written.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { InfluxSink } from "../../src/sinks/influx/influx-sink.ts";
import { DurableOutbox } from "../../src/sinks/outbox/durable-outbox.ts";
import { influxQuery, startInfluxd } from "../support/influxd.ts";
import { waitFor } from "../support/ports.ts";
import { sleep, startLoad } from "./support/load.ts";

const dir = mkdtempSync(join(tmpdir(), "mp-fault-influx-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fault: influxd stopped for 30 s", () => {
  it("every point is present afterwards (count per machine)", { timeout: 100_000 }, async () => {
    const log = pino({ level: "silent" });
    const influxd = await startInfluxd({ own: true });
    const database = "fault";
    const outbox = new DurableOutbox({
      path: join(dir, "influx"),
      name: "influx",
      maxBytes: 1e9,
      whenFull: "pause",
      log,
    });
    outbox.open();
    const sink = new InfluxSink({
      url: influxd.url,
      database,
      precision: "n",
      createDatabase: true,
      flushIntervalMs: 200,
      backoff: { initialMs: 250, maxMs: 2000 },
      outbox,
      log,
    });
    await sink.start();
    const load = startLoad((out) => sink.write(out), { rate: 2000, machines: 4 });
    try {
      await sleep(2000);
      await influxd.pause(); // SIGTERM: down for maintenance
      await sleep(30_000);
      const backlog = outbox.depth();
      await influxd.restart();
      await sleep(2000);
      load.stop();
      expect(backlog).toBeGreaterThan(50_000); // 2k/s × 30 s waited in the outbox
      expect(sink.stats.failures).toBeGreaterThan(0);

      await waitFor("the outbox to drain", () => (outbox.depth() === 0 ? true : undefined), 40_000);
      const r = await influxQuery(influxd.url, "SELECT count(seq) FROM signal GROUP BY machine", {
        db: database,
      });
      const counts = new Map(
        (r.results[0]?.series ?? []).map((s) => [s.tags?.machine ?? "", Number(s.values[0]?.[1] ?? 0)]),
      );
      expect(counts).toEqual(load.perMachine());
      expect(sink.stats.deadLettered).toBe(0);
    } finally {
      load.stop();
      await sink.stop();
      outbox.close();
      await influxd.stop();
    }
  });
});
