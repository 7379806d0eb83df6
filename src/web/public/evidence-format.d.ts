// Types for the browser module evidence-format.js, so server-side tests can import it.
export type Mark = "none" | "P" | "F" | "K";
export type EvidenceItem = { id: number; type: string; ts: number; machine: string | null; summary: string };
export type GoalProgress = {
  goalId: string;
  status: Mark;
  proposedF: boolean;
  dates: { P?: number; F?: number; K?: number };
  signedBy?: string;
  comment?: string;
  evidence: EvidenceItem[];
};
export type CatalogueGoal = {
  id: string;
  code?: string | null;
  title: Record<string, string>;
  assessment?: string;
  catalogue?: string;
  serves?: string[];
  link?: string;
};
export const MARKS: readonly Mark[];
export function markOf(mark: string): Mark;
export function markParts(mark: string): { mark: Mark; letter: string; icon: string; key: string };
export function goalTitle(goal: CatalogueGoal | undefined, language: string, fallbackId: string): string;
export function markCounts(goals: { status: string }[]): {
  n: number;
  none: number;
  P: number;
  F: number;
  K: number;
};
export function countByType(evidence: EvidenceItem[]): { type: string; count: number }[];
export function newestFirst(evidence: EvidenceItem[]): EvidenceItem[];
export function createDateFormatter(
  language: string,
  timeZone: string,
): (ts: number | undefined | null) => string;
export function goalActions(
  goal: GoalProgress,
  viewer: { role: string; own: boolean },
): { confirmF: boolean; setF: boolean; sign: boolean };
