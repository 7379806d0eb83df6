import { z } from "zod";
import { durationMs, hostname, port } from "../config/fields.ts";
import {
  BAUD_RATES,
  type DncProfile,
  END_OF_BLOCKS,
  FLOW_CONTROLS,
  PARITIES,
  PROFILE_IDS,
  type ProfileOverrides,
  resolveProfile,
} from "./profiles/index.ts";
import type { DncEndpoint } from "./transport/open.ts";

/**
 * A machine's `dnc:` section. The profile gives the defaults; every key below
 * it overrides one setting, so a technician copies what the control's own
 * settings screen says:
 *
 *   dnc: { transport: serial, path: /dev/ttyUSB0, profile: fanuc, baud: 4800 }
 *   dnc: { transport: tcp, host: nport-1.verksted.lan, port: 4001, profile: haas }
 */
export const dncConfigSchema = z
  .object({
    transport: z.enum(["serial", "tcp"], { error: "expected transport: serial or tcp" }),
    /** serial: the port, e.g. /dev/ttyUSB0 or /dev/serial/by-id/… (stable across reboots). */
    path: z.string().min(1).optional(),
    /** tcp: the serial device server in "TCP server" mode. */
    host: hostname().optional(),
    port: port().optional(),
    profile: z.enum(PROFILE_IDS, { error: `expected profile: one of ${PROFILE_IDS.join(", ")}` }),
    baud: z
      .int()
      .refine((b) => (BAUD_RATES as readonly number[]).includes(b), {
        message: `expected one of ${BAUD_RATES.join(", ")}`,
      })
      .optional(),
    dataBits: z.union([z.literal(7), z.literal(8)], { error: "expected 7 or 8" }).optional(),
    parity: z.enum(PARITIES).optional(),
    stopBits: z.union([z.literal(1), z.literal(2)], { error: "expected 1 or 2" }).optional(),
    flowControl: z.enum(FLOW_CONTROLS).optional(),
    eob: z.enum(END_OF_BLOCKS).optional(),
    leaderNuls: z.int().min(0).max(2000).optional(),
    trailerNuls: z.int().min(0).max(2000).optional(),
    stripComments: z.boolean().optional(),
    maxLineLength: z.int().min(8).max(100_000).optional(),
    memoryBytes: z.int().min(256).optional(),
    waitForXon: z.boolean().optional(),
    /** Emulate character framing in software: auto = only on a pseudo-terminal (simulators, tests). */
    framingEmulation: z.enum(["auto", "on", "off"]).default("auto"),
    /** Fail a send when XOFF holds the line this long (drip-feed waits as long as the machine holds). */
    xoffTimeoutMs: durationMs(1000, 3_600_000).default(60_000),
    receiveIdleMs: durationMs(100, 600_000).optional(),
    receiveStartTimeoutMs: durationMs(100, 3_600_000).optional(),
    /** Pacing of writes (see transport/flow-control.ts); defaults follow the line rate. */
    pacing: z
      .object({ chunkBytes: z.int().min(1).max(4096), aheadBytes: z.int().min(1).max(65_536) })
      .strict()
      .optional(),
    /** Keep the port open and answer the machine's remote requests (see README, "Remote request"). */
    remoteRequest: z
      .object({
        enabled: z.boolean().default(true),
        /** Regex with named groups verb (LOAD|DRIP) and name; default: the profile's. */
        pattern: z.string().min(1).optional(),
        /** Library folders searched for the requested program, in order. */
        folders: z.array(z.string().min(1)).min(1).default(["shared"]),
        /** Wait this long after the request before sending (time for the operator to press READ). */
        delayMs: durationMs(0, 60_000).default(1000),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.transport === "serial" && !c.path) {
      ctx.addIssue({
        code: "custom",
        path: ["path"],
        message: "transport serial needs path, e.g. /dev/ttyUSB0",
      });
    }
    if (c.transport === "tcp" && !c.host) {
      ctx.addIssue({
        code: "custom",
        path: ["host"],
        message: "transport tcp needs host (and port, default 4001)",
      });
    }
    if (c.transport === "serial" && (c.host || c.port)) {
      ctx.addIssue({
        code: "custom",
        path: ["host"],
        message: "host/port belong to transport tcp; serial uses path",
      });
    }
    if (c.transport === "tcp" && c.path) {
      ctx.addIssue({
        code: "custom",
        path: ["path"],
        message: "path belongs to transport serial; tcp uses host and port",
      });
    }
    const pattern = c.remoteRequest?.pattern;
    if (pattern !== undefined) {
      try {
        new RegExp(pattern);
      } catch {
        ctx.addIssue({
          code: "custom",
          path: ["remoteRequest", "pattern"],
          message: "expected a valid regular expression",
        });
      }
    }
  });

export type DncConfig = z.infer<typeof dncConfigSchema>;
export type DncConfigInput = z.input<typeof dncConfigSchema>;

/** The machine's profile with the config's overrides applied. */
export function profileFor(config: DncConfig): DncProfile {
  const overrides: ProfileOverrides = {};
  const line: Partial<DncProfile["line"]> = {};
  if (config.baud !== undefined) line.baud = config.baud as DncProfile["line"]["baud"];
  if (config.dataBits !== undefined) line.dataBits = config.dataBits;
  if (config.parity !== undefined) line.parity = config.parity;
  if (config.stopBits !== undefined) line.stopBits = config.stopBits;
  if (Object.keys(line).length > 0) overrides.line = line;
  if (config.flowControl !== undefined) overrides.flowControl = config.flowControl;
  if (config.eob !== undefined) overrides.eob = config.eob;
  if (config.leaderNuls !== undefined) overrides.leaderNuls = config.leaderNuls;
  if (config.trailerNuls !== undefined) overrides.trailerNuls = config.trailerNuls;
  if (config.stripComments !== undefined) overrides.comments = { strip: config.stripComments };
  if (config.maxLineLength !== undefined) overrides.maxLineLength = config.maxLineLength;
  if (config.memoryBytes !== undefined) overrides.memoryBytes = config.memoryBytes;
  if (config.waitForXon !== undefined) overrides.waitForXonToStart = config.waitForXon;
  const receive: Partial<DncProfile["receive"]> = {};
  if (config.receiveIdleMs !== undefined) receive.idleTimeoutMs = config.receiveIdleMs;
  if (config.receiveStartTimeoutMs !== undefined) receive.startTimeoutMs = config.receiveStartTimeoutMs;
  if (Object.keys(receive).length > 0) overrides.receive = receive;
  if (config.remoteRequest?.pattern !== undefined)
    overrides.remoteRequest = { pattern: config.remoteRequest.pattern };
  return resolveProfile(config.profile, overrides);
}

export function endpointFor(config: DncConfig): DncEndpoint {
  return config.transport === "serial"
    ? { transport: "serial", path: config.path! }
    : { transport: "tcp", host: config.host!, port: config.port ?? 4001 };
}
