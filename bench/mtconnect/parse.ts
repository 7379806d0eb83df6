// Bench: a /sample multipart stream → observations → readings, in process.
// The stream is what the simulated agent writes for 10 busy machines (parts of
// 500 observations each); it is framed, parsed, bound and converted exactly
// as MtconnectAdapter does it, in TCP-sized chunks. Goal: ≥ 100,000 obs/s.
//
//   node_modules/.bin/node bench/mtconnect/parse.ts [--parts 400] [--per-part 500]
import { parseArgs } from "node:util";
import { AgentBuffer } from "../../simulators/mtconnect/agent-buffer.ts";
import { buildSimDevice } from "../../simulators/mtconnect/device-model.ts";
import { type AgentInfo, probeXml, streamsXml } from "../../simulators/mtconnect/documents.ts";
import { bindAgent } from "../../src/adapters/mtconnect/bindings.ts";
import { MultipartFramer } from "../../src/adapters/mtconnect/multipart.ts";
import { type BoundObservation, ObservationRouter } from "../../src/adapters/mtconnect/router.ts";
import { StreamsParser } from "../../src/adapters/mtconnect/streams-parser.ts";
import { parseDevicesXml } from "../../src/adapters/mtconnect-common/devices.ts";

const { values } = parseArgs({ options: { parts: { type: "string" }, "per-part": { type: "string" } } });
const PARTS = Number(values.parts ?? 400);
const PER_PART = Number(values["per-part"] ?? 500);
const MACHINES = 10;
const BOUNDARY = "bench0boundary";

// --- build the stream the agent would send ---
const devices = Array.from({ length: MACHINES }, (_, i) =>
  buildSimDevice(i % 2 === 0 ? "lathe" : "mill", i + 1),
);
const buffer = new AgentBuffer(PER_PART * 2);
const info: AgentInfo = { instanceId: 1, schema: "2.0", buffer, sender: "bench" };
const probe = probeXml(info, devices);
const items = devices.flatMap((d) =>
  d.items.filter((i) => i.category !== "CONDITION").map((item) => ({ d, item })),
);
const chunks: Buffer[] = [];
let bytes = 0;
let t = Date.UTC(2026, 0, 5, 8);
for (let p = 0; p < PARTS; p++) {
  const observations = [];
  for (let k = 0; k < PER_PART; k++) {
    const { d, item } = items[(p * PER_PART + k) % items.length]!;
    t += 1;
    const value =
      item.category === "SAMPLE"
        ? (Math.sin((p * PER_PART + k) / 50) * 1000).toFixed(3)
        : item.type === "EXECUTION"
          ? "ACTIVE"
          : "42";
    observations.push(buffer.add({ device: d, item, timestamp: new Date(t).toISOString(), value }));
  }
  const body = Buffer.from(streamsXml(info, devices, observations, buffer.nextSequence));
  const part = Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\nContent-type: text/xml\r\nContent-length: ${body.length}\r\n\r\n`),
    body,
    Buffer.from("\r\n"),
  ]);
  // TCP hands data over in ~64 KiB reads; cut the stream like that, across part borders.
  bytes += part.length;
  chunks.push(part);
}
const stream = Buffer.concat(chunks);
const reads: Buffer[] = [];
for (let i = 0; i < stream.length; i += 65_536) reads.push(stream.subarray(i, i + 65_536));

// --- the adapter's path: framer → SAX parser → bind → convert ---
const bindings = bindAgent(
  parseDevicesXml(probe),
  devices.map((d) => ({ id: `m${d.machineIndex}`, device: d.name })),
  "bench",
);

function run(convert: boolean): { observations: number; readings: number; ms: number } {
  const router = new ObservationRouter(bindings);
  let observations = 0;
  let readings = 0;
  let batch: BoundObservation[] = [];
  let parser: StreamsParser | undefined;
  const decoder = new TextDecoder();
  const framer = new MultipartFramer(
    BOUNDARY,
    {
      partStart: () => {
        batch = [];
        parser = new StreamsParser((o) => {
          observations++;
          if (!convert) return;
          const b = router.bind(o);
          if (b) batch.push({ binding: b, obs: o });
        });
      },
      partData: (c) => parser!.write(decoder.decode(c, { stream: true })),
      partEnd: () => {
        parser!.write(decoder.decode());
        parser!.end();
        if (convert) readings += router.streamed(batch, Date.now()).length;
      },
    },
    { maxPartBytes: 64 * 1024 * 1024 },
  );
  const t0 = performance.now();
  for (const r of reads) framer.push(r);
  return { observations, readings, ms: performance.now() - t0 };
}

run(true); // warm-up
const results = { parse: [] as number[], full: [] as number[] };
let last = { observations: 0, readings: 0, ms: 0 };
for (let i = 0; i < 5; i++) {
  const p = run(false);
  results.parse.push(p.observations / (p.ms / 1000));
  last = run(true);
  results.full.push(last.observations / (last.ms / 1000));
}
const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const mb = bytes / 1024 / 1024;
console.log(
  `MTConnect /sample stream: ${PARTS} parts × ${PER_PART} observations, ${mb.toFixed(1)} MiB, ${MACHINES} machines`,
);
console.log(
  `  frame + parse only:              ${Math.round(median(results.parse)).toLocaleString("en")} obs/s`,
);
const full = median(results.full);
console.log(
  `  frame + parse + bind + convert:  ${Math.round(full).toLocaleString("en")} obs/s ` +
    `(${(mb * (full / last.observations)).toFixed(1)} MiB/s; ${last.readings.toLocaleString("en")} readings per run; goal ≥ 100,000 obs/s)`,
);
