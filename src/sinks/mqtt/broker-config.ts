// `mqtt.embedded` in the config file: where the built-in broker listens, who
// may log in with which role, and the bounds that keep one client from
// exhausting it. What each role may do is in broker-access.ts; the defaults
// are explained in docs/security.md.
import { z } from "zod";
import { hostname, port } from "../../config/fields.ts";

export const BROKER_ROLES = ["read", "checkin", "readwrite"] as const;
export type BrokerRole = (typeof BROKER_ROLES)[number];

/** The gateway's own login name on the embedded broker; no configured user may take it. */
export const GATEWAY_USERNAME = "maskinport-gateway";

const MIN_PASSWORD_LENGTH = 12;

/**
 * A password from the config (normally `${ENV}`). Checked by a custom issue
 * so that the error formatter never appends the value it got.
 */
const userPassword = z.unknown().transform((value, ctx): string => {
  if (typeof value === "string" && value.length >= MIN_PASSWORD_LENGTH) return value;
  ctx.addIssue({
    code: "custom",
    message:
      typeof value === "string"
        ? `expected a password of at least ${MIN_PASSWORD_LENGTH} characters (the value is not shown); generate one with: openssl rand -base64 18`
        : "expected a password as text, e.g. password: ${MQTT_READER_PASSWORD} (the value is not shown)",
  });
  return z.NEVER;
});

const brokerUser = z
  .object({
    username: z
      .string()
      .regex(/^[A-Za-z0-9._@-]{1,64}$/, "expected a user name of 1–64 letters, digits, '.', '_', '@' or '-'")
      .refine((u) => u !== GATEWAY_USERNAME, `"${GATEWAY_USERNAME}" is reserved for the gateway itself`),
    password: userPassword,
    /** read: subscribe; checkin: badge readers (<prefix>/+/cmd/checkin); readwrite: also publish outside the prefix. */
    role: z.enum(BROKER_ROLES).default("read"),
  })
  .strict();
export type BrokerUser = z.infer<typeof brokerUser>;

const brokerTls = z
  .object({
    port: port().default(8883),
    /** All interfaces by default: a TLS listener exists to be reached from other hosts. */
    host: hostname().default("0.0.0.0"),
    /** PEM file paths (relative to the config file). */
    cert: z.string().min(1),
    key: z.string().min(1),
    /** When set, clients must also present a certificate signed by this CA (mutual TLS). */
    ca: z.string().min(1).optional(),
  })
  .strict();
export type BrokerTlsConfig = z.infer<typeof brokerTls>;

export const BROKER_LIMIT_DEFAULTS = {
  maxMessageBytes: 256 * 1024,
  maxRetainedTopics: 1000,
  maxRetainedBytes: 10 * 1024 * 1024,
  maxConnectionsPerAddress: 32,
  maxConnectionsPerUser: 8,
} as const;

const brokerLimits = z
  .object({
    /** Largest MQTT packet a client other than the gateway may send (topic + payload + header). */
    maxMessageBytes: z
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(BROKER_LIMIT_DEFAULTS.maxMessageBytes),
    /** Retained topics that clients other than the gateway may hold, all together. */
    maxRetainedTopics: z.int().min(0).max(1_000_000).default(BROKER_LIMIT_DEFAULTS.maxRetainedTopics),
    maxRetainedBytes: z
      .int()
      .min(0)
      .max(1024 * 1024 * 1024)
      .default(BROKER_LIMIT_DEFAULTS.maxRetainedBytes),
    /** Open connections from one IP address (the gateway's own is not counted). */
    maxConnectionsPerAddress: z
      .int()
      .min(1)
      .max(10_000)
      .default(BROKER_LIMIT_DEFAULTS.maxConnectionsPerAddress),
    /** Open connections logged in as one configured user. */
    maxConnectionsPerUser: z.int().min(1).max(10_000).default(BROKER_LIMIT_DEFAULTS.maxConnectionsPerUser),
  })
  .strict();
export type BrokerLimits = z.infer<typeof brokerLimits>;

/** The `mqtt.embedded` section (imported by src/config/schema.ts). */
export const mqttEmbeddedSchema = z
  .object({
    port: port().default(1883),
    /** Loopback by default: the embedded broker is for this PC unless the technician opens it. */
    host: hostname().default("127.0.0.1"),
    /** One login with role readwrite (kept for existing configs; `users` is the general form). */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
    users: z.array(brokerUser).default([]),
    /**
     * Clients without a login may subscribe (never publish). Default: true when every
     * listener is on loopback and no `username` is set, false otherwise.
     */
    allowAnonymousRead: z.boolean().optional(),
    /** A second listener with TLS, for clients beyond this PC. */
    tls: brokerTls.optional(),
    limits: brokerLimits.default(BROKER_LIMIT_DEFAULTS),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if ((cfg.username === undefined) !== (cfg.password === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [cfg.username === undefined ? "username" : "password"],
        message: "set both mqtt.embedded.username and mqtt.embedded.password, or neither",
      });
    }
    const seen = new Set<string>();
    if (cfg.username !== undefined) seen.add(cfg.username);
    cfg.users.forEach((u, i) => {
      if (seen.has(u.username)) {
        ctx.addIssue({
          code: "custom",
          path: ["users", i, "username"],
          message: `user "${u.username}" is defined twice; user names must be unique`,
        });
      }
      seen.add(u.username);
    });
    if (cfg.tls && cfg.tls.port === cfg.port && cfg.tls.host === cfg.host) {
      ctx.addIssue({
        code: "custom",
        path: ["tls", "port"],
        message: `the TLS listener needs its own port (mqtt.embedded.port is ${cfg.port} too); 8883 is usual`,
      });
    }
  });
export type MqttEmbeddedConfig = z.infer<typeof mqttEmbeddedSchema>;

/** True for addresses only this computer can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * allowAnonymousRead when the config does not say: reading without a login is
 * fine while only this PC can connect (`mosquitto_sub` in the README), and off
 * as soon as any listener faces the network or a login is configured.
 */
export function anonymousReadDefault(cfg: Pick<MqttEmbeddedConfig, "host" | "tls" | "username">): boolean {
  const loopbackOnly = isLoopbackHost(cfg.host) && (cfg.tls === undefined || isLoopbackHost(cfg.tls.host));
  return loopbackOnly && cfg.username === undefined;
}

/** The TLS file paths made absolute against the config file's folder (src/config/paths.ts). */
export function resolveBrokerPaths(
  cfg: MqttEmbeddedConfig | undefined,
  abs: (path: string) => string,
): MqttEmbeddedConfig | undefined {
  if (!cfg?.tls) return cfg;
  const { tls } = cfg;
  return {
    ...cfg,
    tls: { ...tls, cert: abs(tls.cert), key: abs(tls.key), ...(tls.ca ? { ca: abs(tls.ca) } : {}) },
  };
}
