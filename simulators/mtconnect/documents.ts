import type { AgentBuffer, SimObservation } from "./agent-buffer.ts";
import type { SimDataItem, SimDevice } from "./device-model.ts";

// XML documents of the simulated agent: MTConnectDevices (/probe),
// MTConnectStreams (/current, /sample), MTConnectError and an empty
// MTConnectAssets. Schema 2.0 writes a default namespace; schema 1.3 writes
// an `m:` prefix on every element (as some agents do), so a client that
// matches by prefixed name breaks on one of the two.

export type SchemaVersion = "1.3" | "2.0";

export type AgentInfo = {
  instanceId: number;
  schema: SchemaVersion;
  buffer: AgentBuffer;
  sender: string;
};

const esc = (s: string): string =>
  s.replace(/[&<>"]/g, (c) => (c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : "&quot;"));

function attrs(a: Record<string, string | number | undefined>): string {
  let out = "";
  for (const [k, v] of Object.entries(a)) if (v !== undefined) out += ` ${k}="${esc(String(v))}"`;
  return out;
}

/** Element name writer for the schema's namespace style. */
function namer(schema: SchemaVersion): (name: string) => string {
  return schema === "1.3" ? (name) => `m:${name}` : (name) => name;
}

function rootOpen(kind: "Devices" | "Streams" | "Error" | "Assets", schema: SchemaVersion): string {
  const ns = `urn:mtconnect.org:MTConnect${kind}:${schema}`;
  return schema === "1.3"
    ? `<m:MTConnect${kind} xmlns:m="${ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`
    : `<MTConnect${kind} xmlns="${ns}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`;
}

function header(info: AgentInfo, sequences: boolean, next?: number): string {
  const b = info.buffer;
  const n = namer(info.schema);
  return `<${n("Header")}${attrs({
    creationTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    sender: info.sender,
    instanceId: info.instanceId,
    version: `${info.schema}.0`,
    bufferSize: b.capacity,
    firstSequence: sequences ? b.firstSequence : undefined,
    lastSequence: sequences ? b.lastSequence : undefined,
    nextSequence: sequences ? (next ?? b.nextSequence) : undefined,
  })}/>`;
}

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

export function probeXml(info: AgentInfo, devices: readonly SimDevice[]): string {
  const n = namer(info.schema);
  let body = "";
  for (const d of devices) {
    body += `<${n("Device")}${attrs({ id: d.id, name: d.name, uuid: d.uuid })}>`;
    body += `<${n("Description")}${attrs({ manufacturer: "Maskinport", model: `simulated ${d.kind}` })}/>`;
    body += renderComponentTree(d.items, 0, n);
    body += `</${n("Device")}>`;
  }
  return `${XML_DECL}${rootOpen("Devices", info.schema)}${header(info, false)}<${n("Devices")}>${body}</${n("Devices")}></${n("MTConnectDevices")}>`;
}

/** Items grouped into nested Components by their path, at `depth`. */
function renderComponentTree(items: readonly SimDataItem[], depth: number, n: (s: string) => string): string {
  const own = items.filter((i) => i.path.length === depth);
  const deeper = items.filter((i) => i.path.length > depth);
  let out = "";
  if (own.length > 0) {
    out += `<${n("DataItems")}>`;
    for (const i of own) {
      out += `<${n("DataItem")}${attrs({
        id: i.id,
        name: i.name,
        type: i.type,
        subType: i.subType,
        category: i.category,
        units: i.units,
        nativeUnits: i.units,
      })}/>`;
    }
    out += `</${n("DataItems")}>`;
  }
  if (deeper.length > 0) {
    out += `<${n("Components")}>`;
    const order: string[] = [];
    const groups = new Map<string, SimDataItem[]>();
    for (const i of deeper) {
      const c = i.path[depth]!;
      if (!groups.has(c.id)) {
        groups.set(c.id, []);
        order.push(c.id);
      }
      groups.get(c.id)!.push(i);
    }
    for (const id of order) {
      const group = groups.get(id)!;
      const c = group[0]!.path[depth]!;
      out += `<${n(c.element)}${attrs({ id: c.id, name: c.name })}>`;
      out += renderComponentTree(group, depth + 1, n);
      out += `</${n(c.element)}>`;
    }
    out += `</${n("Components")}>`;
  }
  return out;
}

function observationXml(o: SimObservation, n: (s: string) => string): string {
  const i = o.item;
  if (i.category === "CONDITION") {
    const level = o.level ?? "Unavailable";
    const a = attrs({
      dataItemId: i.id,
      timestamp: o.timestamp,
      name: i.name,
      sequence: o.sequence,
      type: i.type,
      nativeCode: o.nativeCode,
    });
    return o.value ? `<${n(level)}${a}>${esc(o.value)}</${n(level)}>` : `<${n(level)}${a}/>`;
  }
  const a = attrs({
    dataItemId: i.id,
    timestamp: o.timestamp,
    name: i.name,
    sequence: o.sequence,
    subType: i.subType,
  });
  return `<${n(i.element)}${a}>${o.value === null ? "UNAVAILABLE" : esc(o.value)}</${n(i.element)}>`;
}

const CONTAINER = { SAMPLE: "Samples", EVENT: "Events", CONDITION: "Condition" } as const;

/** A streams document; observations are grouped by device, component and category as the schema wants. */
export function streamsXml(
  info: AgentInfo,
  devices: readonly SimDevice[],
  observations: readonly SimObservation[],
  next?: number,
  padding?: string,
): string {
  const n = namer(info.schema);
  let body = "";
  for (const d of devices) {
    const mine = observations.filter((o) => o.device === d);
    if (mine.length === 0) continue;
    body += `<${n("DeviceStream")}${attrs({ name: d.name, uuid: d.uuid })}>`;
    const byComponent = new Map<string, SimObservation[]>();
    for (const o of mine) {
      const c = o.item.path.at(-1)?.id ?? d.id;
      let list = byComponent.get(c);
      if (!list) {
        list = [];
        byComponent.set(c, list);
      }
      list.push(o);
    }
    for (const [componentId, list] of byComponent) {
      const c = list[0]!.item.path.at(-1);
      body += `<${n("ComponentStream")}${attrs({
        component: c?.element ?? "Device",
        name: c?.name ?? d.name,
        componentId,
      })}>`;
      for (const cat of ["SAMPLE", "EVENT", "CONDITION"] as const) {
        const inCat = list.filter((o) => o.item.category === cat);
        if (inCat.length === 0) continue;
        body += `<${n(CONTAINER[cat])}>${inCat.map((o) => observationXml(o, n)).join("")}</${n(CONTAINER[cat])}>`;
      }
      body += `</${n("ComponentStream")}>`;
    }
    body += `</${n("DeviceStream")}>`;
  }
  const pad = padding ? `<!-- ${padding} -->` : "";
  return `${XML_DECL}${rootOpen("Streams", info.schema)}${header(info, true, next)}<${n("Streams")}>${body}</${n("Streams")}>${pad}</${n("MTConnectStreams")}>`;
}

export function errorXml(info: AgentInfo, code: string, message: string): string {
  const n = namer(info.schema);
  return `${XML_DECL}${rootOpen("Error", info.schema)}${header(info, true)}<${n("Errors")}><${n("Error")} errorCode="${esc(code)}">${esc(message)}</${n("Error")}></${n("Errors")}></${n("MTConnectError")}>`;
}

export function assetsXml(info: AgentInfo): string {
  const n = namer(info.schema);
  return `${XML_DECL}${rootOpen("Assets", info.schema)}${header(info, false)}<${n("Assets")}/></${n("MTConnectAssets")}>`;
}
