import type { Json, JsonObject } from "../ledger/canonical.ts";

/**
 * The paper training book's marks: P begun, F finished, K signed (kvittert).
 * "none" until the first evidence.
 */
export type Mark = "none" | "P" | "F" | "K";

/**
 * What a `status.changed` record says. P and "F-proposed" are written by the
 * system ("system" as author) when evidence begins a goal or meets its rules;
 * F and K are written by people (their keyed pseudonym as author).
 */
export const STATUS_CHANGES = ["P", "F-proposed", "F", "K"] as const;
export type StatusChange = (typeof STATUS_CHANGES)[number];

export type StatusPayload = {
  goal: string;
  to: StatusChange;
  /** The role the author acted in, so the chain alone shows that K came from an instructor. */
  role: "system" | "trainee" | "instructor";
  /** Reference to the comment kept outside the chain (privacy/subjects.ts noteRef). */
  commentRef?: string;
};

export const SYSTEM_AUTHOR = "system";

export function statusPayload(p: StatusPayload): JsonObject {
  return { goal: p.goal, to: p.to, role: p.role, commentRef: p.commentRef };
}

export function isStatusPayload(
  v: Readonly<Record<string, Json>>,
): v is Readonly<Record<string, Json>> & StatusPayload {
  return (
    typeof v.goal === "string" &&
    typeof v.to === "string" &&
    (STATUS_CHANGES as readonly string[]).includes(v.to) &&
    (v.role === "system" || v.role === "trainee" || v.role === "instructor")
  );
}
