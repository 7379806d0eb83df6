import { fanuc } from "./fanuc.ts";
import { generic } from "./generic.ts";
import { haas } from "./haas.ts";
import { heidenhain } from "./heidenhain.ts";
import { type DncProfile, type DncProfileInput, profileSchema } from "./schema.ts";
import { siemens } from "./siemens.ts";

export * from "./schema.ts";

export const PROFILE_IDS = ["fanuc", "haas", "heidenhain", "siemens", "generic"] as const;
export type ProfileId = (typeof PROFILE_IDS)[number];

const SOURCES: Record<ProfileId, DncProfileInput> = { fanuc, haas, heidenhain, siemens, generic };

/** Overrides a machine's config may apply on top of its profile (all optional, nested objects partial). */
export type ProfileOverrides = {
  [K in keyof DncProfile]?: DncProfile[K] extends readonly unknown[]
    ? DncProfile[K]
    : DncProfile[K] extends object | null
      ? Partial<NonNullable<DncProfile[K]>> | null
      : DncProfile[K];
};

export function isProfileId(id: string): id is ProfileId {
  return (PROFILE_IDS as readonly string[]).includes(id);
}

/**
 * The profile `id` with `overrides` applied (one level deep: `line: {baud: 4800}`
 * changes the baud rate and keeps the rest), validated again as a whole.
 */
export function resolveProfile(id: ProfileId, overrides: ProfileOverrides = {}): DncProfile {
  const base = profileSchema.parse(SOURCES[id]) as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const current = base[key];
    merged[key] =
      value !== null &&
      typeof value === "object" &&
      !Array.isArray(value) &&
      current &&
      typeof current === "object"
        ? { ...current, ...value }
        : value;
  }
  const result = profileSchema.safeParse(merged);
  if (!result.success) {
    const first = result.error.issues[0];
    throw new Error(
      `profile ${id} with overrides is invalid: ${first?.path.join(".") ?? "?"}: ${first?.message ?? "invalid"}`,
    );
  }
  return result.data;
}

export function allProfiles(): DncProfile[] {
  return PROFILE_IDS.map((id) => resolveProfile(id));
}

export type { DncProfile };
