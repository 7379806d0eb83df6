import type { Catalogue } from "../catalogue/load.ts";
import type { EvidenceFilter, Rule } from "../catalogue/schema.ts";
import type { Json } from "../ledger/canonical.ts";
import type { EvidenceType } from "../ledger/record.ts";

/** What a rule looks at in one record: its type, machine and payload. */
export type RuleInput = {
  type: EvidenceType;
  machine: string | null;
  payload: Readonly<Record<string, Json | undefined>>;
};

export function matchesFilter(where: EvidenceFilter | undefined, r: RuleInput): boolean {
  if (!where) return true;
  const p = r.payload;
  if (where.machineKind !== undefined && p.machineKind !== where.machineKind) return false;
  if (where.machine !== undefined && r.machine !== where.machine) return false;
  if (where.programSentByTrainee !== undefined && p.programSentByTrainee !== where.programSentByTrainee)
    return false;
  if (where.result !== undefined && p.result !== where.result) return false;
  if (where.direction !== undefined && p.direction !== where.direction) return false;
  return true;
}

/**
 * How much one record adds to a rule: 1 for a counted record, hours for a
 * session, 0 when the record does not count. Whether it counts for the
 * alarm rule depends on time to clear and on being checked in throughout.
 */
export function contribution(rule: Rule, r: RuleInput): number {
  if ("of" in rule) return r.type === rule.of && matchesFilter(rule.where, r) ? 1 : 0;
  if ("alarmClearedWithinMinutes" in rule) {
    if (r.type !== "alarm.handled" || !matchesFilter(rule.where, r)) return 0;
    const ms = r.payload.durationMs;
    if (typeof ms !== "number" || ms > rule.alarmClearedWithinMinutes * 60_000) return 0;
    if (rule.whileCheckedIn && r.payload.withinSession !== true) return 0;
    return 1;
  }
  if (r.type !== "session.ended" || !matchesFilter(rule.where, r)) return 0;
  const ms = r.payload.durationMs;
  return typeof ms === "number" ? ms / 3_600_000 : 0;
}

/** The amount a rule needs: a count, or hours. */
export function requirement(rule: Rule): number {
  if ("of" in rule) return rule.count;
  if ("alarmClearedWithinMinutes" in rule) return rule.count;
  return rule.hours;
}

/**
 * Goal ids a record bears on, stored with it: goals with a rule the record
 * counts for, and the curriculum goals those serve.
 */
export function goalsTouchedBy(catalogue: Catalogue, r: RuleInput): string[] {
  const out = new Set<string>();
  for (const g of catalogue.goals.values()) {
    if (g.rules.some((rule) => contribution(rule, r) > 0)) {
      out.add(g.id);
      for (const s of g.serves) out.add(s);
    }
  }
  return [...out];
}
