import { z } from "zod";

// The `evidence:` section of the site config (included by src/config/schema.ts).
// The ledger lives in the gateway's local database (library.path, default
// data/library.db), or in the site's PostgreSQL when `training.postgres` is set.

export const retentionSchema = z
  .object({
    /** Evidence stays linkable to the trainee until the course ends plus this many months. */
    evidenceMonthsAfterCourseEnd: z.int().min(0).max(120).default(12),
    /** Raw session links (who sat at which machine when) go sooner. */
    sessionLinkDays: z.int().min(1).max(3650).default(30),
  })
  .strict();

export const xapiConfigSchema = z
  .object({
    /** The LRS's statements endpoint base, e.g. https://lrs.example.no/xapi/ */
    endpoint: z.url({ error: "expected the LRS endpoint URL (https://…)" }),
    username: z.string().min(1),
    password: z.string().min(1),
    /** The account homePage of every actor: the system in which pseudonyms are issued. */
    homePage: z.url({ error: "expected a URL identifying this Maskinport (https://…)" }).optional(),
  })
  .strict();

export const evidenceConfigSchema = z
  .object({
    /** Folder of competence catalogue files (*.yaml), relative to the config file (config/competence). */
    catalogue: z.string().min(1).default("competence"),
    retention: retentionSchema.default({ evidenceMonthsAfterCourseEnd: 12, sessionLinkDays: 30 }),
    xapi: xapiConfigSchema.optional(),
  })
  .strict();

export type EvidenceConfig = z.infer<typeof evidenceConfigSchema>;
export type RetentionPolicy = z.infer<typeof retentionSchema>;

export const defaultEvidenceConfig = (): EvidenceConfig => evidenceConfigSchema.parse({});

/** The homePage for xAPI actors when none is configured: a reserved name, never resolved. */
export function actorHomePage(config: Pick<EvidenceConfig, "xapi">, site: string): string {
  return config.xapi?.homePage ?? `https://${site}.maskinport.invalid/`;
}
