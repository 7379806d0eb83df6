import { z } from "zod";
import { hostname, port } from "../../src/config/fields.ts";

// Light on purpose (zod only): the gateway's config loader reads this schema,
// and must not load node-opcua to check a file (server.ts imports from here).
export const SIM_SECURITY_MODES = ["None", "Sign", "SignAndEncrypt"] as const;
export type SimSecurityMode = (typeof SIM_SECURITY_MODES)[number];

/**
 * `simulators: [{ type: opcua, port: 4840, machines: 2 }]` — an OPC UA
 * simulator started in-process by the gateway (demo, training). The parsed
 * object is valid `startOpcuaSimulator` options once `log` is added.
 */
export const opcuaSimulatorSchema = z
  .object({
    type: z.literal("opcua"),
    host: hostname().default("127.0.0.1"),
    port: port().default(4840),
    machines: z.int().min(1).max(64).default(1),
    seed: z.int().default(1),
    /** Simulated seconds per real second (1 = real time). */
    timeScale: z.number().positive().max(1000).default(1),
    /** Plain variables in a folder per machine instead of the MachineTool / CNC companion types. */
    plain: z.boolean().default(false),
    /** The simulator's own certificate; relative to the config file's folder. */
    pkiDir: z.string().min(1).default("data/opcua-sim-pki"),
    /** username → password (use ${ENV} references); anonymous login stays allowed unless allowAnonymous is false. */
    users: z.record(z.string().min(1), z.string().min(1)).default({}),
    allowAnonymous: z.boolean().default(true),
    securityModes: z
      .array(z.enum(SIM_SECURITY_MODES))
      .min(1)
      .default([...SIM_SECURITY_MODES]),
  })
  .strict()
  .refine((s) => s.allowAnonymous || Object.keys(s.users).length > 0, {
    message: "allowAnonymous: false needs at least one entry in users, or nobody could log in",
    path: ["users"],
  });
export type OpcuaSimulatorConfig = z.infer<typeof opcuaSimulatorSchema>;
