import { XMLParser, XMLValidator } from "fast-xml-parser";

// Reads an MTConnectDevices document (a Devices.xml file or an agent's /probe
// answer, versions 1.1–2.x) into the flat list of DataItems each adapter needs:
// which items exist, what type they are and which component carries them. The
// component tree itself is not kept; only the facts the catalogue mapping uses.

export type MtCategory = "SAMPLE" | "EVENT" | "CONDITION";

export type MtDataItem = {
  id: string;
  name?: string;
  type: string;
  subType?: string;
  category: MtCategory;
  units?: string;
  nativeUnits?: string;
  /** Element name of the component carrying the item: "Rotary", "Linear", "Path", "Controller", "Device"… */
  component: string;
  componentName?: string;
  componentId?: string;
  /** e.g. "TIME_SERIES", "DATA_SET", "TABLE" (1.x VALUE when absent). */
  representation?: string;
  compositionId?: string;
};

export type MtDevice = {
  id: string;
  name: string;
  uuid?: string;
  /** Every DataItem of the device, in document order (device level first, then components depth-first). */
  dataItems: MtDataItem[];
};

export class DevicesXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DevicesXmlError";
  }
}

/** fast-xml-parser's preserveOrder node: `{ TagName: children[], ":@"?: attributes }`. */
type XmlNode = Record<string, unknown>;
type Attributes = Record<string, string>;

const CATEGORIES: readonly string[] = ["SAMPLE", "EVENT", "CONDITION"];

const parser = new XMLParser({
  // Document order matters: the first of two items competing for one signal wins (see catalog.ts).
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  // Works the same for a default namespace and for `mt:`-prefixed documents.
  removeNSPrefix: true,
  parseAttributeValue: false,
  parseTagValue: false,
  processEntities: true,
});

function tagOf(node: XmlNode): string | undefined {
  for (const k of Object.keys(node)) if (k !== ":@") return k;
  return undefined;
}

function childrenOf(node: XmlNode, tag: string): XmlNode[] {
  const c = node[tag];
  return Array.isArray(c) ? (c as XmlNode[]) : [];
}

function attrsOf(node: XmlNode): Attributes {
  return (node[":@"] as Attributes | undefined) ?? {};
}

