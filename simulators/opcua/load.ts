// Extra variables that change on a fixed schedule, for load tests and the
// benchmark: `count` Doubles `ns=<own>;s=V0000`… in the folder `Load`, all
// rewritten every `periodMs`. Each value is the wall-clock time of its tick,
// so a subscriber can measure latency and spot gaps from the values alone.
import { DataType, type Namespace, StatusCodes, Variant } from "node-opcua";

export type LoadVariables = { nodeIds: string[]; stop(): void };

export function loadVariableName(i: number): string {
  return `V${String(i).padStart(4, "0")}`;
}

export function addLoadVariables(namespace: Namespace, count: number, periodMs: number): LoadVariables {
  const folder = namespace.addFolder(namespace.addressSpace.rootFolder.objects, {
    browseName: "Load",
    nodeId: "s=Load",
  });
  const variables = Array.from({ length: count }, (_, i) =>
    namespace.addVariable({
      componentOf: folder,
      browseName: loadVariableName(i),
      nodeId: `s=${loadVariableName(i)}`,
      dataType: "Double",
      minimumSamplingInterval: Math.min(50, periodMs),
    }),
  );
  let next = Date.now() + periodMs;
  let timer: NodeJS.Timeout | null = null;
  // A drift-free schedule: each tick is planned from the previous plan, not from when it ran.
  const tick = () => {
    const now = Date.now();
    const ts = new Date(now);
    for (const v of variables) {
      v.setValueFromSource(new Variant({ dataType: DataType.Double, value: now }), StatusCodes.Good, ts);
    }
    next += periodMs;
    timer = setTimeout(tick, Math.max(0, next - Date.now()));
  };
  if (count > 0) timer = setTimeout(tick, periodMs);
  return {
    nodeIds: variables.map((v) => v.nodeId.toString()),
    stop: () => {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
