import { z } from "zod";
import { type MonitorConfig, monitorSchemas, PROTOCOLS } from "../adapters/registry.ts";
import { dncConfigSchema } from "../dnc/config.ts";
import { evidenceConfigSchema } from "../evidence/config.ts";
import { machineDeadbandSchema } from "../pipeline/deadband-config.ts";
import { mqttEmbeddedSchema as mqttEmbedded } from "../sinks/mqtt/broker-config.ts";
import { trainingConfigSchema } from "../training/config.ts";
import { webClientFields } from "../web/client-address.ts";
import { backoffSchema, durationMs, hostname, identifier, port, timeOfDay } from "./fields.ts";

// The configuration file's shape (DESIGN.md "Configuration sketch"). Key names
// are a contract with the school's technician: extend, never rename. Every
// object is strict so that a typo is an error with a "did you mean" hint.

const mqttSchema = z
  .object({
    embedded: mqttEmbedded.optional(),
    url: z
      .string()
      .regex(
        /^(mqtts?|wss?|tcp):\/\/[^\s]+$/,
        "expected a broker URL like mqtt://host:1883 or mqtts://host:8883",
      )
      .optional(),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** PEM files for TLS (mqtts://). */
    ca: z.string().min(1).optional(),
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    /** Topic prefix; default maskinport/<site>. */
    prefix: z
      .string()
      .regex(/^[^#+\s]+[^/#+\s]$/, "expected a topic prefix without wildcards or a trailing '/'")
      .optional(),
    /** QoS of per-signal topics (state and events are always QoS 1). */
    signalQos: z.union([z.literal(0), z.literal(1)], { error: "expected 0 or 1" }).default(0),
    clientId: z.string().min(1).optional(),
  })
  .strict()
  .refine((m) => (m.embedded ? !m.url : !!m.url), {
    message: "set exactly one of mqtt.embedded (built-in broker) or mqtt.url (external broker)",
  });

/** InfluxDB 1.x, or the v1-compatible API of 2.x/3.x (src/sinks/influx/README.md). */
const influxSchema = z
  .object({
    url: z.string().regex(/^https?:\/\/[^\s]+$/, "expected an InfluxDB URL like http://influxdb:8086"),
    database: z.string().min(1).default("maskinport"),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** InfluxDB 2.x/3.x API token (sent as `Authorization: Token …`), instead of username/password. */
    token: z.string().min(1).optional(),
    retentionPolicy: z.string().min(1).optional(),
    /** Write precision; n (default) keeps points of one signal in the same millisecond apart. */
    precision: z.enum(["n", "u", "ms", "s"]).default("n"),
    /** CREATE DATABASE at start (needs an admin user on 1.x). */
    createDatabase: z.boolean().default(false),
    batchSize: z.int().min(1).max(100_000).default(5000),
    flushIntervalMs: durationMs(10, 60_000).default(1000),
    backoff: backoffSchema.default({ initialMs: 500, maxMs: 30_000 }),
  })
  .strict()
  .refine((i) => !(i.token && (i.username || i.password)), {
    message: "set either timeseries.influx.token (2.x/3.x) or username/password (1.x), not both",
  });

const timeseriesSchema = z
  .object({
    embedded: z
      .object({
        path: z.string().min(1).default("data/timeseries.db"),
        /** Days to keep raw signal rows; 0 keeps everything. */
        retentionDays: z.int().min(0).max(3650).default(90),
      })
      .strict()
      .optional(),
    influx: influxSchema.optional(),
  })
  .strict();

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/** A size in bytes: a number, or text like "512MB", "1 GB", "2GiB". */
const byteSize = (min: number) =>
  z.union([z.int(), z.string()]).transform((v, ctx): number => {
    const m = typeof v === "number" ? null : /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(v);
    const bytes =
      typeof v === "number"
        ? v
        : m
          ? Math.floor(Number(m[1]) * (BYTE_UNITS[(m[2] ?? "b").toLowerCase()] ?? Number.NaN))
          : Number.NaN;
    if (Number.isFinite(bytes) && bytes >= min) return bytes;
    ctx.addIssue({
      code: "custom",
      message: `expected a size of at least ${min} bytes, like 1GB, 512MB or 1073741824`,
    });
    return z.NEVER;
  });

/**
 * The durable outbox in front of every sink that leaves the process (MQTT,
 * InfluxDB): src/sinks/outbox/README.md. One log under `path` for all of
 * them (a record per pipeline batch, a section per sink).
 */
const outboxSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Default: an `outbox` folder next to timeseries.embedded.path, else data/outbox. */
    path: z.string().min(1).optional(),
    /** The whole log, all sinks together. */
    maxBytes: byteSize(1024 * 1024).default(1_000_000_000),
    whenFull: z.enum(["pause", "drop-oldest"]).default("pause"),
    /** process: survives a crash of the gateway; power: also a power cut (fsync per write, slower). */
    durability: z.enum(["process", "power"]).default("process"),
  })
  .strict();

/** One variant per protocol of the adapter registry (src/adapters/registry.ts). */
export const monitorSchema = z.discriminatedUnion("type", monitorSchemas(), {
  error: `expected monitor.type to be one of: ${PROTOCOLS.map((p) => p.name).join(", ")}`,
});

export const MACHINE_KINDS = ["lathe", "mill", "turn-mill", "router", "grinder", "edm", "other"] as const;

const machineSchema = z
  .object({
    id: identifier("a machine id"),
    name: z.string().min(1),
    kind: z.enum(MACHINE_KINDS),
    monitor: monitorSchema.optional(),
    /** Program transfer over RS-232 or a serial device server (src/dnc). */
    dnc: dncConfigSchema.optional(),
    deadband: machineDeadbandSchema.optional(), // per signal, e.g. { spindle.speed: 5 } (src/pipeline/deadband-config.ts)
  })
  .strict();

/**
 * A `simulators:` entry as the product sees it: a type and its options. The
 * simulators are the demo fleet, not the product, so their schemas live with
 * them (simulators/registry.ts, zod only) and src/config imports nothing from
 * there. The gateway's loader (src/gateway/site-config.ts) passes the strict
 * entry schema to configSchemaWith, so `check-config` and `run` report a bad
 * entry with its line like any other key; the gateway validates each entry
 * again before it starts it.
 */
export const looseSimulatorEntry = z
  .object({ type: z.string({ error: "expected a simulator type (shdr, mtconnect, opcua, dnc …)" }) })
  .loose();
export type SimulatorEntry = z.output<typeof looseSimulatorEntry>;

/** The whole file's schema, its `simulators:` entries checked by `simulatorEntry`. */
export function configSchemaWith<Entry extends SimulatorEntry>(simulatorEntry: z.ZodType<Entry>) {
  return z
    .object({
      site: identifier("a site id"),
      gateway: z
        .object({
          id: identifier("a gateway id"),
          timeZone: z.string().default("Europe/Oslo"),
          logLevel: z.enum(["trace", "debug", "info", "warn", "error"]).default("info"),
        })
        .strict(),
      mqtt: mqttSchema,
      timeseries: timeseriesSchema.default({ embedded: { path: "data/timeseries.db", retentionDays: 90 } }),
      outbox: outboxSchema.default({
        enabled: true,
        maxBytes: 1_000_000_000,
        whenFull: "pause",
        durability: "process",
      }),
      web: z
        .object({
          port: port().default(8080),
          host: hostname().default("0.0.0.0"),
          /** The live view (/events, /api/machines*) needs a login too. Off: the wall screen shows it to all. */
          liveRequiresLogin: z.boolean().default(false),
          /** The session cookie's Secure flag: "auto" when the request came over TLS, true behind a TLS proxy. */
          secureCookies: z.union([z.literal("auto"), z.boolean()]).default("auto"),
          /**
           * Local times a shift (or a class) starts: the machine page's "this shift" view
           * (default 07:00, 15:00, 22:00, src/web/live-page.ts).
           */
          shiftStarts: z
            .array(timeOfDay(), { error: 'expected a list of times of day, like ["08:00", "12:30"]' })
            .min(1, "expected at least one shift start (or leave the key out for the default)")
            .max(12, "expected at most 12 shift starts")
            .refine((starts) => new Set(starts).size === starts.length, "expected each time once")
            .optional(),
          /** The largest NC program a browser may send (bytes; default 4 MiB, src/web/api/dnc). */
          maxProgramBytes: z
            .int()
            .min(1024, "expected at least 1024 bytes")
            .max(256 * 1024 * 1024)
            .optional(),
          ...webClientFields,
        })
        .strict()
        .default({ port: 8080, host: "0.0.0.0", liveRequiresLogin: false, secureCookies: "auto" }),
      /** The gateway's local database: program library and transfer audit (back it up). */
      library: z
        .object({ path: z.string().min(1).default("data/library.db") })
        .strict()
        .default({ path: "data/library.db" }),
      machines: z.array(machineSchema).min(1, "expected at least one machine"),
      simulators: z.array(simulatorEntry).default([]),
      /** People, courses and check-in sessions (src/training/README.md); absent = no logins, no sessions. */
      training: trainingConfigSchema.optional(),
      /** Competence evidence (src/evidence/README.md); recorded when `training` is configured too. */
      evidence: evidenceConfigSchema.optional(),
    })
    .strict()
    .superRefine((cfg, ctx) => {
      const machineIds = new Set(cfg.machines.map((m) => m.id));
      cfg.training?.checkinReaders.forEach((r, i) => {
        r.machines?.forEach((m, j) => {
          if (!machineIds.has(m)) {
            ctx.addIssue({
              code: "custom",
              path: ["training", "checkinReaders", i, "machines", j],
              message: `unknown machine "${m}"; expected one of the machines[].id: ${[...machineIds].join(", ")}`,
            });
          }
        });
      });
      const seen = new Map<string, number>();
      cfg.machines.forEach((m, i) => {
        const first = seen.get(m.id);
        if (first !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: ["machines", i, "id"],
            message: `duplicate machine id "${m.id}" (also machines[${first}]); ids must be unique`,
          });
        } else seen.set(m.id, i);
      });
    });
}

/** The product's schema: every key strict except the inside of `simulators:` entries (see above). */
export const configSchema = configSchemaWith(looseSimulatorEntry);
export type ConfigSchema = z.ZodType<MaskinportConfig>;

export type MaskinportConfig = z.infer<typeof configSchema>;
export type MachineConfig = MaskinportConfig["machines"][number];
export type { MonitorConfig };
