import type { ActiveAlarm, AlarmClearEvent, AlarmRaiseEvent, MachineEvent } from "../core/events.ts";
import type { AlarmDetail } from "../core/observation.ts";
import { stamp } from "./session.ts";

/**
 * Why an alarm.clear happened; it is the clear event's `text`. The raise
 * event carries the alarm's own text; consumers pair the two by key +
 * nativeCode + raisedAt.
 */
export const CLEAR_REASON = {
  /** A `normal` report for the code, or for the whole key (nativeCode ""). */
  normal: "normal",
  /** The condition itself became `unavailable`: we no longer know, so the alarm is closed. */
  unavailable: "unavailable",
  /** The machine went offline. */
  offline: "offline",
  /** Same code reported again with another severity: closed and raised anew. */
  severityChanged: "severity changed",
} as const;

type Active = {
  readonly key: string;
  readonly nativeCode: string;
  readonly severity: "warning" | "fault";
  readonly text: string;
  readonly since: number;
};

/**
 * Alarm lifecycle of one machine from `alarm` readings (MTConnect condition
 * semantics). The active set is keyed by condition key + nativeCode.
 *
 * - warning/fault for a code not active → alarm.raise
 * - the same code again with the same severity → nothing (text changes too)
 * - the same code with another severity → alarm.clear ("severity changed")
 *   then alarm.raise: the event contract has no "update", and stored alarm
 *   intervals keep one severity each
 * - normal with a code → clears that code; normal with "" → clears every code
 *   of the key
 * - unavailable → clears every code of the key, text "unavailable"
 * - `clearAll` (machine offline) → clears everything
 * Every clear carries `raisedAt` and `durationMs`.
 */
export class AlarmSet {
  readonly #machine: string;
  readonly #byKey = new Map<string, Map<string, Active>>();
  #activeFaults = 0;
  #faultRaises = 0;
  #size = 0;

  constructor(machine: string) {
    this.#machine = machine;
  }

  /** Active alarms of severity fault (the state machine's "alarm" input). */
  get activeFaults(): number {
    return this.#activeFaults;
  }

  /** How many faults were ever raised; cycles.ts ends a cycle when it grows. */
  get faultRaises(): number {
    return this.#faultRaises;
  }

  get size(): number {
    return this.#size;
  }

  /** @returns true when the active set changed. */
  apply(detail: AlarmDetail, ts: number, session: string | undefined, out: MachineEvent[]): boolean {
    switch (detail.level) {
      case "warning":
      case "fault":
        return this.#raise(detail, detail.level, ts, session, out);
      case "normal":
        return detail.nativeCode === ""
          ? this.#clearKey(detail.key, CLEAR_REASON.normal, ts, session, out)
          : this.#clearCode(detail.key, detail.nativeCode, CLEAR_REASON.normal, ts, session, out);
      case "unavailable":
        return this.#clearKey(detail.key, CLEAR_REASON.unavailable, ts, session, out);
      default:
        return false;
    }
  }

  /** Clear every active alarm (machine offline). @returns true when anything was active. */
  clearAll(reason: string, ts: number, session: string | undefined, out: MachineEvent[]): boolean {
    let changed = false;
    for (const key of [...this.#byKey.keys()]) {
      if (this.#clearKey(key, reason, ts, session, out)) changed = true;
    }
    return changed;
  }

  /** The active set for snapshots, in the order the alarms were raised per key. */
  list(): ActiveAlarm[] {
    const list: ActiveAlarm[] = [];
    for (const codes of this.#byKey.values()) {
      for (const a of codes.values()) {
        list.push({
          key: a.key,
          nativeCode: a.nativeCode,
          severity: a.severity,
          text: a.text,
          since: a.since,
        });
      }
    }
    return list;
  }

  #raise(
    detail: AlarmDetail,
    severity: "warning" | "fault",
    ts: number,
    session: string | undefined,
    out: MachineEvent[],
  ): boolean {
    let codes = this.#byKey.get(detail.key);
    const existing = codes?.get(detail.nativeCode);
    if (existing !== undefined) {
      if (existing.severity === severity) return false;
      this.#clearCode(detail.key, detail.nativeCode, CLEAR_REASON.severityChanged, ts, session, out);
      codes = this.#byKey.get(detail.key);
    }
    if (codes === undefined) {
      codes = new Map();
      this.#byKey.set(detail.key, codes);
    }
    codes.set(detail.nativeCode, {
      key: detail.key,
      nativeCode: detail.nativeCode,
      severity,
      text: detail.text,
      since: ts,
    });
    this.#size += 1;
    if (severity === "fault") {
      this.#activeFaults += 1;
      this.#faultRaises += 1;
    }
    const event: AlarmRaiseEvent = {
      type: "alarm.raise",
      machine: this.#machine,
      ts,
      key: detail.key,
      nativeCode: detail.nativeCode,
      severity,
      text: detail.text,
    };
    if (detail.nativeSeverity !== undefined) event.nativeSeverity = detail.nativeSeverity;
    out.push(stamp(event, session));
    return true;
  }

  #clearKey(
    key: string,
    reason: string,
    ts: number,
    session: string | undefined,
    out: MachineEvent[],
  ): boolean {
    const codes = this.#byKey.get(key);
    if (codes === undefined) return false;
    for (const code of [...codes.keys()]) this.#clearCode(key, code, reason, ts, session, out);
    return true;
  }

  #clearCode(
    key: string,
    code: string,
    reason: string,
    ts: number,
    session: string | undefined,
    out: MachineEvent[],
  ): boolean {
    const codes = this.#byKey.get(key);
    const active = codes?.get(code);
    if (codes === undefined || active === undefined) return false;
    codes.delete(code);
    if (codes.size === 0) this.#byKey.delete(key);
    this.#size -= 1;
    if (active.severity === "fault") this.#activeFaults -= 1;
    const event: AlarmClearEvent = {
      type: "alarm.clear",
      machine: this.#machine,
      ts,
      key,
      nativeCode: code,
      text: reason,
      raisedAt: active.since,
      durationMs: Math.max(0, ts - active.since),
    };
    out.push(stamp(event, session));
    return true;
  }
}
