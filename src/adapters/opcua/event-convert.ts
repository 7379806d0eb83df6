// Pure mapping of OPC UA events (Alarms & Conditions, 40501 notifications,
// 40502 CNC alarms and messages) to catalogue readings: conditions become
// `alarm` readings with an AlarmDetail, plain events become `message`.
import type { AlarmDetail } from "../../core/observation.ts";
import type { KnownType } from "./companion-types.ts";
import { asText } from "./convert.ts";

/**
 * The event fields the adapter selects, in select-clause order. `of` names
 * the type that declares a namespaced field (the select clause must name it).
 */
export const EVENT_FIELDS = [
  { key: "eventType", path: ["EventType"] },
  { key: "sourceName", path: ["SourceName"] },
  { key: "sourceNode", path: ["SourceNode"] },
  { key: "time", path: ["Time"] },
  { key: "message", path: ["Message"] },
  { key: "severity", path: ["Severity"] },
  { key: "conditionId", path: [], conditionId: true },
  { key: "conditionName", path: ["ConditionName"] },
  { key: "branchId", path: ["BranchId"] },
  { key: "retain", path: ["Retain"] },
  { key: "active", path: ["ActiveState", "Id"] },
  { key: "enabled", path: ["EnabledState", "Id"] },
  { key: "alarmIdentifier", path: ["AlarmIdentifier"], of: "CncAlarmType" },
  { key: "errorCode", path: ["ErrorCode"], of: "AlertType" },
  { key: "identifier", path: ["Identifier"], of: "NotificationEventType" },
] as const satisfies readonly { key: string; path: readonly string[]; of?: KnownType; conditionId?: true }[];

export type EventFieldKey = (typeof EVENT_FIELDS)[number]["key"];
/** Field values as JS values (node ids as strings, LocalizedText as-is, absent = null). */
export type EventFields = Record<EventFieldKey, unknown>;

export function eventFieldsFromArray(values: readonly unknown[]): EventFields {
  const out = {} as EventFields;
  EVENT_FIELDS.forEach((f, i) => {
    out[f.key] = values[i] ?? null;
  });
  return out;
}

export type EventClass =
  | { kind: "refreshStart" }
  | { kind: "refreshEnd" }
  | { kind: "alarm"; detail: AlarmDetail; ts: number | null }
  | { kind: "message"; text: string; ts: number | null }
  | { kind: "ignore" };

export type EventContext = {
  /** Known type of an event type node id (CncAlarmType, AlertType …), if any. */
  typeOf(eventTypeNodeId: string): KnownType | "RefreshStart" | "RefreshEnd" | undefined;
  faultSeverity: number;
  /**
   * Whether an event from this SourceNode belongs to our machine. The
   * adapter listens on the Server object (the only place node-opcua and
   * most servers send the ConditionRefresh bracket to), which sees the
   * events of every machine on the server.
   */
  acceptsSource(sourceNode: string): boolean;
};

function timeOf(v: unknown): number | null {
  return v instanceof Date && !Number.isNaN(v.getTime()) ? v.getTime() : null;
}

/** A node id field as text; the null node id (current branch, no condition) counts as absent. */
function nodeIdText(v: unknown): string | null {
  const t = v === null || v === undefined ? null : String(v);
  return t === null || t === "" || /^(ns=0;)?i=0$/.test(t) ? null : t;
}

function nonEmpty(v: unknown): string | null {
  const t = asText(v);
  return t !== null && t.trim() !== "" ? t.trim() : null;
}

/** Alarm key by condition type: the same three keys on every server, so dashboards can group them. */
export function alarmKeyFor(type: KnownType | undefined): string {
  if (type === "CncAlarmType") return "cnc";
  if (type === "AlertType") return "machine";
  return "system";
}

/**
 * Classify one event. Conditions (those with a ConditionId) are alarms:
 * active → warning or fault by severity, inactive or disabled → normal for
 * that code. Branch events (historic states kept for acknowledgement) are
 * ignored: only the current state of a condition matters here.
 */
export function classifyEvent(f: EventFields, ctx: EventContext): EventClass {
  const type = ctx.typeOf(String(f.eventType ?? ""));
  if (type === "RefreshStart") return { kind: "refreshStart" };
  if (type === "RefreshEnd") return { kind: "refreshEnd" };
  if (!ctx.acceptsSource(nodeIdText(f.sourceNode) ?? "")) return { kind: "ignore" };
  const ts = timeOf(f.time);
  const conditionId = nodeIdText(f.conditionId);
  if (conditionId === null) {
    const text = asText(f.message);
    return text === null ? { kind: "ignore" } : { kind: "message", text, ts };
  }
  if (nodeIdText(f.branchId) !== null) return { kind: "ignore" };

  const nativeCode =
    nonEmpty(f.alarmIdentifier) ?? nonEmpty(f.errorCode) ?? nonEmpty(f.conditionName) ?? conditionId;
  const text = asText(f.message) ?? "";
  const severity = typeof f.severity === "number" ? f.severity : 0;
  const active = f.active === true && f.enabled !== false;
  const detail: AlarmDetail = {
    key: alarmKeyFor(type),
    level: active ? (severity >= ctx.faultSeverity ? "fault" : "warning") : "normal",
    nativeCode,
    nativeSeverity: String(severity),
    text,
  };
  return { kind: "alarm", detail, ts };
}

/**
 * Which alarms a ConditionRefresh did not report again: they cleared while
 * the adapter was not listening (e.g. during a server restart), so they must
 * be closed. Both maps are key → active native codes.
 */
export function alarmsMissingAfterRefresh(
  before: ReadonlyMap<string, ReadonlySet<string>>,
  refreshed: ReadonlyMap<string, ReadonlySet<string>>,
): { key: string; nativeCode: string }[] {
  const missing: { key: string; nativeCode: string }[] = [];
  for (const [key, codes] of before) {
    for (const code of codes) if (!refreshed.get(key)?.has(code)) missing.push({ key, nativeCode: code });
  }
  return missing;
}
