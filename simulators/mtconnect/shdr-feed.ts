import { connect, type Socket } from "node:net";
import type { Logger } from "pino";
import { type MtDevice, parseDevicesXml } from "../../src/adapters/mtconnect-common/devices.ts";
import type { ShdrKeyType } from "../../src/adapters/shdr/config.ts";
import { ShdrLineFramer } from "../../src/adapters/shdr/line-framer.ts";
import { type ShdrItem, ShdrLineParser } from "../../src/adapters/shdr/line-parser.ts";
import type { AgentBuffer, SimConditionLevel, SimObservation } from "./agent-buffer.ts";
import { elementName, type SimDataItem, type SimDevice } from "./device-model.ts";
import type { AgentFeed } from "./model-feed.ts";

// Feeds the agent from an SHDR adapter (a real one, or `maskinport sim shdr`,
// which also replays captured logs such as okuma.txt), with the device model
// from a Devices.xml — the way cppagent sits in front of an adapter. SHDR keys
// are data item names (or ids). Like an agent, it marks every item
// UNAVAILABLE while the adapter is away and reconnects every second.

export type ShdrFeedOptions = {
  host: string;
  port: number;
  /** Text of an MTConnectDevices document. */
  devicesXml: string;
  /** Device name, uuid or id in it (default: the first). */
  device?: string;
  buffer: AgentBuffer;
  timestamp: (ms?: number) => string;
  log: Logger;
};

const LEVEL: Record<string, SimConditionLevel> = {
  normal: "Normal",
  warning: "Warning",
  fault: "Fault",
  unavailable: "Unavailable",
};

/** A device of a Devices.xml as the simulated agent serves it (components one level deep). */
export function simDeviceFromModel(d: MtDevice, index: number): SimDevice {
  const items: SimDataItem[] = d.dataItems.map((i) => {
    const suffix =
      i.representation === "TIME_SERIES" ? "TimeSeries" : i.representation === "DATA_SET" ? "DataSet" : "";
    const item: SimDataItem = {
      id: i.id,
      name: i.name ?? i.id,
      type: i.type.replace(/^\w+:/, ""),
      category: i.category,
      path:
        i.component === "Device"
          ? []
          : [{ element: i.component, id: i.componentId ?? `${d.id}_${i.component}`, name: i.componentName }],
      element: elementName(i.type.replace(/^\w+:/, "")) + suffix,
      read: () => null,
    };
    if (i.subType !== undefined) item.subType = i.subType;
    if (i.units !== undefined) item.units = i.units;
    return item;
  });
  return { machineIndex: index, kind: "lathe", id: d.id, name: d.name, uuid: d.uuid ?? d.id, items };
}

function keyType(item: SimDataItem | undefined, representation: string | undefined): ShdrKeyType | undefined {
  if (!item) return undefined;
  if (item.category === "CONDITION") return "condition";
  if (item.type === "MESSAGE") return "message";
  if (representation === "TIME_SERIES") return "time_series";
  return item.category === "SAMPLE" ? "sample" : "event";
}

export class ShdrFeed implements AgentFeed {
  readonly devices: SimDevice[];
  private readonly o: ShdrFeedOptions;
  private readonly byKey = new Map<string, SimDataItem>();
  private readonly latest = new Map<string, Omit<SimObservation, "sequence">>();
  private socket: Socket | undefined;
  private retry: NodeJS.Timeout | undefined;
  private ping: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly keyTypes: (key: string) => ShdrKeyType | undefined;

  constructor(o: ShdrFeedOptions) {
    this.o = o;
    const models = parseDevicesXml(o.devicesXml);
    const model =
      o.device === undefined ? models[0] : models.find((d) => [d.name, d.uuid, d.id].includes(o.device));
    if (!model) {
      throw new Error(
        `device "${o.device}" is not in the Devices.xml; it has ${models.map((d) => d.name).join(", ")}`,
      );
    }
    const device = simDeviceFromModel(model, 1);
    this.devices = [device];
    const representation = new Map(model.dataItems.map((i) => [i.id, i.representation]));
    for (const item of device.items) {
      this.byKey.set(item.id, item);
      this.byKey.set(item.name, item); // names win: SHDR keys are names
    }
    this.keyTypes = (key) => {
      const item = this.byKey.get(key);
      return keyType(item, item ? representation.get(item.id) : undefined);
    };
    this.unavailable();
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retry);
    clearInterval(this.ping);
    this.socket?.destroy();
  }

  restart(): void {
    for (const o of this.latest.values()) this.o.buffer.add(o);
    this.o.buffer.notify();
  }

  poll(): void {}

  private connect(): void {
    const framer = new ShdrLineFramer();
    const parser = new ShdrLineParser({ keyType: this.keyTypes });
    const socket = connect({ host: this.o.host, port: this.o.port, noDelay: true });
    this.socket = socket;
    socket.on("connect", () => {
      this.o.log.info(
        { host: this.o.host, port: this.o.port },
        "mtconnect simulator: SHDR adapter connected",
      );
      socket.write("* PING\n");
      this.ping = setInterval(() => socket.write("* PING\n"), 10_000);
    });
    socket.on("data", (chunk: Buffer) => {
      const rx = Date.now();
      framer.push(chunk, {
        line: (text) => {
          const record = parser.parseLine(text, rx);
          if (record?.kind === "data") for (const item of record.items) this.add(item, record.ts);
        },
        error: () => {},
      });
      this.o.buffer.notify();
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearInterval(this.ping);
      if (this.stopped) return;
      this.unavailable();
      this.retry = setTimeout(() => this.connect(), 1000);
    });
  }

  private add(i: ShdrItem, ts: number): void {
    const item = this.byKey.get(i.key);
    if (!item) return;
    const device = this.devices[0]!;
    const timestamp = this.o.timestamp(ts);
    let o: Omit<SimObservation, "sequence">;
    if (i.kind === "condition") {
      o = { device, item, timestamp, value: i.text, level: LEVEL[i.level] ?? "Unavailable" };
      if (i.nativeCode) o.nativeCode = i.nativeCode;
    } else if (i.kind === "message") o = { device, item, timestamp, value: i.text };
    else if (i.kind === "time_series") o = { device, item, timestamp, value: i.values };
    else o = { device, item, timestamp, value: i.value };
    this.latest.set(item.id, o);
    this.o.buffer.add(o);
  }

  /** The adapter is away: every item UNAVAILABLE, as an agent reports it. */
  private unavailable(): void {
    const device = this.devices[0]!;
    const timestamp = this.o.timestamp();
    for (const item of device.items) {
      const o: Omit<SimObservation, "sequence"> =
        item.category === "CONDITION"
          ? { device, item, timestamp, value: null, level: "Unavailable" }
          : { device, item, timestamp, value: null };
      this.latest.set(item.id, o);
      this.o.buffer.add(o);
    }
    this.o.buffer.notify();
  }
}
