// The foundation's benchmark (issue #3): four figures, each with its goal.
// run-all.ts prints what this returns; every part can also be run alone
// (`--only`). Each section catches its own failure, so one missing service
// (e.g. no Mosquitto) costs its rows, not the whole report.
import { pino } from "pino";
import { startTestBroker } from "../../test/support/embedded-broker.ts";
import { startMosquitto } from "../../test/support/mosquitto.ts";
import { count, ms, rate } from "../support/format.ts";
import { descendantCpuUs, descendantRunQueueWaitUs } from "../support/machine.ts";
import { atLeast, atMost, type BenchRow } from "../support/table.ts";
import {
  type LatencyOptions,
  type LatencyResult,
  measureDirectMqttLatency,
  measureShdrToMqttLatency,
} from "./latency.ts";
import { type Comparison, compareWithRawMqttJs } from "./mqtt-throughput.ts";
import { measurePipelineAlone, measureTimeseriesAlone } from "./parts-alone.ts";
import { measureOkumaParse, measureSyntheticParse, type ParseResult } from "./shdr-parse.ts";

export const PARTS = ["parse", "embedded", "mosquitto", "latency", "alone"] as const;
export type Part = (typeof PARTS)[number];

export type FoundationBenchOptions = {
  parts: ReadonlySet<Part>;
  /** Interleaved raw/pipeline rounds per broker and QoS (best window counts). */
  rounds: number;
  warmupMs: number;
  windowMs: number;
  /** Measured seconds per latency run (after a 2 s warm-up). */
  latencySeconds: number;
  progress(message: string): void;
};

export type Section = { title: string; rows: BenchRow[] };

export const GOALS = {
  parseLinesPerSecond: 500_000,
  embeddedObsPerSecond: 100_000,
  mosquittoRatio: 0.8,
  latencyP99Ms: 50,
  latencyObsPerSecond: 5000,
} as const;

const log = pino({ level: "silent" });
/** Mosquitto queues at most 1,000 QoS 1 messages per slow subscriber by default and then drops; lift both limits. */
const MOSQUITTO_BENCH_CONFIG = ["max_queued_messages 0", "max_inflight_messages 0"];
/** Published-but-not-received observations allowed while measuring throughput. */
const MAX_IN_FLIGHT = 20_000;

function errorRow(what: string, err: unknown): BenchRow {
  return { what, measured: "–", goal: "", verdict: "error", note: (err as Error).message ?? String(err) };
}

function us(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return "–";
  return n < 1 ? `${(n * 1000).toFixed(0)} ns` : `${n.toFixed(1)} µs`;
}

function parseRow(what: string, r: ParseResult): BenchRow {
  return {
    what,
    measured: rate(r.lines.best, "lines/s"),
    goal: `≥ ${rate(GOALS.parseLinesPerSecond, "lines/s")}`,
    verdict: r.errors > 0 ? "FAIL" : atLeast(r.lines.best, GOALS.parseLinesPerSecond),
    note:
      `median ${rate(r.lines.median, "")}of ${r.lines.runs} runs, ${rate(r.lines.bestPerCpuSecond, "")}per CPU-second; ` +
      `${r.readingsPerLine.toFixed(2)} readings/line = ${rate(r.lines.best * r.readingsPerLine, "readings/s")}` +
      (r.errors > 0 ? `; ${r.errors} bad-input errors!` : ""),
  };
}

async function parseSection(progress: (m: string) => void): Promise<Section> {
  const title = "1. SHDR parse + normalise: ShdrStream, 64 KiB chunks → Readings (best run after warm-up)";
  const rows: BenchRow[] = [];
  progress("SHDR parse: okuma.txt");
  try {
    rows.push(parseRow("okuma.txt (real Okuma log, Devices.xml key map)", measureOkumaParse()));
  } catch (err) {
    rows.push(errorRow("okuma.txt", err));
  }
  progress("SHDR parse: synthetic 3-pair lines");
  try {
    rows.push(parseRow("synthetic ts|Sspeed|v|Sload|v|Xact|v lines", measureSyntheticParse()));
  } catch (err) {
    rows.push(errorRow("synthetic lines", err));
  }
  return { title, rows };
}

function lossNote(lost: number, written: number): string {
  return lost === 0 ? "no loss" : `LOST ${count(lost)} of ${count(written)}`;
}

