// Sustained points/s into a real influxd with batching, and what the durable
// outbox costs: the same observations written (A) straight through the
// `influx` package in batches, and (B) through InfluxSink with its outbox
// (append → read back → write → acknowledge), in the same run.
//
//   node_modules/.bin/node bench/outbox/influx-throughput.ts [--points 300000] [--batch 5000] [--rounds 3]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Logger, pino } from "pino";
import type { PipelineOutput } from "../../src/core/contracts.ts";
import { createInfluxClient } from "../../src/sinks/influx/client.ts";
import { InfluxSink } from "../../src/sinks/influx/influx-sink.ts";
import { PointBuilder } from "../../src/sinks/influx/points.ts";
import { DurableOutbox } from "../../src/sinks/outbox/durable-outbox.ts";
import { encodeMessages } from "../../src/sinks/outbox/publish-queue.ts";
import { SharedOutbox } from "../../src/sinks/outbox/shared-outbox.ts";
import { startInfluxd } from "../../test/support/influxd.ts";

const { values } = parseArgs({
  options: {
    points: { type: "string", default: "300000" },
    batch: { type: "string", default: "5000" },
    rounds: { type: "string", default: "3" },
  },
});
const TOTAL = Number(values.points);
const BATCH = Number(values.batch);

/** The InfluxSink every variant measures: the same batching, only the outbox differs. */
function benchSink(
  url: string,
  database: string,
  outbox: ConstructorParameters<typeof InfluxSink>[0]["outbox"],
  log: Logger,
): InfluxSink {
  return new InfluxSink({
    url,
    database,
    precision: "n",
    createDatabase: true,
    batchSize: BATCH,
    flushIntervalMs: 50,
    outbox,
    log,
  });
}
const ROUNDS = Number(values.rounds);
const PER_OUTPUT = 100; // observations per pipeline output, like a busy adapter's batch

function outputs(firstSeq: number): PipelineOutput[] {
  const out: PipelineOutput[] = [];
  const t0 = Date.now() - 3_600_000;
  for (let seq = firstSeq; seq < firstSeq + TOTAL; seq += PER_OUTPUT) {
    const observations = Array.from({ length: PER_OUTPUT }, (_, i) => {
      const s = seq + i;
      return {
        machine: `m${s % 10}`,
        signal: (["spindle.speed", "spindle.load", "feed.rate", "axis.x.position"] as const)[s % 4]!,
        value: (s * 7) % 10_000,
        ts: t0 + Math.floor(s / 10),
        rx: t0 + Math.floor(s / 10),
        quality: "good" as const,
        source: { protocol: "sim" as const, ref: "bench" },
        seq: s,
      };
    });
    out.push({ observations, events: [], snapshots: [] });
  }
  return out;
}

async function direct(url: string, database: string, seq: number): Promise<number> {
  const client = createInfluxClient({ url, database });
  const builder = new PointBuilder("n");
  const all = outputs(seq);
  const t0 = performance.now();
  let points: ReturnType<PointBuilder["build"]>["points"] = [];
  for (const out of all) {
    points.push(...builder.build(out).points);
    if (points.length >= BATCH) {
      await client.writePoints(
        points.map((p) => ({ measurement: p[0], tags: p[1], fields: p[2], timestamp: p[3] })),
        { database, precision: "n" },
      );
      points = [];
    }
  }
  if (points.length > 0) {
    await client.writePoints(
      points.map((p) => ({ measurement: p[0], tags: p[1], fields: p[2], timestamp: p[3] })),
      { database, precision: "n" },
    );
  }
  return (performance.now() - t0) / 1000;
}

async function throughOutbox(url: string, database: string, seq: number, dir: string): Promise<number> {
  const log = pino({ level: "silent" });
  const outbox = new DurableOutbox({
    path: join(dir, `ob-${seq}`),
    name: "influx",
    maxBytes: 4e9,
    whenFull: "pause",
    log,
  });
  outbox.open();
  const sink = benchSink(url, database, outbox, log);
  await sink.start();
  const all = outputs(seq);
  const t0 = performance.now();
  // Write as a pipeline would, yielding now and then so deliveries run alongside.
  for (let i = 0; i < all.length; i++) {
    sink.write(all[i]!);
    if (i % 20 === 19) await new Promise((r) => setImmediate(r));
  }
  while (outbox.depth() > 0) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - t0) / 1000;
  await sink.stop();
  outbox.close();
  return seconds;
}

