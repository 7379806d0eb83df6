import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BindingError, bindAgent } from "../../../src/adapters/mtconnect/bindings.ts";
import { ObservationRouter } from "../../../src/adapters/mtconnect/router.ts";
import type { MtObservation } from "../../../src/adapters/mtconnect/streams-parser.ts";
import { parseDevicesXml } from "../../../src/adapters/mtconnect-common/devices.ts";

const devices = parseDevicesXml(
  readFileSync(join(import.meta.dirname, "cases/nist-current/devices.xml"), "utf8"),
);
const URL = "http://agent:5000";

describe("bindAgent", () => {
  it("finds devices by name, uuid or id", () => {
    const b = bindAgent(
      devices,
      [
        { id: "a", device: "Mazak01" },
        { id: "b", device: "mtc_adapter004" },
      ],
      URL,
    );
    expect([...b.byDevice.keys()]).toEqual(["Mazak01", "Mazak03"]);
    expect(b.byDevice.get("Mazak03")!.machine).toBe("b");
  });

  it("explains a missing, ambiguous or doubly claimed device", () => {
    expect(() => bindAgent(devices, [{ id: "a", device: "Okuma" }], URL)).toThrow(
      /machine a: device "Okuma" is not in http:\/\/agent:5000\/probe; the agent serves: GFAgie01 \(uuid mtc_adapter001\), Mazak01/,
    );
    expect(() => bindAgent(devices, [{ id: "a" }], URL)).toThrow(/serves 8 devices .*set monitor.device/);
    expect(() =>
      bindAgent(
        devices,
        [
          { id: "a", device: "Mazak01" },
          { id: "b", device: "mtc_adapter002" },
        ],
        URL,
      ),
    ).toThrow(BindingError);
    expect(bindAgent([devices[0]!], [{ id: "only" }], URL).byDevice.has("GFAgie01")).toBe(true);
  });

  it("applies overrides: signal (displacing the default), unit and scale, ignore, unmapped: ignore", () => {
    const b = bindAgent(
      devices,
      [
        {
          id: "m",
          device: "Mazak03",
          dataItems: {
            S1load: "raw.sload_default",
            Xload: { signal: "spindle.load", scale: 0.5 },
            Cload: { ignore: true },
          },
          unmapped: "ignore",
        },
      ],
      URL,
    ).byDevice.get("Mazak03")!;
    const byName = (name: string) => b.items.get(b.device.dataItems.find((i) => i.name === name)!.id)!;
    expect(byName("Xload")).toMatchObject({ signal: "spindle.load", unit: "%", scale: 0.5, ignore: false });
    expect(byName("S1load")).toMatchObject({ signal: "raw.sload_default", ignore: false });
    expect(byName("Cload").ignore).toBe(true);
    expect(byName("Stemp")).toMatchObject({ signal: "raw.Stemp", unmapped: true, ignore: true });
  });

  it("converts MTConnect units to the catalogue's (PATH_FEEDRATE mm/s → mm/min)", () => {
    const b = bindAgent(devices, [{ id: "m", device: "Mazak01" }], URL).byDevice.get("Mazak01")!;
    const feed = b.device.dataItems.find(
      (i) => i.type === "PATH_FEEDRATE" && i.units === "MILLIMETER/SECOND",
    )!;
    expect(b.items.get(feed.id)).toMatchObject({
      signal: "feed.rate",
      unit: "mm/min",
      scale: 60,
      numeric: "measure",
    });
  });
});

describe("ObservationRouter", () => {
  const bindings = bindAgent(devices, [{ id: "m", device: "Mazak03" }], URL);
  const cond = bindings.byDevice.get("Mazak03")!.device.dataItems.find((i) => i.name === "motion_cond")!;
  const obs = (level: "fault" | "normal", nativeCode?: string): MtObservation => ({
    device: "Mazak03",
    component: "Path",
    category: "CONDITION",
    element: level === "fault" ? "Fault" : "Normal",
    dataItemId: cond.id,
    sequence: 1,
    timestamp: "2024-01-01T00:00:00Z",
    value: level === "fault" ? `alarm ${nativeCode}` : "",
    level,
    nativeCode,
  });
  const bound = (o: MtObservation) => ({ binding: new ObservationRouter(bindings).bind(o)!, obs: o });

  it("clears, on /current, the codes that went away while it was not listening", () => {
    const router = new ObservationRouter(bindings);
    router.streamed([bound(obs("fault", "A")), bound(obs("fault", "B"))], 0);
    const out = router.current([bound(obs("fault", "B"))], 1);
    expect(out.filter((r) => r.signal === "alarm").map((r) => [r.alarm!.level, r.alarm!.nativeCode])).toEqual(
      [
        ["normal", "A"],
        ["fault", "B"],
      ],
    );
    // After a Normal for the whole item nothing is left to clear.
    router.streamed([bound(obs("normal"))], 2);
    expect(router.current([bound(obs("normal"))], 3).filter((r) => r.signal === "alarm")).toHaveLength(1);
  });

  it("counts observations of items the probe did not list", () => {
    const router = new ObservationRouter(bindings);
    expect(router.bind({ ...obs("normal"), dataItemId: "nope" })).toBeUndefined();
    expect(router.bind({ ...obs("normal"), device: "GFAgie01" })).toBeUndefined();
    expect(router.unknownItems).toBe(1);
  });
});
