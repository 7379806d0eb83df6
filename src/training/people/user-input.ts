import { z } from "zod";
import { ROLES } from "../store/types.ts";

// What a new user or a change to one may contain, shared by the CLI, the CSV
// import and (later) the HTTP API so that all three accept the same things.

export const usernameSchema = z
  .string({ error: "expected a username" })
  .trim()
  .toLowerCase()
  .regex(
    /^[a-z0-9][a-z0-9._-]{1,31}$/,
    "expected a username of 2–32 characters: a–z, 0–9, '.', '_' or '-', starting with a letter or digit",
  );

export const displayNameSchema = z
  .string({ error: "expected a name" })
  .trim()
  .min(1, "expected a name")
  .max(100, "expected a name of at most 100 characters")
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "a name may not contain control characters");

export const emailSchema = z
  .string()
  .trim()
  .max(254, "expected an e-mail address of at most 254 characters")
  .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "expected an e-mail address like kari@example.no");

export const badgeSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9:_-]{1,64}$/, "expected a badge id: 1–64 of A–Z, a–z, 0–9, ':', '_' or '-'");

export const roleSchema = z.enum(ROLES, { error: `expected a role: ${ROLES.join(", ")}` });

export const newUserSchema = z
  .object({
    username: usernameSchema,
    displayName: displayNameSchema,
    email: emailSchema.optional(),
    role: roleSchema.default("trainee"),
    badge: badgeSchema.optional(),
  })
  .strict();

export type NewUserInput = z.input<typeof newUserSchema>;
export type NewUser = z.output<typeof newUserSchema>;