async function embeddedSection(opts: FoundationBenchOptions): Promise<Section> {
  const title =
    "2. Pipeline → embedded broker (aedes in its broker thread), QoS 0 → mqtt.js subscriber (worker thread)";
  const what = "Pipeline.process → MqttSink.write, delivered";
  opts.progress("embedded broker: pipeline vs raw mqtt.js");
  let broker: Awaited<ReturnType<typeof startTestBroker>> | undefined;
  try {
    broker = await startTestBroker({ log });
    // Publishers log in as the gateway: nobody else may publish on the embedded broker.
    const url = broker.gatewayUrl;
    const c = await compareWithRawMqttJs({ ...throughput(opts), url, qos: 0 });
    return {
      title,
      rows: [
        {
          what,
          measured: rate(c.pipeline.rate, "obs/s"),
          goal: `≥ ${rate(GOALS.embeddedObsPerSecond, "obs/s")}`,
          verdict: atLeast(c.pipeline.rate, GOALS.embeddedObsPerSecond),
          note:
            `${lossNote(c.pipelineLost, c.pipeline.written)}; CPU/obs: gateway thread (pipeline, sink) ` +
            `${us(c.pipeline.cpuUsPerItem.publisher)}, subscriber ${us(c.pipeline.cpuUsPerItem.subscriber)}`,
        },
        {
          what: "context: raw mqtt.js, ready-made messages",
          measured: rate(c.raw.rate, "msg/s"),
          goal: "",
          verdict: "info",
          note:
            `${lossNote(c.rawLost, c.raw.written)}; CPU/msg: publisher + broker thread ${us(c.raw.cpuUsPerItem.publisher)}, ` +
            `subscriber ${us(c.raw.cpuUsPerItem.subscriber)}; ratio ${c.ratio.toFixed(2)}`,
        },
      ],
    };
  } catch (err) {
    return { title, rows: [errorRow(what, err)] };
  } finally {
    await broker?.close();
  }
}

function throughput(opts: FoundationBenchOptions) {
  return {
    warmupMs: opts.warmupMs,
    windowMs: opts.windowMs,
    maxInFlight: MAX_IN_FLIGHT,
    rounds: opts.rounds,
  };
}

function mosquittoRows(qos: 0 | 1, c: Comparison): BenchRow[] {
  // QoS 1 promises delivery: a loss there is a failure, at QoS 0 it is reported.
  const lossVerdict = qos === 1 && (c.pipelineLost > 0 || c.rawLost > 0);
  return [
    {
      what: `QoS ${qos}: Pipeline → MqttSink, delivered`,
      measured: rate(c.pipeline.rate, "obs/s"),
      goal: "",
      verdict: "info",
      note:
        `${lossNote(c.pipelineLost, c.pipeline.written)}; CPU/obs: gateway thread ${us(c.pipeline.cpuUsPerItem.publisher)}, ` +
        `mosquitto ${us(c.pipeline.cpuUsPerItem.mosquitto)}, subscriber ${us(c.pipeline.cpuUsPerItem.subscriber)}`,
    },
    {
      what: `QoS ${qos}: raw mqtt.js, ready-made messages`,
      measured: rate(c.raw.rate, "msg/s"),
      goal: "",
      verdict: "info",
      note:
        `${lossNote(c.rawLost, c.raw.written)}; CPU/msg: publisher ${us(c.raw.cpuUsPerItem.publisher)}, ` +
        `mosquitto ${us(c.raw.cpuUsPerItem.mosquitto)}, subscriber ${us(c.raw.cpuUsPerItem.subscriber)}`,
    },
    {
      what: `QoS ${qos}: ratio maskinport / raw`,
      measured: c.ratio.toFixed(2),
      goal: `≥ ${GOALS.mosquittoRatio.toFixed(2)}`,
      verdict: lossVerdict ? "FAIL" : atLeast(c.ratio, GOALS.mosquittoRatio),
      note:
        `median of ${c.rounds} back-to-back pairs (the rates above are each one's best window)` +
        (lossVerdict ? "; QoS 1 LOST MESSAGES" : ""),
    },
  ];
}

