// Turns data-change notifications into Readings: decodes the value with its
// binding, combines signals fed by several nodes (CNC execution = program
// status + feed hold), and maps OPC UA status codes to quality.
import type { DataValue } from "node-opcua-client";
import type { Quality, Reading } from "../../core/observation.ts";
import { signalSpec } from "../../core/signals.ts";
import { type Binding, combineDecoded, type Decoded, decodeBinding } from "./convert.ts";

type Slot = { bindings: Binding[]; values: Decoded[]; quality: Quality[]; seen: boolean[] };

export function qualityOf(dv: DataValue): Quality {
  const sc = dv.statusCode;
  if (sc.isGood()) return "good";
  return sc.isBad() ? "bad" : "uncertain";
}

function timeOf(dv: DataValue, rx: number): number {
  return dv.sourceTimestamp?.getTime() ?? dv.serverTimestamp?.getTime() ?? rx;
}

/** What never changes per binding, computed once (this runs for every data change). */
type Prepared = {
  binding: Binding;
  slot: Slot | null;
  at: number;
  unit: string | undefined;
  source: Reading["source"];
};

export class ReadingAssembler {
  readonly #machine: string;
  readonly #bindings: readonly Binding[];
  readonly #prepared: Prepared[];

  constructor(machine: string, bindings: readonly Binding[]) {
    this.#machine = machine;
    this.#bindings = bindings;
    const slots = new Map<string, Slot>();
    for (const b of bindings) {
      let slot = slots.get(b.signal);
      if (!slot) {
        slot = { bindings: [], values: [], quality: [], seen: [] };
        slots.set(b.signal, slot);
      }
      slot.bindings.push(b);
      slot.values.push(null);
      slot.quality.push("good");
      slot.seen.push(false);
    }
    this.#prepared = bindings.map((binding) => {
      const slot = slots.get(binding.signal)!;
      return {
        binding,
        // Only signals fed by several nodes need the slot (most have one).
        slot: slot.bindings.length > 1 ? slot : null,
        at: slot.bindings.indexOf(binding),
        unit: binding.unit ?? signalSpec(binding.signal)?.unit,
        source: { protocol: "opcua", ref: binding.nodeId },
      };
    });
  }

  get bindings(): readonly Binding[] {
    return this.#bindings;
  }

  /**
   * The reading for a change of binding `index` (bad values are null), or
   * null while a combined signal still waits for its other inputs.
   */
  reading(index: number, dv: DataValue, rx: number): Reading | null {
    const p = this.#prepared[index]!;
    let quality = qualityOf(dv);
    let value = quality === "bad" ? null : decodeBinding(p.binding, dv.value.value);
    const slot = p.slot;
    if (slot) {
      slot.values[p.at] = value;
      slot.quality[p.at] = quality;
      slot.seen[p.at] = true;
      if (slot.seen.includes(false)) return null;
      value = combineDecoded(
        slot.bindings.map((b) => b.decode),
        slot.values,
      );
      quality = slot.quality.includes("bad")
        ? "bad"
        : slot.quality.includes("uncertain")
          ? "uncertain"
          : "good";
      if (quality === "bad") value = null;
    }
    const reading: Reading = {
      machine: this.#machine,
      signal: p.binding.signal,
      value,
      ts: timeOf(dv, rx),
      rx,
      quality,
      source: p.source,
    };
    if (p.unit !== undefined) reading.unit = p.unit;
    return reading;
  }
}
