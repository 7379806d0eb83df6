import { z } from "zod";
import { type ConfigProblem, describeIssues } from "../config/errors.ts";
import { identifier, timeOfDay } from "../config/fields.ts";

// The `training:` section of the site config (people, courses, check-in
// sessions). Key names are a contract with the school's technician: extend,
// never rename. Secrets (pseudonym secret, reader tokens) come from ${ENV}.

/**
 * A secret used as an HMAC key or a bearer token: long enough that guessing
 * it is hopeless. 16 characters is the floor; `openssl rand -base64 32` gives 44.
 */
const secret = (what: string) =>
  z
    .string({ error: `expected ${what} (at least 16 characters, e.g. from \${ENV_VAR})` })
    .min(16, `expected ${what} of at least 16 characters (try: openssl rand -base64 32)`);

const wallClock = timeOfDay();

const checkinReaderSchema = z
  .object({
    id: identifier("a reader id"),
    /** Shared secret the reader sends in every command (from ${ENV}). */
    token: secret("a reader token"),
    /** Machines this reader may check people in on; default: every machine. */
    machines: z
      .array(identifier("a machine id"))
      .min(1, "expected at least one machine id (leave machines out to allow every machine)")
      .optional(),
  })
  .strict();

export const ON_OCCUPIED = ["refuse", "takeover"] as const;
export type OnOccupied = (typeof ON_OCCUPIED)[number];

export const trainingConfigSchema = z
  .object({
    /** Seed the demo course and allow running without a pseudonym secret (a fixed, public demo one). */
    demo: z.boolean().default(false),
    /** The embedded store (node:sqlite); ignored when `postgres` is set. */
    path: z.string().min(1).default("data/training.db"),
    /** A shared site database for several gateways (one roster, one session table). */
    postgres: z
      .object({
        url: z
          .string()
          .regex(
            /^postgres(ql)?:\/\/[^\s]+$/,
            "expected a PostgreSQL URL like postgres://user:pass@host:5432/maskinport",
          ),
      })
      .strict()
      .optional(),
    /** HMAC key turning a trainee id into the pseudonym that goes out on MQTT and into the store. */
    pseudonymSecret: secret("a pseudonym secret").optional(),
    /** Minutes without machine activity after which a session is closed; 0 = never. */
    idleCheckoutMinutes: z
      .int({ error: "expected whole minutes 0–1440 (0 = never)" })
      .min(0, "expected whole minutes 0–1440 (0 = never)")
      .max(1440, "expected whole minutes 0–1440 (0 = never)")
      .default(30),
    /** Every session still open at this time (site time zone) is closed; "off" for never. */
    endOfDay: z
      .union([wallClock, z.literal("off")], { error: 'expected a time of day "HH:MM" (24 h) or "off"' })
      .default("17:00"),
    /** A trainee checks in on a machine someone else holds: refuse (default) or end theirs. */
    onOccupied: z.enum(ON_OCCUPIED).default("refuse"),
    checkinReaders: z.array(checkinReaderSchema).default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if (!cfg.demo && cfg.pseudonymSecret === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["pseudonymSecret"],
        message:
          "a pseudonym secret is required outside the demo: pseudonymSecret: ${MASKINPORT_PSEUDONYM_SECRET} (at least 16 characters; keep it, or every pseudonym changes)",
      });
    }
    const seen = new Map<string, number>();
    cfg.checkinReaders.forEach((r, i) => {
      const first = seen.get(r.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["checkinReaders", i, "id"],
          message: `duplicate reader id "${r.id}" (also checkinReaders[${first}]); ids must be unique`,
        });
      } else seen.set(r.id, i);
    });
  });

export type TrainingConfig = z.infer<typeof trainingConfigSchema>;
export type CheckinReaderConfig = TrainingConfig["checkinReaders"][number];

/**
 * The fixed secret of the demo (`demo: true` without a secret). It is public
 * (it is in this file), so demo pseudonyms protect nothing: fine for
 * simulated trainees, never for real ones.
 */
export const DEMO_PSEUDONYM_SECRET = "maskinport-demo-pseudonym-secret-not-for-real-trainees";

export function pseudonymSecretOf(cfg: TrainingConfig): string {
  return cfg.pseudonymSecret ?? DEMO_PSEUDONYM_SECRET;
}

export class TrainingConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(
      `training config: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n${problems
        .map((p) => `  ${p.path}: ${p.message}`)
        .join("\n")}`,
    );
    this.name = "TrainingConfigError";
    this.problems = problems;
  }
}

// Wrapping the section in its parent key makes every problem's path read as
// it does in the YAML file (training.checkinReaders[0].token).
const wrapped = z.object({ training: trainingConfigSchema }).strict();

/**
 * Validate the `training:` section (after ${ENV} substitution). Throws
 * TrainingConfigError listing every problem with its path; `undefined`
 * (section absent) is the default section, which needs `demo: true` or a secret.
 */
export function parseTrainingConfig(raw: unknown): TrainingConfig {
  const data = { training: raw ?? {} };
  const result = wrapped.safeParse(data);
  if (result.success) return result.data.training;
  throw new TrainingConfigError(describeIssues(wrapped, data, result.error.issues));
}
