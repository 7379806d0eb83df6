// The MQTT contract (DESIGN.md "MQTT contract"): topic names and JSON
// payloads. Consumers (dashboards, MES, students' Node-RED flows) depend on
// every name and key here — extend, never rename. See src/sinks/README.md.
import type { MachineEvent, MachineSnapshot } from "../../core/events.ts";
import type { Observation } from "../../core/observation.ts";

export const PAYLOAD_VERSION = 1;

export function defaultPrefix(site: string): string {
  return `maskinport/${site}`;
}

// `+` and `#` are wildcards and `/` separates levels; NUL is forbidden in
// topic names. Anything else (dots included) is a legal topic character.
// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is exactly what must be caught
const TOPIC_UNSAFE = /[+#/\u0000]/g;

/**
 * One topic level from an id. Signal ids keep their dots (`spindle.speed` is
 * one level); `raw.<key>` keys come from machines and may contain `+ # /`,
 * which become `_` so a key can never inject a wildcard or an extra level.
 */
export function topicLevel(id: string): string {
  const level = id.replace(TOPIC_UNSAFE, "_");
  return level.length > 0 ? level : "_";
}

export type GatewayStatus = "online" | "offline";

/** Builds (and caches) the topic names under one prefix. */
export class Topics {
  readonly prefix: string;
  // machine → signal → topic. The hot path asks for the same few hundred
  // topics millions of times; caching skips the sanitising regex and the
  // string concatenation.
  private readonly signalTopics = new Map<string, Map<string, string>>();

  constructor(prefix: string) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is forbidden in topic names
    if (prefix.length === 0 || /[+#\u0000]/.test(prefix) || prefix.endsWith("/") || prefix.startsWith("/")) {
      throw new Error(
        `invalid MQTT topic prefix "${prefix}": expected levels separated by '/', without wildcards (+ #) or a leading/trailing '/'`,
      );
    }
    this.prefix = prefix;
  }

  /** `<prefix>/<machine>/state` — retained, QoS 1. */
  state(machine: string): string {
    return `${this.prefix}/${topicLevel(machine)}/state`;
  }

  /** `<prefix>/<machine>/signal/<signal>` — retained, QoS 0 or 1. */
  signal(machine: string, signal: string): string {
    let perMachine = this.signalTopics.get(machine);
    if (!perMachine) {
      perMachine = new Map();
      this.signalTopics.set(machine, perMachine);
    }
    let topic = perMachine.get(signal);
    if (topic === undefined) {
      topic = `${this.prefix}/${topicLevel(machine)}/signal/${topicLevel(signal)}`;
      perMachine.set(signal, topic);
    }
    return topic;
  }

  /** `<prefix>/<machine>/event/<type>` — QoS 1, not retained. */
  event(machine: string, type: string): string {
    return `${this.prefix}/${topicLevel(machine)}/event/${topicLevel(type)}`;
  }

  /** `<prefix>/gateway/<gatewayId>/status` — retained; `offline` is the Last Will. */
  gatewayStatus(gatewayId: string): string {
    return `${this.prefix}/gateway/${topicLevel(gatewayId)}/status`;
  }
}

function jsonNumber(n: number): string {
  // JSON has no NaN/Infinity; JSON.stringify would also write null.
  return Number.isFinite(n) ? String(n) : "null";
}

function jsonValue(value: Observation["value"]): string {
  switch (typeof value) {
    case "number":
      return jsonNumber(value);
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    default:
      return "null";
  }
}

/**
 * `<prefix>/<machine>/signal/<signal>` payload, keys in this order:
 * `{"v":1,"value":…,"unit"?:…,"ts":…,"rx":…,"seq":…,"quality":…,"session"?:…,"alarm"?:{…},"signal"?:…}`.
 * `signal` (the exact id) is present for `raw.*` signals only, whose topic
 * level may have been sanitised. Built by hand because it runs once per
 * observation (≥100k/s); the test suite checks it against JSON.parse.
 */
export function signalPayload(o: Observation): string {
  let s = `{"v":1,"value":${jsonValue(o.value)}`;
  if (o.unit !== undefined) s += `,"unit":${JSON.stringify(o.unit)}`;
  s += `,"ts":${jsonNumber(o.ts)},"rx":${jsonNumber(o.rx)},"seq":${jsonNumber(o.seq)},"quality":"${o.quality}"`;
  if (o.session !== undefined) s += `,"session":${JSON.stringify(o.session)}`;
  if (o.alarm !== undefined) s += `,"alarm":${JSON.stringify(o.alarm)}`;
  if (o.signal.startsWith("raw.")) s += `,"signal":${JSON.stringify(o.signal)}`;
  return `${s}}`;
}

/** `<prefix>/<machine>/state` payload: the snapshot with `v` first. */
export function statePayload(snapshot: MachineSnapshot): string {
  return JSON.stringify({ v: PAYLOAD_VERSION, ...snapshot });
}

/** `<prefix>/<machine>/event/<type>` payload: the event with `v` first. */
export function eventPayload(event: MachineEvent): string {
  return JSON.stringify({ v: PAYLOAD_VERSION, ...event });
}

/** `<prefix>/gateway/<id>/status` payload. */
export function statusPayload(status: GatewayStatus, ts: number, version: string): string {
  return JSON.stringify({ v: PAYLOAD_VERSION, status, ts, version });
}
