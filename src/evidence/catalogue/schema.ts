import { z } from "zod";
import { identifier } from "../../config/fields.ts";
import { MACHINE_KINDS } from "../../config/schema.ts";

// The competence catalogue file's shape (config/competence/*.yaml). Key names
// are a contract with the school: extend, never rename. Every object is strict
// so that a typo is an error with a "did you mean" hint, as in the site config.

const text = (what: string) =>
  z
    .string({ error: `expected ${what}` })
    .trim()
    .min(1, `expected ${what}`);

/** Both languages the product speaks; a title in only one would leave a report half-translated. */
export const localTextSchema = z
  .object({ nb: text("Norwegian (bokmål) text"), en: text("English text") })
  .strict();

/** Which records a rule counts. Every key narrows; all given keys must hold. */
export const evidenceFilterSchema = z
  .object({
    machineKind: z.enum(MACHINE_KINDS).optional(),
    machine: identifier("a machine id").optional(),
    /** The cycle ran a program the same trainee sent to the machine by DNC in the same session. */
    programSentByTrainee: z.boolean().optional(),
    result: z.enum(["ok", "failed", "cancelled"]).optional(),
    direction: z.enum(["send", "receive", "drip"]).optional(),
  })
  .strict();
export type EvidenceFilter = z.infer<typeof evidenceFilterSchema>;

/** Record types a rule may count (status changes and notes are not machine evidence). */
export const COUNTABLE_TYPES = [
  "cycle.completed",
  "cycle.aborted",
  "program.transfer",
  "alarm.handled",
  "session.ended",
] as const;

const countRule = z
  .object({
    count: z.int().min(1, "expected a count of at least 1"),
    of: z.enum(COUNTABLE_TYPES),
    where: evidenceFilterSchema.optional(),
  })
  .strict();

const alarmRule = z
  .object({
    alarmClearedWithinMinutes: z
      .number()
      .positive("expected minutes above 0")
      .max(24 * 60),
    /** Raised and cleared within the same check-in: the trainee was at the machine throughout. */
    whileCheckedIn: z.boolean().default(true),
    count: z.int().min(1).default(1),
    where: evidenceFilterSchema.optional(),
  })
  .strict();

const hoursRule = z
  .object({
    hours: z.number().positive("expected hours above 0").max(10_000),
    where: evidenceFilterSchema.pick({ machineKind: true, machine: true }).strict().optional(),
  })
  .strict();

export const ruleSchema = z.union([countRule, alarmRule, hoursRule], {
  error:
    "expected a rule: {count, of, where?}, {alarmClearedWithinMinutes, whileCheckedIn?, count?} or {hours, where?}",
});
export type Rule = z.infer<typeof ruleSchema>;
export type CountRule = z.infer<typeof countRule>;
export type AlarmRule = z.infer<typeof alarmRule>;
export type HoursRule = z.infer<typeof hoursRule>;

const goalSchema = z
  .object({
    id: identifier("a goal id"),
    /** The goal's official code in Udir's Grep (e.g. KM1234), where the school has looked it up. */
    code: z
      .string()
      .regex(/^[A-Z]{1,4}\d{1,6}$/, "expected an official code like KM1234")
      .optional(),
    /** Where the goal's official wording is published (Grep or udir.no). */
    grep: z.url({ error: "expected a link (https://…)" }).optional(),
    /** Position in the curriculum's goal list, for goals quoted from a curriculum. */
    number: z.int().min(1).optional(),
    title: localTextSchema,
    /** machine: rules can propose F. instructor: only an instructor sets F; rules only gather evidence. */
    assessment: z.enum(["machine", "instructor"]),
    /** Curriculum goal ids this goal serves (course catalogues only). */
    serves: z.array(identifier("a goal id")).default([]),
    /** All rules must be met for F to be proposed. */
    rules: z.array(ruleSchema).default([]),
  })
  .strict()
  .superRefine((g, ctx) => {
    if (g.assessment === "machine" && g.rules.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["rules"],
        message: "a machine-assessed goal needs at least one rule (or set assessment: instructor)",
      });
    }
  });
export type Goal = z.infer<typeof goalSchema>;

export const catalogueFileSchema = z
  .object({
    catalogue: z
      .object({
        id: identifier("a catalogue id"),
        /** curriculum: official goals (e.g. PRT03-02). course: the school's own goals, each serving curriculum goals. */
        kind: z.enum(["curriculum", "course"]),
        title: localTextSchema,
        /** Curriculum code and goal set, e.g. PRT03-02 / KV708. */
        curriculum: z
          .string()
          .regex(/^[A-Z]{2,4}\d{2}-\d{2}$/, "expected a curriculum code like PRT03-02")
          .optional(),
        goalSet: z
          .string()
          .regex(/^KV\d+$/, "expected a goal set code like KV708")
          .optional(),
        source: z.url({ error: "expected a link (https://…)" }).optional(),
      })
      .strict(),
    goals: z.array(goalSchema).min(1, "expected at least one goal"),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.goals.forEach((g, i) => {
      const first = seen.get(g.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["goals", i, "id"],
          message: `duplicate goal id "${g.id}" (also goals[${first}])`,
        });
      } else seen.set(g.id, i);
      if (file.catalogue.kind === "curriculum" && g.serves.length > 0) {
        ctx.addIssue({
          code: "custom",
          path: ["goals", i, "serves"],
          message: "curriculum goals serve nothing; `serves` belongs in a course catalogue",
        });
      }
    });
  });
export type CatalogueFile = z.infer<typeof catalogueFileSchema>;
