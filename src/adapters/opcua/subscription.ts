// One subscription per connection: data-change items created in chunks (a
// server limits how many items one CreateMonitoredItems call may carry, and
// node-opcua does not split for us), plus one event item for alarms and
// messages, plus ConditionRefresh to learn which alarms are already active.
import {
  AttributeIds,
  type ClientMonitoredItemBase,
  type ClientSession,
  type ClientSubscription,
  DataChangeFilter,
  DataChangeTrigger,
  DataType,
  type DataValue,
  DeadbandType,
  EventFilter,
  type MonitoringParametersOptions,
  SimpleAttributeOperand,
  type StatusCode,
  TimestampsToReturn,
  type Variant,
} from "node-opcua-client";
import type { TypeResolver } from "./browse.ts";
import { nodeIdText, UA } from "./companion-types.ts";
import type { Binding } from "./convert.ts";
import { EVENT_FIELDS } from "./event-convert.ts";

export type SubscriptionSettings = {
  samplingIntervalMs: number;
  publishingIntervalMs: number;
  queueSize: number;
  deadband: number;
  chunkSize: number;
};

export type SubscriptionHandlers = {
  data(index: number, dv: DataValue): void;
  event(values: readonly unknown[]): void;
};

export type ItemProblem = { index: number; status: StatusCode };

