import { z } from "zod";
import { hostname, port } from "../../src/config/fields.ts";

// `simulators: [{ type: shdr, … }]` in the gateway config: SHDR adapter
// simulators started in-process (the demo fleet). The keys are the options of
// startShdrSimulator, so the gateway passes the parsed object through.

export const shdrSimulatorSchema = z
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
export type ShdrSimulatorConfig = z.infer<typeof shdrSimulatorSchema>;
