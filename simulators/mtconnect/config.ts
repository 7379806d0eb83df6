import { z } from "zod";
import { hostname, port } from "../../src/config/fields.ts";

// `simulators: [{ type: mtconnect, … }]` in the gateway config: the simulated
// agent started in-process by `npm start`. The keys are the options of
// startMtconnectSimulator, so the gateway passes the parsed object through.

export const mtconnectSimulatorSchema = z
  .object({
    type: z.literal("mtconnect"),
    host: hostname().default("127.0.0.1"),
    port: port(),
    /** Simulated machines (lathe-1, mill-2, lathe-3, …); ignored with `shdr`. */
    machines: z.int().min(1).max(64).default(1),
    seed: z.int().default(1),
    /** Simulated seconds per real second (1 = real time). */
    timeScale: z.number().positive().max(1000).default(1),
    /** Observations kept for /sample (cppagent's default 131072). */
    bufferSize: z.int().min(16).max(1_048_576).default(131_072),
    /** 2.0: default namespace, multipart/mixed; 1.3: `m:` prefix, x-mixed-replace, times without Z. */
    schema: z.enum(["1.3", "2.0"]).default("2.0"),
    /** Serve one device fed by an SHDR adapter (e.g. a replaying `type: shdr` simulator) instead. */
    shdr: z
      .object({
        host: hostname().default("127.0.0.1"),
        port: port(),
        /** The adapter's Devices.xml (relative to the config file). */
        devicesXml: z.string().min(1),
        device: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type MtconnectSimulatorConfig = z.infer<typeof mtconnectSimulatorSchema>;
