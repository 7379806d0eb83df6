import { readFileSync } from "node:fs";
import { type Logger, pino } from "pino";
import type { MachineKind, MachineModel } from "../model/machine-model.ts";
import { AgentBuffer } from "./agent-buffer.ts";
import { AgentHttpServer } from "./agent-server.ts";
import type { SimDevice } from "./device-model.ts";
import type { AgentInfo, SchemaVersion } from "./documents.ts";
import { type FaultKind, FaultPlan, type FaultTarget } from "./faults.ts";
import { type AgentFeed, ModelFeed } from "./model-feed.ts";
import { ShdrFeed } from "./shdr-feed.ts";

// A small MTConnect agent in front of N simulated machines (the shared seeded
// machine model, model-feed.ts) or of one SHDR adapter (shdr-feed.ts): changes
// become sequence-numbered observations in a bounded buffer, served over HTTP
// like cppagent does. Tests reach in through `faults` (restart, cut, slow
// consumer, broken documents) and `models` (scripted feed hold, alarms…).

export type MtconnectSimulatorOptions = {
  host?: string;
  /** 0 = pick a free port (tests). */
  port?: number;
  machines?: number;
  seed?: number;
  /** Simulated seconds per real second. */
  timeScale?: number;
  /** Ring buffer size in observations (cppagent's default is 131072); small values make OUT_OF_RANGE easy. */
  bufferSize?: number;
  log?: Logger;
  /** "2.0" (default): default namespace, multipart/mixed. "1.3": `m:` prefix, x-mixed-replace, no `Z` in times. */
  schema?: SchemaVersion;
  /** Real ms between model ticks (default 100). */
  tickMs?: number;
  /** false: the machines only do what a script tells them (tests). Default true. */
  autoOperator?: boolean;
  /** Machine kinds by index; default alternates lathe, mill, lathe, … */
  kinds?: readonly MachineKind[];
  /**
   * Serve one device fed by an SHDR adapter instead of the machine models
   * (e.g. `maskinport sim shdr --replay okuma.txt`): its Devices.xml file, the
   * device in it (default: the first), the adapter's address.
   */
  shdr?: { host: string; port: number; devicesXml: string; device?: string };
};

export type MtconnectFaults = {
  /** Serve `kind` on the next `times` responses or stream parts matching `target` (default: any). */
  inject(kind: FaultKind, options?: { target?: FaultTarget; times?: number; hugeBytes?: number }): void;
  /** Restart the agent: new instanceId, sequence numbers from 1, open streams closed. */
  restart(): void;
  /** Reset every TCP connection (a cut cable). */
  cutConnections(): void;
  /** Streams stop reading the buffer for `ms` (a slow consumer); their clients fall behind → OUT_OF_RANGE. */
  slowConsumer(ms: number): void;
  /** Streams send nothing at all, not even heartbeats, for `ms`. */
  stall(ms: number): void;
  clear(): void;
};

export type MtconnectSimulator = {
  port: number;
  url: string;
  devices: readonly SimDevice[];
  models: readonly MachineModel[];
  instanceId(): number;
  /** Diff the models now (picks up scripted actions without waiting for the next tick). */
  poll(): void;
  faults: MtconnectFaults;
  close(): Promise<void>;
};

export async function startMtconnectSimulator(
  options: MtconnectSimulatorOptions = {},
): Promise<MtconnectSimulator> {
  const count = options.machines ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 64)
    throw new RangeError(`machines must be 1–64, got ${count}`);
  const seed = options.seed ?? 1;
  const schema = options.schema ?? "2.0";
  const log = options.log ?? pino({ level: "silent" });
  const buffer = new AgentBuffer(options.bufferSize ?? 131_072);
  let instanceId = Math.floor(Date.now() / 1000);
  const info = (): AgentInfo => ({ instanceId, schema, buffer, sender: "maskinport-sim" });
  const faults = new FaultPlan();

  const timestamp = (ms = Date.now()) => {
    const iso = new Date(ms).toISOString();
    return schema === "1.3" ? iso.slice(0, -1) : iso; // 1.x agents often omit the Z
  };
  const modelFeed = options.shdr
    ? undefined
    : new ModelFeed({
        machines: count,
        seed,
        kinds: options.kinds,
        autoOperator: options.autoOperator ?? true,
        timeScale: options.timeScale ?? 1,
        tickMs: options.tickMs ?? 100,
        buffer,
        timestamp,
      });
  const feed: AgentFeed =
    modelFeed ??
    new ShdrFeed({
      ...options.shdr!,
      devicesXml: readFileSync(options.shdr!.devicesXml, "utf8"),
      buffer,
      timestamp,
      log,
    });
  const devices = feed.devices;

  const server = new AgentHttpServer({ devices, info, faults, log });
  const port = await server.listen(options.host ?? "127.0.0.1", options.port ?? 0);
  feed.start();
  const host = options.host ?? "127.0.0.1";
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  log.info(
    { url, machines: devices.map((d) => d.name), instanceId, schema },
    "mtconnect simulator listening",
  );

  return {
    port,
    url,
    devices,
    models: modelFeed?.models ?? [],
    instanceId: () => instanceId,
    poll: () => feed.poll(),
    faults: {
      inject(kind, o = {}) {
        if (o.hugeBytes !== undefined) faults.hugeBytes = o.hugeBytes;
        faults.inject(kind, o.target, o.times);
      },
      restart() {
        instanceId = Math.max(instanceId + 1, Math.floor(Date.now() / 1000));
        server.closeStreams();
        buffer.clear();
        feed.restart();
        log.info({ instanceId }, "mtconnect simulator restarted");
      },
      cutConnections: () => server.cutConnections(),
      slowConsumer(ms) {
        faults.holdUntil = Date.now() + ms;
      },
      stall(ms) {
        faults.stallUntil = Date.now() + ms;
      },
      clear: () => faults.clear(),
    },
    async close() {
      feed.stop();
      await server.close();
    },
  };
}