function opt(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** Where we are in the tree, for items and for error messages. */
type Context = { component: string; componentName?: string; componentId?: string; where: string };

function readDataItem(node: XmlNode, ctx: Context, index: number): MtDataItem {
  const a = attrsOf(node);
  const where = `${ctx.where} > DataItem[${index}]${a.id ? ` id="${a.id}"` : a.name ? ` name="${a.name}"` : ""}`;
  if (!a.id)
    throw new DevicesXmlError(`${where}: DataItem has no id attribute (every DataItem needs a unique id)`);
  if (!a.type) throw new DevicesXmlError(`${where}: DataItem has no type attribute`);
  const category = a.category?.toUpperCase();
  if (!category || !CATEGORIES.includes(category)) {
    throw new DevicesXmlError(
      `${where}: category must be SAMPLE, EVENT or CONDITION, got ${a.category === undefined ? "nothing" : `"${a.category}"`}`,
    );
  }
  const item: MtDataItem = {
    id: a.id,
    type: a.type.toUpperCase(),
    category: category as MtCategory,
    component: ctx.component,
  };
  const name = opt(a.name);
  if (name !== undefined) item.name = name;
  const subType = opt(a.subType);
  if (subType !== undefined) item.subType = subType.toUpperCase();
  const units = opt(a.units);
  if (units !== undefined) item.units = units.toUpperCase();
  const nativeUnits = opt(a.nativeUnits);
  if (nativeUnits !== undefined) item.nativeUnits = nativeUnits.toUpperCase();
  if (ctx.componentName !== undefined) item.componentName = ctx.componentName;
  if (ctx.componentId !== undefined) item.componentId = ctx.componentId;
  const representation = opt(a.representation);
  if (representation !== undefined) item.representation = representation.toUpperCase();
  const compositionId = opt(a.compositionId);
  if (compositionId !== undefined) item.compositionId = compositionId;
  return item;
}

/**
 * Walk one component element (Device, Axes, Rotary, Path, Composition…):
 * its own DataItems first, then every child component in document order.
 * Children live under `Components` (and `Compositions`); anything else
 * (Description, Configuration, References…) carries no DataItems.
 */
function walkComponent(node: XmlNode, tag: string, ctx: Context, out: MtDataItem[]): void {
  const children = childrenOf(node, tag);
  for (const child of children) {
    if (tagOf(child) !== "DataItems") continue;
    childrenOf(child, "DataItems").forEach((item, i) => {
      if (tagOf(item) === "DataItem") out.push(readDataItem(item, ctx, i));
    });
  }
  for (const child of children) {
    const childTag = tagOf(child);
    if (childTag !== "Components" && childTag !== "Compositions") continue;
    for (const comp of childrenOf(child, childTag)) {
      const compTag = tagOf(comp);
      if (compTag === undefined || compTag === "#text") continue;
      const a = attrsOf(comp);
      // A Composition is named by its type (MOTOR, AMPLIFIER…) when it has no name.
      const compName = opt(a.name) ?? (compTag === "Composition" ? opt(a.type) : undefined);
      const label = `${compTag}${compName ? ` name="${compName}"` : a.id ? ` id="${a.id}"` : ""}`;
      const sub: Context = { component: compTag, where: `${ctx.where} > ${label}` };
      if (compName !== undefined) sub.componentName = compName;
      const compId = opt(a.id);
      if (compId !== undefined) sub.componentId = compId;
      walkComponent(comp, compTag, sub, out);
    }
  }
}

/**
 * Parse an MTConnectDevices document. Throws DevicesXmlError naming the place
 * (element path) and what is wrong for: text that is not XML, a root other
 * than MTConnectDevices, no Devices element, a device or DataItem without id,
 * a DataItem without type or with an unknown category, duplicate DataItem ids.
 * `Agent` entries (2.x agents describe themselves) are not machines and are skipped.
 */
export function parseDevicesXml(xml: string): MtDevice[] {
  if (typeof xml !== "string" || xml.trim() === "") {
    throw new DevicesXmlError("Devices.xml is empty: expected an MTConnectDevices XML document");
  }
  let doc: XmlNode[];
  try {
    const valid = XMLValidator.validate(xml);
    if (valid !== true) {
      throw new DevicesXmlError(
        `Devices.xml is not well-formed XML (line ${valid.err.line}, column ${valid.err.col}): ${valid.err.msg}`,
      );
    }
    doc = parser.parse(xml) as XmlNode[];
  } catch (err) {
    // fast-xml-parser throws plain Errors on some broken input (an unclosed `<?`, found by
    // test/fuzz): bad input from an agent or a file is a DevicesXmlError like any other.
    if (err instanceof DevicesXmlError) throw err;
    throw new DevicesXmlError(`Devices.xml is not well-formed XML: ${(err as Error).message}`);
  }
  const root = doc.find((n) => {
    const t = tagOf(n);
    // Skip the XML declaration, processing instructions (?xml-stylesheet) and text.
    return t !== undefined && !t.startsWith("?") && !t.startsWith("#");
  });
  const rootTag = root ? tagOf(root) : undefined;
  if (!root || rootTag !== "MTConnectDevices") {
    const hint = rootTag === "MTConnectStreams" ? " (this is a /current or /sample answer; use /probe)" : "";
    throw new DevicesXmlError(`expected root element MTConnectDevices, got ${rootTag ?? "nothing"}${hint}`);
  }
  const devicesNode = childrenOf(root, rootTag).find((n) => tagOf(n) === "Devices");
  if (!devicesNode) throw new DevicesXmlError("MTConnectDevices has no Devices element");

  const devices: MtDevice[] = [];
  childrenOf(devicesNode, "Devices").forEach((node, i) => {
    if (tagOf(node) !== "Device") return;
    const a = attrsOf(node);
    const where = `Devices > Device[${i}]${a.name ? ` name="${a.name}"` : ""}`;
    if (!a.id) throw new DevicesXmlError(`${where}: Device has no id attribute`);
    const name = opt(a.name) ?? a.id;
    const items: MtDataItem[] = [];
    const ctx: Context = { component: "Device", componentName: name, componentId: a.id, where };
    walkComponent(node, "Device", ctx, items);
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(item.id)) {
        throw new DevicesXmlError(`${where}: DataItem id "${item.id}" is used twice (ids must be unique)`);
      }
      seen.add(item.id);
    }
    const device: MtDevice = { id: a.id, name, dataItems: items };
    const uuid = opt(a.uuid);
    if (uuid !== undefined) device.uuid = uuid;
    devices.push(device);
  });
  if (devices.length === 0) throw new DevicesXmlError("MTConnectDevices > Devices holds no Device element");
  return devices;
}

/** The device by name (or id, or uuid); the first device when `name` is undefined. */
export function findDevice(devices: readonly MtDevice[], name: string | undefined): MtDevice | undefined {
  if (name === undefined) return devices[0];
  return devices.find((d) => d.name === name || d.id === name || d.uuid === name);
}