async function mosquittoSection(opts: FoundationBenchOptions): Promise<Section> {
  const title = "3. Pipeline → Mosquitto vs raw mqtt.js publishing in the same run → mqtt.js subscriber";
  let mosquitto: Awaited<ReturnType<typeof startMosquitto>> | undefined;
  const rows: BenchRow[] = [];
  try {
    mosquitto = await startMosquitto({ own: true, extraConfig: MOSQUITTO_BENCH_CONFIG });
    const cpu = { mosquitto: () => descendantCpuUs("mosquitto") };
    for (const qos of [0, 1] as const) {
      opts.progress(`Mosquitto QoS ${qos}: pipeline vs raw mqtt.js`);
      try {
        const c = await compareWithRawMqttJs({ ...throughput(opts), url: mosquitto.url, qos, cpu });
        rows.push(...mosquittoRows(qos, c));
      } catch (err) {
        rows.push(errorRow(`QoS ${qos}`, err));
      }
    }
  } catch (err) {
    rows.push(errorRow("Mosquitto", err));
  } finally {
    await mosquitto?.stop();
  }
  return { title, rows };
}

function waitsText(r: LatencyResult): string {
  const text = Object.entries(r.runQueueWaitMsPerSecond)
    .filter(([, v]) => Number.isFinite(v))
    .map(([k, v]) => `${k} ${v.toFixed(0)} ms/s`)
    .join(", ");
  return text || "–";
}

function latencyRow(target: string, r: LatencyResult): BenchRow {
  const d = r.latency;
  const shares = Object.entries(r.cpuShare)
    .filter(([, v]) => Number.isFinite(v))
    .map(([k, v]) => `${k} ${(v * 100).toFixed(0)}%`)
    .join(", ");
  const waits = waitsText(r);
  const problems = [
    r.missingStamps > 0 ? `${count(r.missingStamps)} stamped lines never arrived` : "",
    r.adapterErrors > 0 ? `${r.adapterErrors} adapter errors` : "",
  ].filter(Boolean);
  return {
    what: `${target}: p99`,
    measured: ms(d.p99),
    goal: `≤ ${GOALS.latencyP99Ms} ms`,
    verdict: problems.length > 0 ? "FAIL" : atMost(d.p99, GOALS.latencyP99Ms),
    note:
      `p50 ${ms(d.p50)}, p90 ${ms(d.p90)}, max ${ms(d.max)}; ${count(d.count)} lines; ` +
      `${rate(r.deliveredPerSecond, "obs/s")} delivered; CPU of a core: ${shares}; ` +
      `waited for a CPU: ${waits}` +
      (problems.length > 0 ? `; ${problems.join("; ")}` : ""),
  };
}

function floorRow(target: string, r: LatencyResult): BenchRow {
  const d = r.latency;
  return {
    what: `${target}, no gateway (floor): p99`,
    measured: ms(d.p99),
    goal: "",
    verdict: "info",
    note:
      `p50 ${ms(d.p50)}, p90 ${ms(d.p90)}, max ${ms(d.max)}; same stamped messages, bare mqtt.js → broker → ` +
      `consumer, 5 s; waited for a CPU: ${waitsText(r)}`,
  };
}

type Broker = { url: string; close(): Promise<void>; meters: Pick<LatencyOptions, "cpu" | "waits"> };

/** For the floor run only: the gateway's runs start their own embedded broker (`mqtt.embedded`). */
async function embeddedBroker(): Promise<Broker> {
  const broker = await startTestBroker({ log });
  // Publishers log in as the gateway: nobody else may publish on the embedded broker.
  return { url: broker.gatewayUrl, close: () => broker.close(), meters: {} };
}

async function mosquittoBroker(): Promise<Broker> {
  // Default configuration: latency is measured as a site would run it.
  const mosquitto = await startMosquitto({ own: true });
  return {
    url: mosquitto.url,
    close: () => mosquitto.stop(),
    meters: {
      cpu: { mosquitto: () => descendantCpuUs("mosquitto") },
      waits: { mosquitto: () => descendantRunQueueWaitUs("mosquitto") },
    },
  };
}

/** The configurations measured, each one `maskinport run` (bench/support/maskinport-process.ts). */
const LATENCY_VARIANTS = [
  ["default", "default config (outbox, QoS 1)"],
  ["lean", "lean config (no outbox, signals QoS 0)"],
] as const;