/**
 * (C) As the gateway runs it: the shared log with an MQTT section in every
 * record too (the same observations as messages), the MQTT side acknowledged
 * as fast as it is read (a broker that keeps up), InfluxSink on its view.
 */
async function throughSharedLog(url: string, database: string, seq: number, dir: string): Promise<number> {
  const log = pino({ level: "silent" });
  const outbox = new SharedOutbox({
    path: join(dir, `shared-${seq}`),
    sinks: ["mqtt", "influx"],
    maxBytes: 4e9,
    whenFull: "pause",
    log,
  });
  outbox.open();
  const mqtt = outbox.sink("mqtt");
  const influx = outbox.sink("influx");
  const sink = benchSink(url, database, influx, log);
  await sink.start();
  const all = outputs(seq);
  const t0 = performance.now();
  let mqttAfter = 0;
  for (let i = 0; i < all.length; i++) {
    const out = all[i]!;
    outbox.batch(() => {
      mqtt.append(
        encodeMessages(
          out.observations.map((o) => ({
            topic: `bench/${o.machine}/signal/${o.signal}`,
            payload: JSON.stringify({ v: 1, value: o.value, ts: o.ts, seq: o.seq }),
            qos: 1 as const,
            retain: true,
          })),
        ),
        out.observations.length,
        out.observations.at(-1)?.seq,
      );
      sink.write(out);
    });
    if (i % 20 === 19) {
      const entries = mqtt.peek(mqttAfter, 1000);
      mqttAfter = entries.at(-1)?.id ?? mqttAfter;
      mqtt.ack(entries.map((e) => e.id));
      await new Promise((r) => setImmediate(r));
    }
  }
  mqtt.ack(mqtt.peek(mqttAfter, 100_000).map((e) => e.id));
  while (influx.depth() > 0) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - t0) / 1000;
  await sink.stop();
  outbox.close();
  return seconds;
}

const dir = mkdtempSync(join(tmpdir(), "mp-bench-influx-"));
const influxd = await startInfluxd({ own: true });
try {
  const database = "bench";
  await createInfluxClient({ url: influxd.url, database }).createDatabase(database);
  // Warm-up: shard creation, JIT.
  await direct(influxd.url, database, 10_000_000);
  const rows: { a: number; b: number; c: number }[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Rotate the order so no variant always meets a warmer (or busier) influxd.
    const base = (r + 1) * 1_000_000_000;
    const runs = [
      async () => ({ a: await direct(influxd.url, database, base) }),
      async () => ({ b: await throughOutbox(influxd.url, database, base + 300_000_000, dir) }),
      async () => ({ c: await throughSharedLog(influxd.url, database, base + 600_000_000, dir) }),
    ];
    const row = { a: 0, b: 0, c: 0 };
    for (let k = 0; k < runs.length; k++) Object.assign(row, await runs[(k + r) % runs.length]!());
    rows.push(row);
    console.log(
      `round ${r + 1}: direct ${(TOTAL / row.a).toFixed(0)} points/s, through outbox ${(TOTAL / row.b).toFixed(0)} points/s (${(row.b / row.a).toFixed(2)}×), shared log + MQTT section ${(TOTAL / row.c).toFixed(0)} points/s (${(row.c / row.a).toFixed(2)}×)`,
    );
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const a = median(rows.map((r) => r.a));
  const b = median(rows.map((r) => r.b));
  const c = median(rows.map((r) => r.c));
  console.log(
    `\n${TOTAL} points per run, batches of ${BATCH}, ${PER_OUTPUT} observations per write(), median of ${ROUNDS}`,
  );
  console.log(`direct (influx package, batched):  ${(TOTAL / a).toFixed(0)} points/s   goal ≥ 50,000`);
  console.log(`InfluxSink through the outbox:     ${(TOTAL / b).toFixed(0)} points/s`);
  console.log(`  + MQTT section in the shared log: ${(TOTAL / c).toFixed(0)} points/s`);
  console.log(
    `outbox cost (time ratio):          ${median(rows.map((r) => r.b / r.a)).toFixed(2)}× (shared log + MQTT: ${median(rows.map((r) => r.c / r.a)).toFixed(2)}×)   goal ≤ 1.3×`,
  );
} finally {
  await influxd.stop();
  rmSync(dir, { recursive: true, force: true });
}
