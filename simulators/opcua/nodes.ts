// Small helpers shared by the two address-space builders: writing a value
// into a variable the way a real server does (pushed with a source
// timestamp, so subscribers see the change at once and with the machine's
// time), and finding a child by browse name whatever its namespace.
import {
  type BaseNode,
  DataType,
  type LocalizedTextLike,
  StatusCodes,
  type UAObject,
  type UAVariable,
  Variant,
} from "node-opcua";

export type SimValue = number | string | boolean | LocalizedTextLike | null;

/** Push a value with its source time; null marks the value unknown (BadWaitingForInitialData stays bad). */
export function writeValue(variable: UAVariable, dataType: DataType, value: SimValue, ts: Date): void {
  if (value === null) {
    variable.setValueFromSource(
      new Variant({ dataType: DataType.Null }),
      StatusCodes.UncertainNoCommunicationLastUsableValue,
      ts,
    );
    return;
  }
  variable.setValueFromSource(new Variant({ dataType, value }), StatusCodes.Good, ts);
}

/** One variable rendered from the model state. */
export type Field<S> = { variable: UAVariable; dataType: DataType; value: (state: S) => SimValue };

/**
 * Writes only the fields whose value changed, so a change notification
 * means a real change (as on a control, where most values sit still).
 * `available` false writes every field as unknown (a powered-off control).
 */
export function fieldWriter<S>(
  fields: readonly Field<S>[],
): (state: S, available: boolean, ts: Date) => void {
  const last: unknown[] = fields.map(() => undefined);
  return (state, available, ts) => {
    fields.forEach((f, i) => {
      const value = available ? f.value(state) : null;
      if (value === last[i]) return;
      last[i] = value;
      writeValue(f.variable, f.dataType, value, ts);
    });
  };
}

/** A component or property by browse name (any namespace); throws naming the path when missing. */
export function child(node: BaseNode, ...names: string[]): BaseNode {
  let current: BaseNode = node;
  for (const name of names) {
    const next: BaseNode | undefined = current
      .findReferencesExAsObject("HierarchicalReferences")
      .find((c) => c.browseName.name === name);
    if (!next)
      throw new Error(`simulator address space: ${current.browseName.toString()} has no child "${name}"`);
    current = next;
  }
  return current;
}

export function childVariable(node: BaseNode, ...names: string[]): UAVariable {
  return child(node, ...names) as UAVariable;
}

export function childObject(node: BaseNode, ...names: string[]): UAObject {
  return child(node, ...names) as UAObject;
}