async function latencySection(opts: FoundationBenchOptions): Promise<Section> {
  const seconds = opts.latencySeconds;
  const title =
    `4. Latency SHDR line sent → MQTT message received, ${count(GOALS.latencyObsPerSecond)} obs/s paced ` +
    `(4 machines, 4 obs/line), maskinport run --config FILE, ${seconds} s after 2 s warm-up`;
  const base = { qos: 0 as const, obsPerSecond: GOALS.latencyObsPerSecond, machines: 4, warmupMs: 2000 };
  const rows: BenchRow[] = [];
  for (const [name, start] of [
    ["embedded broker", embeddedBroker],
    ["Mosquitto", mosquittoBroker],
  ] as const) {
    let broker: Broker | undefined;
    try {
      const external = name === "Mosquitto" ? await start() : undefined;
      broker = external;
      for (const [variant, label] of LATENCY_VARIANTS) {
        opts.progress(`latency: ${name}, ${variant} config`);
        const url = external?.url ?? "embedded";
        const run = { ...base, ...external?.meters, url, variant, measureMs: seconds * 1000 };
        try {
          rows.push(latencyRow(`${name}, ${label}`, await measureShdrToMqttLatency(run)));
        } catch (err) {
          rows.push(errorRow(`${name}, ${label}`, err));
        }
      }
      // Shorter: it only has to show the machine's floor in the same minute.
      opts.progress(`latency: ${name}, floor`);
      const floorBroker = external ?? (await start());
      broker = floorBroker;
      const floor = await measureDirectMqttLatency({
        ...base,
        ...floorBroker.meters,
        url: floorBroker.url,
        warmupMs: 1000,
        measureMs: 5000,
      });
      rows.push(floorRow(name, floor));
    } catch (err) {
      rows.push(errorRow(name, err));
    } finally {
      await broker?.close();
    }
  }
  return { title, rows };
}

async function aloneSection(progress: (m: string) => void): Promise<Section> {
  const title = "Context: in-process parts alone (no goal; where the time goes)";
  const rows: BenchRow[] = [];
  progress("context: Pipeline.process alone");
  try {
    const r = measurePipelineAlone();
    rows.push({
      what: "Pipeline.process (20 machines, every value new)",
      measured: rate(r.best, "readings/s"),
      goal: "",
      verdict: "info",
      note:
        `median ${rate(r.median, "")}of ${r.runs} runs, ${rate(r.bestPerCpuSecond, "")}per CPU-second; ` +
        `${us(1e6 / r.best)} per reading`,
    });
  } catch (err) {
    rows.push(errorRow("Pipeline.process", err));
  }
  try {
    const r = measurePipelineAlone(10);
    rows.push({
      what: "Pipeline.process, execution change every 10th",
      measured: rate(r.best, "readings/s"),
      goal: "",
      verdict: "info",
      note:
        `median ${rate(r.median, "")}of ${r.runs} runs, ${rate(r.bestPerCpuSecond, "")}per CPU-second; ` +
        "state machine, cycle events and snapshots on every 10th reading",
    });
  } catch (err) {
    rows.push(errorRow("Pipeline.process, state changes", err));
  }
  progress("context: EmbeddedTimeseries alone");
  try {
    const r = await measureTimeseriesAlone();
    rows.push({
      what: "EmbeddedTimeseries.write + flush (file, WAL)",
      measured: rate(r.best, "rows/s"),
      goal: "",
      verdict: "info",
      note:
        `median ${rate(r.median, "")}of ${r.runs} runs of 200 k observations, ` +
        `${rate(r.bestPerCpuSecond, "")}per CPU-second of the writing thread`,
    });
  } catch (err) {
    rows.push(errorRow("EmbeddedTimeseries", err));
  }
  return { title, rows };
}

export async function runFoundationBench(opts: FoundationBenchOptions): Promise<Section[]> {
  const sections: Section[] = [];
  if (opts.parts.has("parse")) sections.push(await parseSection(opts.progress));
  if (opts.parts.has("embedded")) sections.push(await embeddedSection(opts));
  if (opts.parts.has("mosquitto")) sections.push(await mosquittoSection(opts));
  if (opts.parts.has("latency")) sections.push(await latencySection(opts));
  if (opts.parts.has("alone")) sections.push(await aloneSection(opts.progress));
  return sections;
}
