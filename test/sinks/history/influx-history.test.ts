// The history contract against InfluxDB 1.x: the points are written by the
// real InfluxSink (through its outbox) and read back with InfluxQL.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { InfluxHistory } from "../../../src/sinks/history/influx-history.ts";
import { InfluxSink } from "../../../src/sinks/influx/influx-sink.ts";
import { DurableOutbox } from "../../../src/sinks/outbox/durable-outbox.ts";
import { startInfluxd } from "../../support/influxd.ts";
import { waitFor } from "../../support/ports.ts";
import { historyContract } from "./history-contract.ts";

historyContract("InfluxDB 1.x (InfluxQL)", async () => {
  const influxd = await startInfluxd();
  const dir = mkdtempSync(join(tmpdir(), "mp-influx-history-"));
  const log = pino({ level: "silent" });
  const outbox = new DurableOutbox({
    path: join(dir, "influx"),
    name: "influx",
    maxBytes: 1e8,
    whenFull: "pause",
    log,
  });
  outbox.open();
  const database = `history_${process.pid}_${Date.now()}`;
  const sink = new InfluxSink({
    url: influxd.url,
    database,
    precision: "n",
    createDatabase: true,
    flushIntervalMs: 50,
    outbox,
    log,
  });
  await sink.start();
  return {
    history: new InfluxHistory({ url: influxd.url, database }),
    write: async (out) => {
      sink.write(out);
      await waitFor("the points in InfluxDB", () => (outbox.depth() === 0 ? true : undefined));
    },
    close: async () => {
      await sink.stop();
      outbox.close();
      await influxd.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
