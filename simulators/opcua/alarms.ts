// The model's active alarm list rendered as OPC UA Alarms & Conditions: one
// condition instance per alarm code (CncAlarmType in the companion address
// space, AlarmConditionType in the plain one), created the first time the
// code is raised, activated and deactivated as the model says. Operator
// messages become plain events (NotificationEventType / BaseEventType).
import {
  type AddressSpace,
  DataType,
  type Namespace,
  NodeId,
  type UAAlarmConditionEx,
  type UAEventType,
  type UAObject,
  Variant,
} from "node-opcua";
import type { ModelAlarm } from "../model/machine-model.ts";

/** OPC UA severities (1–1000) for the model's two levels. */
export const SEVERITY = { warning: 300, fault: 800 } as const;

export type AlarmBoardOptions = {
  addressSpace: AddressSpace;
  namespace: Namespace;
  source: UAObject;
  messageSource: UAObject;
  conditionType: UAEventType;
  messageType: UAEventType;
  /** Name of the property that carries the native code (AlarmIdentifier on CncAlarmType), if the type has one. */
  codeProperty?: string;
};

export class AlarmBoard {
  readonly #o: AlarmBoardOptions;
  readonly #conditions = new Map<string, UAAlarmConditionEx>();
  #active = new Map<string, ModelAlarm>();
  #lastMessage: string | null = null;

  constructor(options: AlarmBoardOptions) {
    this.#o = options;
  }

  /** Bring the conditions in line with the model's active list. */
  sync(alarms: readonly ModelAlarm[], ts: Date): void {
    const next = new Map(alarms.map((a) => [a.code, a]));
    for (const [code, alarm] of this.#active) {
      if (!next.has(code)) this.#deactivate(code, alarm, ts);
    }
    for (const [code, alarm] of next) {
      const before = this.#active.get(code);
      if (!before || before.severity !== alarm.severity || before.text !== alarm.text)
        this.#activate(alarm, ts);
    }
    this.#active = next;
  }

  /** Raise a message event when the model's operator message changes to a new text. */
  message(text: string | null, ts: Date): void {
    if (text === this.#lastMessage) return;
    this.#lastMessage = text;
    if (text === null) return;
    this.#o.messageSource.raiseEvent(this.#o.messageType, {
      message: { dataType: DataType.LocalizedText, value: { text } },
      severity: { dataType: DataType.UInt16, value: 100 },
      sourceName: { dataType: DataType.String, value: this.#o.messageSource.browseName.name ?? "" },
      sourceNode: { dataType: DataType.NodeId, value: this.#o.messageSource.nodeId },
      time: { dataType: DataType.DateTime, value: ts },
    });
  }

  #condition(code: string): UAAlarmConditionEx {
    let condition = this.#conditions.get(code);
    if (condition) return condition;
    const { namespace, source, conditionType, codeProperty } = this.#o;
    condition = namespace.instantiateAlarmCondition(conditionType, {
      browseName: `Alarm_${code}`,
      componentOf: source,
      conditionSource: source,
      conditionName: code,
      inputNode: NodeId.nullNodeId,
      optionals: ["ConfirmedState", "Confirm"],
    });
    if (codeProperty) {
      condition
        .getPropertyByName(codeProperty)
        ?.setValueFromSource(new Variant({ dataType: DataType.String, value: code }));
    }
    condition.setEnabledState(true);
    this.#conditions.set(code, condition);
    return condition;
  }

  #activate(alarm: ModelAlarm, ts: Date): void {
    const condition = this.#condition(alarm.code);
    condition.activateAlarm();
    condition.raiseNewCondition({
      message: alarm.text,
      severity: SEVERITY[alarm.severity],
      retain: true,
      time: ts,
    });
  }

  #deactivate(code: string, alarm: ModelAlarm, ts: Date): void {
    const condition = this.#conditions.get(code);
    if (!condition) return;
    condition.deactivateAlarm(false);
    condition.raiseNewCondition({
      message: alarm.text,
      severity: SEVERITY[alarm.severity],
      retain: false,
      time: ts,
    });
  }
}
