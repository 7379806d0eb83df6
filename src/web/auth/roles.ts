/**
 * Who may do what, as the training layer defines it (issue 14): trainees
 * see their own work, instructors their courses, admins the whole gateway.
 * There is no hierarchy here on purpose: a route lists every role it admits
 * (`requireRole("instructor", "admin")`), so reading the route says who gets in.
 */
export const ROLES = ["trainee", "instructor", "admin"] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
