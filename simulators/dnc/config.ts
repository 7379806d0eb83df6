import { z } from "zod";
import { hostname, port } from "../../src/config/fields.ts";
import { BAUD_RATES, FLOW_CONTROLS, PARITIES, PROFILE_IDS } from "../../src/dnc/profiles/index.ts";

/**
 * A `simulators:` entry for a DNC control, started in-process with the
 * gateway (the demo fleet):
 *
 *   - { type: dnc, transport: tcp, port: 4001, profile: fanuc }
 *   - { type: dnc, transport: pty, link: /tmp/maskinport-mill-3, profile: haas }
 */
export const dncSimulatorConfigSchema = z
  .object({
    type: z.literal("dnc"),
    transport: z.enum(["tcp", "pty"]).default("tcp"),
    host: hostname().default("127.0.0.1"),
    /** tcp: the port the gateway's dnc section points at. */
    port: port().optional(),
    /** pty: the path at which the gateway's end of the pty appears. */
    link: z.string().min(1).optional(),
    profile: z.enum(PROFILE_IDS).default("fanuc"),
    baud: z
      .int()
      .refine((b) => (BAUD_RATES as readonly number[]).includes(b), {
        message: `expected one of ${BAUD_RATES.join(", ")}`,
      })
      .optional(),
    dataBits: z.union([z.literal(7), z.literal(8)]).optional(),
    parity: z.enum(PARITIES).optional(),
    stopBits: z.union([z.literal(1), z.literal(2)]).optional(),
    flowControl: z.enum(FLOW_CONTROLS).optional(),
    bufferBytes: z.int().min(16).max(1_000_000).optional(),
    xoffAt: z.int().min(1).optional(),
    xonAt: z.int().min(0).optional(),
    storeCharsPerSecond: z.number().positive().optional(),
    dripBlocksPerSecond: z.number().positive().optional(),
    mode: z.enum(["store", "drip"]).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.transport === "tcp" && c.port === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["port"],
        message: "transport tcp needs port (the gateway's dnc.port)",
      });
    }
    if (c.transport === "pty" && c.link === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["link"],
        message: "transport pty needs link, e.g. /tmp/maskinport-mill-3",
      });
    }
  });

export type DncSimulatorConfig = z.infer<typeof dncSimulatorConfigSchema>;
