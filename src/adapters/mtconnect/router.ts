import type { AlarmLevel, Reading } from "../../core/observation.ts";
import type { AgentBindings, ItemBinding } from "./bindings.ts";
import { convertObservation } from "./convert.ts";
import type { MtObservation } from "./streams-parser.ts";
import { TimestampCache } from "./timestamp.ts";

// Routes observations of one agent to readings, and remembers the one thing
// the pipeline cannot know by itself: which condition codes are active per
// condition item. /sample reports changes only, but /current (after a
// reconnect, a gap or an agent restart) reports the whole active set; a code
// active before and missing now was cleared while we were not listening, so
// the router emits its `normal`. Everything else repeated by /current is
// dropped by the pipeline's dedupe (alarms: same code, same severity = no event).

export type BoundObservation = { binding: ItemBinding; obs: MtObservation };

export class ObservationRouter {
  private bindings: AgentBindings;
  private readonly times = new TimestampCache();
  /** Condition data item id → active nativeCode → level. */
  private readonly active = new Map<string, Map<string, AlarmLevel>>();
  /** Machines for which AVAILABLE was synthesized (their device has no availability item). */
  private readonly announced = new Set<string>();
  /** Observations of configured devices whose data item was not in /probe. */
  unknownItems = 0;

  constructor(bindings: AgentBindings) {
    this.bindings = bindings;
  }

  setBindings(bindings: AgentBindings): void {
    this.bindings = bindings;
  }

  get machines(): string[] {
    return [...this.bindings.byDevice.values()].map((d) => d.machine);
  }

  /** The binding of an observation, or undefined for devices no machine wants. */
  bind(o: MtObservation): ItemBinding | undefined {
    const device = this.bindings.byDevice.get(o.device);
    if (!device) return undefined;
    const b = device.items.get(o.dataItemId);
    if (!b) this.unknownItems++;
    return b;
  }

  /** Readings of a /sample document (changes only). */
  streamed(batch: readonly BoundObservation[], rx: number): Reading[] {
    const out: Reading[] = [];
    for (const { binding, obs } of batch) {
      if (obs.level !== undefined) this.track(binding.dataItemId, obs);
      convertObservation(binding, obs, rx, out, this.times);
    }
    return out;
  }

  /** Readings of a /current document (the full picture): clears codes that vanished meanwhile. */
  current(batch: readonly BoundObservation[], rx: number): Reading[] {
    const reported = new Map<string, { binding: ItemBinding; codes: Set<string>; last: MtObservation }>();
    for (const { binding, obs } of batch) {
      if (obs.level === undefined) continue;
      let r = reported.get(binding.dataItemId);
      if (!r) {
        r = { binding, codes: new Set(), last: obs };
        reported.set(binding.dataItemId, r);
      }
      if (obs.level === "warning" || obs.level === "fault") r.codes.add(obs.nativeCode ?? "");
    }
    const out: Reading[] = [];
    for (const [id, r] of reported) {
      const before = this.active.get(id);
      if (!before) continue;
      for (const code of before.keys()) {
        if (r.codes.has(code)) continue;
        const cleared: MtObservation = { ...r.last, level: "normal", nativeCode: code, value: "" };
        delete cleared.nativeSeverity;
        delete cleared.qualifier;
        convertObservation(r.binding, cleared, rx, out, this.times);
      }
      this.active.delete(id);
    }
    out.push(...this.streamed(batch, rx));
    out.push(...this.available(rx));
    return out;
  }

  /** AVAILABLE for machines whose device reports no availability of its own (once per connection). */
  private available(rx: number): Reading[] {
    const out: Reading[] = [];
    for (const d of this.bindings.byDevice.values()) {
      if (!d.synthesizeAvailability || this.announced.has(d.machine)) continue;
      this.announced.add(d.machine);
      out.push({
        machine: d.machine,
        signal: "availability",
        value: "AVAILABLE",
        ts: rx,
        rx,
        quality: "good",
        source: { protocol: "mtconnect", ref: "agent" },
      });
    }
    return out;
  }

  /**
   * The agent was out of reach and the machines were reported offline (the
   * pipeline nulled their signals and closed their alarms): forget condition
   * memory, the next /current is the whole truth.
   */
  reset(): void {
    this.active.clear();
    this.announced.clear();
  }

  private track(id: string, o: MtObservation): void {
    const code = o.nativeCode ?? "";
    if (o.level === "warning" || o.level === "fault") {
      let codes = this.active.get(id);
      if (!codes) {
        codes = new Map();
        this.active.set(id, codes);
      }
      codes.set(code, o.level);
    } else if (o.level === "normal" && code !== "") {
      const codes = this.active.get(id);
      codes?.delete(code);
      if (codes?.size === 0) this.active.delete(id);
    } else {
      this.active.delete(id);
    }
  }
}
