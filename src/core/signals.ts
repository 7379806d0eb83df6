// The signal catalogue (DESIGN.md): every adapter maps its protocol's
// vocabulary onto these ids. Extend, never rename: ids are MQTT topic segments
// and time-series tags that dashboards and consumers depend on.

export const EXECUTION_VALUES = [
  "ACTIVE",
  "READY",
  "INTERRUPTED",
  "FEED_HOLD",
  "STOPPED",
  "OPTIONAL_STOP",
  "PROGRAM_STOPPED",
  "PROGRAM_COMPLETED",
  "WAIT",
] as const;
export type Execution = (typeof EXECUTION_VALUES)[number];

export const MODE_VALUES = ["AUTOMATIC", "MANUAL", "MANUAL_DATA_INPUT", "SEMI_AUTOMATIC", "EDIT"] as const;
export type ControllerMode = (typeof MODE_VALUES)[number];

export const AVAILABILITY_VALUES = ["AVAILABLE", "UNAVAILABLE"] as const;

type SignalSpec = { unit?: string; description: string };

/** Base signals. Indexed variants (`spindle.2.speed`) share the spec of their base. */
export const SIGNALS = {
  availability: { description: "AVAILABLE / UNAVAILABLE: is the machine (or its adapter) reachable" },
  execution: { description: "MTConnect execution state (ACTIVE, READY, FEED_HOLD …)" },
  mode: { description: "Controller mode (AUTOMATIC, MANUAL, MANUAL_DATA_INPUT, SEMI_AUTOMATIC, EDIT)" },
  "program.name": { description: "Active (main) program name" },
  "program.line": { description: "Current block / line of the active program" },
  "part.count": { description: "Parts counter of the control" },
  "spindle.speed": { unit: "rev/min", description: "Actual spindle speed" },
  "spindle.speed.cmd": { unit: "rev/min", description: "Commanded spindle speed" },
  "spindle.load": { unit: "%", description: "Spindle load" },
  "spindle.override": { unit: "%", description: "Spindle speed override" },
  "feed.rate": { unit: "mm/min", description: "Actual path feed rate" },
  "feed.override": { unit: "%", description: "Feed override" },
  "rapid.override": { unit: "%", description: "Rapid traverse override" },
  "axis.x.position": { unit: "mm", description: "X axis position" },
  "axis.y.position": { unit: "mm", description: "Y axis position" },
  "axis.z.position": { unit: "mm", description: "Z axis position" },
  "axis.a.position": { unit: "deg", description: "A axis position" },
  "axis.b.position": { unit: "deg", description: "B axis position" },
  "axis.c.position": { unit: "deg", description: "C axis position" },
  "tool.number": { description: "Active tool number" },
  emergency_stop: { description: "ARMED / TRIGGERED" },
  alarm: { description: "A condition (alarm) report; the pipeline keeps the active set" },
  message: { description: "Operator message from the control" },
} as const satisfies Record<string, SignalSpec>;

export type BaseSignalId = keyof typeof SIGNALS;

/**
 * A signal id: a catalogue id, an indexed variant (`spindle.2.speed`,
 * `axis.x.2.position` is not used: axes are named), or `raw.<key>` for values
 * an adapter could not map (they still flow, never silently dropped).
 */
export type SignalId =
  | BaseSignalId
  | `${string}.${number}`
  | `${string}.${number}.${string}`
  | `raw.${string}`;

const INDEXED = /^([a-z_]+)\.(\d+)(\.[a-z_.]+)?$/;

/** The catalogue entry for a signal id, resolving indexed variants; undefined for raw or unknown ids. */
export function signalSpec(id: string): SignalSpec | undefined {
  if (id in SIGNALS) return SIGNALS[id as BaseSignalId];
  const m = INDEXED.exec(id);
  if (m) {
    const base = `${m[1]}${m[3] ?? ""}`;
    if (base in SIGNALS) return SIGNALS[base as BaseSignalId];
  }
  return undefined;
}

export function isSignalId(id: string): id is SignalId {
  return id.startsWith("raw.") ? id.length > 4 : signalSpec(id) !== undefined;
}

/**
 * Insert a channel/spindle index: indexSignal("spindle.speed", 2) → "spindle.2.speed",
 * indexSignal("execution", 2) → "execution.2". Index 1 stays unindexed.
 */
export function indexSignal(id: BaseSignalId, index: number): SignalId {
  if (index <= 1) return id;
  const dot = id.indexOf(".");
  if (dot < 0) return `${id}.${index}` as SignalId;
  return `${id.slice(0, dot)}.${index}${id.slice(dot)}` as SignalId;
}