/** The server's MaxMonitoredItemsPerCall (0 = no limit stated). */
async function maxItemsPerCall(session: ClientSession): Promise<number> {
  try {
    const [dv] = await session.read([
      { nodeId: UA.MaxMonitoredItemsPerCall, attributeId: AttributeIds.Value },
    ]);
    const n = dv?.statusCode.isGood() ? Number(dv.value.value) : 0;
    return Number.isFinite(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

export function chunkSizeFor(configured: number, serverLimit: number): number {
  return serverLimit > 0 ? Math.min(configured, serverLimit) : configured;
}

/**
 * `publishingEnabled` false: the intake is paused (see intake.ts); the server
 * samples into the item queues and sends only keep-alives until enabled.
 */
export async function createSubscription(
  session: ClientSession,
  s: SubscriptionSettings,
  publishingEnabled: boolean,
): Promise<ClientSubscription> {
  // Keep-alive: the server answers at least every publishing interval × keep-alive count,
  // and the subscription lives (lifetime) three keep-alive periods without a publish.
  const keepAliveCount = Math.max(3, Math.ceil(10_000 / s.publishingIntervalMs));
  return session.createSubscription2({
    requestedPublishingInterval: s.publishingIntervalMs,
    requestedMaxKeepAliveCount: keepAliveCount,
    requestedLifetimeCount: keepAliveCount * 3,
    maxNotificationsPerPublish: 0,
    publishingEnabled,
    priority: 10,
  });
}

/**
 * Monitor every binding, `chunkSize` items per request. Numeric items get
 * the absolute deadband (a deadband on a string is an error on most servers).
 * Returns the items the server refused, by binding index.
 */
export async function monitorBindings(
  session: ClientSession,
  subscription: ClientSubscription,
  bindings: readonly Binding[],
  s: SubscriptionSettings,
  onData: SubscriptionHandlers["data"],
): Promise<ItemProblem[]> {
  const chunk = chunkSizeFor(s.chunkSize, await maxItemsPerCall(session));
  const base: MonitoringParametersOptions = {
    samplingInterval: s.samplingIntervalMs,
    queueSize: s.queueSize,
    discardOldest: true,
  };
  const withDeadband: MonitoringParametersOptions = {
    ...base,
    filter: new DataChangeFilter({
      trigger: DataChangeTrigger.StatusValue,
      deadbandType: DeadbandType.Absolute,
      deadbandValue: s.deadband,
    }),
  };
  const numeric = (b: Binding) => s.deadband > 0 && b.decode === "number";
  const problems: ItemProblem[] = [];
  for (const group of [
    bindings.map((b, i) => ({ b, i })).filter((x) => numeric(x.b)),
    bindings.map((b, i) => ({ b, i })).filter((x) => !numeric(x.b)),
  ]) {
    for (let start = 0; start < group.length; start += chunk) {
      const slice = group.slice(start, start + chunk);
      const items = await subscription.monitorItems(
        slice.map((x) => ({ nodeId: x.b.nodeId, attributeId: AttributeIds.Value })),
        numeric(slice[0]!.b) ? withDeadband : base,
        TimestampsToReturn.Both,
      );
      items.on("changed", (_item: ClientMonitoredItemBase, dv: DataValue, index: number) => {
        const entry = slice[index];
        if (entry) onData(entry.i, dv);
      });
      items.monitoredItems.forEach((item, k) => {
        if (!item.statusCode.isGood()) problems.push({ index: slice[k]!.i, status: item.statusCode });
      });
    }
  }
  return problems;
}

/** The select clauses of EVENT_FIELDS; namespaced fields name their declaring type when the server has it. */
export function eventFilter(types: TypeResolver): EventFilter {
  return new EventFilter({
    selectClauses: EVENT_FIELDS.map((f) => {
      if ("conditionId" in f) {
        return new SimpleAttributeOperand({
          typeDefinitionId: UA.ConditionType,
          browsePath: [],
          attributeId: AttributeIds.NodeId,
        });
      }
      const declaring = "of" in f ? types.nodeIdOf(f.of) : undefined;
      const nsIndex = declaring ? Number(/^ns=(\d+);/.exec(declaring)?.[1] ?? 0) : 0;
      return new SimpleAttributeOperand({
        typeDefinitionId: declaring ?? "i=2041",
        browsePath: f.path.map((name) => ({ namespaceIndex: nsIndex, name })),
        attributeId: AttributeIds.Value,
      });
    }),
  });
}

export const EVENT_QUEUE_SIZE = 1000;

export async function monitorEvents(
  subscription: ClientSubscription,
  notifier: string,
  filter: EventFilter,
  onEvent: SubscriptionHandlers["event"],
): Promise<StatusCode> {
  // The event queue is what carries alarms across an intake pause (publishing
  // disabled). 1000: node-opcua's own default for event items, far more than
  // one machine raises in minutes (alarms change a few times a minute, a storm
  // is tens of events), and modest for an embedded server that keeps one such
  // queue per session (servers bound it anyway: node-opcua at 5000). Oldest
  // dropped first, like the data items: the newest events carry the current
  // state, and what falls off the front of a long pause is repaired by the
  // ConditionRefresh the adapter calls on resume.
  const item = await subscription.monitor(
    { nodeId: notifier, attributeId: AttributeIds.EventNotifier },
    { samplingInterval: 0, queueSize: EVENT_QUEUE_SIZE, discardOldest: true, filter },
    TimestampsToReturn.Both,
  );
  item.on("changed", (values: Variant[]) => onEvent(values.map((v) => variantValue(v))));
  return item.statusCode;
}

/** Node ids as text (EventType, ConditionId); everything else as node-opcua decodes it. */
function variantValue(v: Variant): unknown {
  if (v.dataType === DataType.NodeId || v.dataType === DataType.ExpandedNodeId)
    return v.value ? nodeIdText(v.value) : null;
  if (v.dataType === DataType.Null) return null;
  return v.value;
}

/**
 * Ask the server to send the current state of every retained condition
 * (Part 9 ConditionRefresh). Servers without alarms answer BadNothingToDo or
 * BadMethodInvalid: that is not an error for us.
 */
export async function conditionRefresh(session: ClientSession, subscriptionId: number): Promise<StatusCode> {
  const result = await session.call({
    objectId: UA.ConditionType,
    methodId: UA.ConditionRefresh,
    inputArguments: [{ dataType: DataType.UInt32, value: subscriptionId }],
  });
  return result.statusCode;
}

/**
 * SetPublishingMode (Part 4 5.13.4) on one subscription. A bad status is
 * returned; a failed call (no channel, timeout) throws. The client-side
 * `publishingEnabled` follows the request, because node-opcua recreates a
 * subscription lost in a server restart from that field: without it the new
 * subscription would publish although the intake is still paused. Only a
 * server that answers "no" sets it back (it keeps publishing as before).
 */
export async function setPublishing(subscription: ClientSubscription, enabled: boolean): Promise<StatusCode> {
  // The public type marks the field readonly; ClientSubscriptionImpl keeps it as a plain field.
  const fields = subscription as { publishingEnabled: boolean };
  const before = fields.publishingEnabled;
  fields.publishingEnabled = enabled;
  const status = await subscription.setPublishingMode(enabled);
  if (!status.isGood()) fields.publishingEnabled = before;
  return status;
}
