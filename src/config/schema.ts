import { z } from "zod";
import { mtconnectMonitorSchema } from "../adapters/mtconnect/config.ts";
import { shdrMonitorSchema } from "../adapters/shdr/config.ts";
import { mtconnectSimulatorSchema } from "../../simulators/mtconnect/config.ts";
import { hostname, identifier, port } from "./fields.ts";

// The configuration file's shape (DESIGN.md "Configuration sketch"). Key names
// are a contract with the school's technician: extend, never rename. Every
// object is strict so that a typo is an error with a "did you mean" hint.

const mqttEmbedded = z
  .object({
    port: port().default(1883),
    /** Loopback by default: the embedded broker is for this PC unless the technician opens it. */
    host: hostname().default("127.0.0.1"),
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
  })
  .strict();

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
  })
  .strict();

/** One entry per protocol. */
export const monitorSchema = z.discriminatedUnion("type", [shdrMonitorSchema, mtconnectMonitorSchema], {
  error: "expected monitor.type to be one of: shdr, mtconnect",
});

export const MACHINE_KINDS = ["lathe", "mill", "turn-mill", "router", "grinder", "edm", "other"] as const;

const machineSchema = z
  .object({
    id: identifier("a machine id"),
    name: z.string().min(1),
    kind: z.enum(MACHINE_KINDS),
    monitor: monitorSchema.optional(),
  })
  .strict();

const shdrSimulatorSchema = z
  .object({
    type: z.literal("shdr"),
    host: hostname().default("127.0.0.1"),
    /** First port; machine i listens on port + i. */
    port: port(),
    machines: z.int().min(1).max(64).default(1),
    seed: z.int().default(1),
    /** Simulated seconds per real second (1 = real time). */
    timeScale: z.number().positive().max(1000).default(1),
    /** Replay a captured SHDR log instead of the model. */
    replay: z.string().min(1).optional(),
    speed: z.number().positive().max(10_000).default(1),
    /** Replay: start again at the end of the log. */
    loop: z.boolean().default(true),
    /** Replay: re-stamp lines with the current time (a live-looking machine instead of 2022's clock). */
    retime: z.boolean().default(false),
    /** Replay: longest pause taken from the log (it has a 34-minute gap between sessions). */
    maxGapMs: z.int().min(0).max(3_600_000).optional(),
    /** Interval announced in `* PONG <ms>`. */
    heartbeatMs: z.int().min(250).max(600_000).optional(),
    /** The simulated operator (cycles, feed holds, alarms); off = machines wait for scripted actions. */
    autoOperator: z.boolean().default(true),
  })
  .strict();

export const simulatorSchema = z.discriminatedUnion("type", [shdrSimulatorSchema, mtconnectSimulatorSchema], {
  error: "expected simulators[].type to be one of: shdr, mtconnect",
});

export const configSchema = z
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
    web: z
      .object({ port: port().default(8080), host: hostname().default("0.0.0.0") })
      .strict()
      .default({ port: 8080, host: "0.0.0.0" }),
    machines: z.array(machineSchema).min(1, "expected at least one machine"),
    simulators: z.array(simulatorSchema).default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
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

export type MaskinportConfig = z.infer<typeof configSchema>;
export type MachineConfig = MaskinportConfig["machines"][number];
export type MonitorConfig = z.infer<typeof monitorSchema>;
export type SimulatorConfig = z.infer<typeof simulatorSchema>;
