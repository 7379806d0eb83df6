import { type SignalId, signalSpec } from "../../core/signals.ts";
import { mapDeviceDataItems } from "../mtconnect-common/catalog.ts";
import type { MtDataItem, MtDevice } from "../mtconnect-common/devices.ts";
import { shortUnit, unitScale } from "../mtconnect-common/units.ts";

/** A per-item override (config.ts `dataItems` values; a string is a signal id). */
export type DataItemOverride = { signal?: string; unit?: string; scale?: number; ignore?: boolean };

// Binds the agent's device model (/probe) to the configured machines: which
// device is which machine, and for each data item the signal, unit factor and
// value type its observations become. Built once per probe; the hot path
// (convert.ts) only looks items up.

/** What one configured machine asks of the agent. */
export type MachineBindingConfig = {
  /** Machine id (config `machines[].id`). */
  id: string;
  /** Device name, uuid or id in the agent's /probe; omitted = the agent's only device. */
  device?: string;
  dataItems?: Record<string, string | DataItemOverride>;
  unmapped?: "raw" | "ignore";
};

export type ItemBinding = {
  machine: string;
  dataItemId: string;
  signal: SignalId;
  unit?: string;
  /** Applied to numeric values (unit conversion × configured scale). */
  scale: number;
  /**
   * How to read the value: `measure` — a number in a unit (text is suspect →
   * quality uncertain); `count` — a number if it is one, else the text as sent
   * (part counts, line and tool numbers, raw samples); `text` — as sent.
   */
  numeric: "measure" | "count" | "text";
  /** Condition items: the alarm key (data item name when unique in the device, else its id). */
  alarmKey: string;
  ignore: boolean;
  /** True when neither the catalogue nor the config knew the item (it flows as raw.<name>). */
  unmapped: boolean;
};

export type DeviceBinding = {
  machine: string;
  device: MtDevice;
  items: Map<string, ItemBinding>;
  /** No data item maps to `availability`: the adapter reports AVAILABLE itself while connected. */
  synthesizeAvailability: boolean;
};

export type AgentBindings = {
  /** Keyed by device name as it appears in DeviceStream elements. */
  byDevice: Map<string, DeviceBinding>;
  unmappedItems: number;
};

/** The configuration does not fit the agent's device model (unknown device, ambiguous choice…). */
export class BindingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BindingError";
  }
}

const COUNTS = new Set(["part.count", "program.line", "tool.number"]);

function describeDevices(devices: readonly MtDevice[]): string {
  return devices.map((d) => (d.uuid ? `${d.name} (uuid ${d.uuid})` : d.name)).join(", ");
}

function pickDevice(devices: readonly MtDevice[], m: MachineBindingConfig, agentUrl: string): MtDevice {
  if (m.device === undefined) {
    if (devices.length === 1) return devices[0]!;
    throw new BindingError(
      `machine ${m.id}: the agent at ${agentUrl} serves ${devices.length} devices (${describeDevices(devices)}); ` +
        "set monitor.device to the name or uuid of one of them",
    );
  }
  const found =
    devices.find((d) => d.name === m.device) ??
    devices.find((d) => d.uuid === m.device) ??
    devices.find((d) => d.id === m.device);
  if (found) return found;
  throw new BindingError(
    `machine ${m.id}: device "${m.device}" is not in ${agentUrl}/probe; the agent serves: ${describeDevices(devices)}`,
  );
}

function overrideFor(
  item: MtDataItem,
  overrides: Record<string, string | DataItemOverride> | undefined,
): DataItemOverride | undefined {
  if (!overrides) return undefined;
  const o = overrides[item.id] ?? (item.name !== undefined ? overrides[item.name] : undefined);
  return typeof o === "string" ? { signal: o } : o;
}

/** Unique-in-device name, else id: readable keys ("system") without collisions. */
function keyNamer(device: MtDevice, condition: boolean): (item: MtDataItem) => string {
  const counts = new Map<string, number>();
  for (const i of device.dataItems) {
    if ((i.category === "CONDITION") === condition && i.name)
      counts.set(i.name, (counts.get(i.name) ?? 0) + 1);
  }
  return (item) => (item.name && counts.get(item.name) === 1 ? item.name : item.id);
}

function bindDevice(device: MtDevice, m: MachineBindingConfig): DeviceBinding {
  const defaults = mapDeviceDataItems(device, { valueUnits: "units" });
  const alarmKey = keyNamer(device, true);
  const rawKey = keyNamer(device, false);
  const overridden = new Map<MtDataItem, DataItemOverride>();
  const claimed = new Set<string>();
  for (const item of device.dataItems) {
    const o = overrideFor(item, m.dataItems);
    if (!o) continue;
    overridden.set(item, o);
    if (o.signal) claimed.add(o.signal);
  }
  const items = new Map<string, ItemBinding>();
  for (const item of device.dataItems) {
    const o = overridden.get(item);
    const def = defaults.get(item.id);
    // An explicit override of a signal displaces the item that had it by default.
    const mapping = def && !(claimed.has(def.signal) && !o?.signal) ? def : undefined;
    let signal: SignalId;
    let unit: string | undefined;
    let scale: number;
    let unmapped = false;
    if (o?.signal) {
      signal = o.signal as SignalId;
      unit = signalSpec(signal)?.unit;
      scale = unitScale(item.units, unit);
    } else if (mapping) {
      signal = mapping.signal;
      unit = mapping.unit;
      scale = mapping.scale ?? 1;
    } else {
      signal = `raw.${rawKey(item)}` as SignalId;
      unit = shortUnit(item.units);
      scale = 1;
      unmapped = true;
    }
    if (o?.unit !== undefined) unit = o.unit;
    if (o?.scale !== undefined) scale *= o.scale;
    const condition = item.category === "CONDITION";
    const binding: ItemBinding = {
      machine: m.id,
      dataItemId: item.id,
      signal: condition && !o?.signal ? "alarm" : signal,
      scale,
      numeric: condition
        ? "text"
        : unmapped
          ? item.category === "SAMPLE"
            ? "count"
            : "text"
          : unit !== undefined
            ? "measure"
            : COUNTS.has(signal)
              ? "count"
              : "text",
      alarmKey: alarmKey(item),
      ignore: o?.ignore === true || (unmapped && !condition && m.unmapped === "ignore"),
      unmapped: unmapped && !condition,
    };
    if (unit !== undefined) binding.unit = unit;
    items.set(item.id, binding);
  }
  const synthesizeAvailability = ![...items.values()].some((b) => b.signal === "availability" && !b.ignore);
  return { machine: m.id, device, items, synthesizeAvailability };
}

/**
 * Bind configured machines to the devices of one agent. Throws BindingError
 * with the agent's device list when a device is missing, ambiguous or claimed
 * by two machines.
 */
export function bindAgent(
  devices: readonly MtDevice[],
  machines: readonly MachineBindingConfig[],
  agentUrl: string,
): AgentBindings {
  const byDevice = new Map<string, DeviceBinding>();
  let unmappedItems = 0;
  for (const m of machines) {
    const device = pickDevice(devices, m, agentUrl);
    const taken = byDevice.get(device.name);
    if (taken) {
      throw new BindingError(
        `machines ${taken.machine} and ${m.id} both name device "${device.name}" at ${agentUrl}; each device feeds one machine`,
      );
    }
    const binding = bindDevice(device, m);
    for (const b of binding.items.values()) if (b.unmapped) unmappedItems++;
    byDevice.set(device.name, binding);
  }
  return { byDevice, unmappedItems };
}
