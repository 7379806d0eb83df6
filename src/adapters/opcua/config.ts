import { z } from "zod";
import { backoffSchema, durationMs } from "../../config/fields.ts";
import { isSignalId } from "../../core/signals.ts";

/** Security modes as OPC UA names them; "auto" picks the strongest the server offers. */
export const OPCUA_SECURITY_MODES = ["auto", "None", "Sign", "SignAndEncrypt"] as const;
/** Policies this adapter speaks (the deprecated Basic128Rsa15/Basic256 are left out on purpose). */
export const OPCUA_SECURITY_POLICIES = [
  "auto",
  "None",
  "Basic256Sha256",
  "Aes128_Sha256_RsaOaep",
  "Aes256_Sha256_RsaPss",
] as const;
export type OpcuaSecurityMode = (typeof OPCUA_SECURITY_MODES)[number];
export type OpcuaSecurityPolicy = (typeof OPCUA_SECURITY_POLICIES)[number];

const endpointUrl = z
  .string({ error: "expected an OPC UA endpoint like opc.tcp://host:4840" })
  .regex(
    /^opc\.tcp:\/\/[^\s/:]+(:\d{1,5})?(\/\S*)?$/,
    "expected an OPC UA endpoint like opc.tcp://host:4840",
  );

/**
 * Where a signal's value lives: a node id (`ns=2;s=Spindle.Speed`, `i=2258`,
 * `nsu=http://…;s=X`) or a browse path from the Objects folder
 * (`/2:Machine/2:Spindle/2:Speed`).
 */
const nodeRef = z
  .string({ error: "expected a node id (ns=2;s=Name) or a browse path (/2:Folder/2:Name)" })
  .regex(
    /^(\/\S.*|(nsu=[^;]+;|ns=\d+;)?[isgb]=.+)$/,
    "expected a node id (ns=2;s=Name, i=85, nsu=<uri>;s=Name) or a browse path starting with '/' (/2:Folder/2:Name)",
  );

export const opcuaNodeSchema = z
  .object({
    node: nodeRef,
    /** Multiply numeric values (e.g. 60 for rev/s → rev/min). */
    scale: z.number().optional(),
    /** Unit to report (defaults to the catalogue unit of the signal). */
    unit: z.string().min(1).optional(),
    /** Translate raw values (enumeration numbers, PLC codes) to catalogue values: `{ "1": ACTIVE }`. */
    map: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  })
  .strict();
export type OpcuaNodeConfig = z.infer<typeof opcuaNodeSchema>;

export const opcuaMonitorSchema = z
  .object({
    type: z.literal("opcua"),
    endpoint: endpointUrl,
    securityMode: z.enum(OPCUA_SECURITY_MODES).default("auto"),
    securityPolicy: z.enum(OPCUA_SECURITY_POLICIES).default("auto"),
    /** Anonymous when unset. Use ${ENV} references for the password. */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    /** Own certificate and the trusted / rejected server certificates live here. */
    pkiDir: z.string().min(1).default("data/opcua-pki"),
    /**
     * Which machine on a server that hosts several MachineTool instances:
     * its browse name, serial number or product instance URI. Not needed when
     * the server has exactly one, or when `nodes` is given.
     */
    machine: z.string().min(1).optional(),
    /** Explicit signal → node map for servers without the companion types; turns discovery off. */
    nodes: z
      .record(z.string(), z.union([nodeRef, opcuaNodeSchema]))
      .superRefine((nodes, ctx) => {
        for (const signal of Object.keys(nodes)) {
          if (isSignalId(signal)) continue;
          ctx.addIssue({
            code: "custom",
            path: [signal],
            message:
              "expected a catalogue signal id (spindle.speed, execution, spindle.2.load …) or raw.<name>",
          });
        }
      })
      .optional(),
    /** Subscribe to alarm and message events. */
    events: z.boolean().default(true),
    /**
     * Explicit-map mode: only events whose source is this node or below it
     * belong to the machine (default: every event of the server).
     */
    eventSource: nodeRef.optional(),
    samplingIntervalMs: durationMs(0, 3_600_000).default(250),
    publishingIntervalMs: durationMs(10, 3_600_000).default(500),
    queueSize: z.int().min(1).max(10_000).default(10),
    /** Absolute deadband for numeric values; 0 sends every change. */
    deadband: z.number().min(0).default(0),
    /** CreateMonitoredItems calls carry at most this many items (servers limit a request's size). */
    chunkSize: z.int().min(1).max(10_000).default(500),
    /** Condition severity (1–1000) from which an alarm counts as a fault rather than a warning. */
    faultSeverity: z.int().min(1).max(1000).default(500),
    /**
     * A connection that comes back within this time is not reported as an
     * outage, so a server restart does not end cycles or re-raise alarms.
     */
    offlineAfterMs: durationMs(0, 600_000).default(10_000),
    sessionTimeoutMs: durationMs(1_000, 3_600_000).default(60_000),
    reconnect: backoffSchema.default({ initialMs: 500, maxMs: 30_000 }),
  })
  .strict()
  .refine((m) => (m.username === undefined) === (m.password === undefined), {
    message:
      "set both username and password (the password as an environment reference), or neither for anonymous login",
    path: ["password"],
  })
  .refine((m) => !(m.securityMode === "None") || m.securityPolicy === "auto" || m.securityPolicy === "None", {
    message: 'securityMode None needs securityPolicy None (or "auto")',
    path: ["securityPolicy"],
  })
  .refine((m) => m.securityPolicy !== "None" || m.securityMode === "auto" || m.securityMode === "None", {
    message: "securityPolicy None cannot sign or encrypt: use securityMode None, or choose a policy",
    path: ["securityMode"],
  });
export type OpcuaMonitorConfig = z.infer<typeof opcuaMonitorSchema>;
