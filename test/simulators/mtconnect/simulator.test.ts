import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { type MtconnectSimulator, startMtconnectSimulator } from "../../../simulators/mtconnect/simulator.ts";
import { bindAgent } from "../../../src/adapters/mtconnect/bindings.ts";
import { MultipartFramer, multipartBoundary } from "../../../src/adapters/mtconnect/multipart.ts";
import {
  type MtObservation,
  parseStreamsXml,
  type StreamsResult,
} from "../../../src/adapters/mtconnect/streams-parser.ts";
import { parseDevicesXml } from "../../../src/adapters/mtconnect-common/devices.ts";
import { waitFor } from "../../support/ports.ts";

// The simulated agent over real HTTP: documents, sequence numbers, the bounded
// buffer, path filters, streaming with heartbeats, restart, alarms, power off.

const open: MtconnectSimulator[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});
async function sim(options: Parameters<typeof startMtconnectSimulator>[0] = {}): Promise<MtconnectSimulator> {
  const s = await startMtconnectSimulator({ machines: 2, autoOperator: false, tickMs: 20, ...options });
  open.push(s);
  return s;
}

async function get(url: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text() };
}
async function streams(url: string): Promise<{ result: StreamsResult; observations: MtObservation[] }> {
  return parseStreamsXml((await get(url)).body);
}

/** Read `n` parts of a streaming /sample. */
function readParts(url: string, n: number): Promise<{ type: string; parts: string[] }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      const type = res.headers["content-type"] ?? "";
      const parts: string[] = [];
      let body: Buffer[] = [];
      const framer = new MultipartFramer(
        multipartBoundary(type)!,
        {
          partStart: () => {
            body = [];
          },
          partData: (c) => body.push(Buffer.from(c)),
          partEnd: () => {
            parts.push(Buffer.concat(body).toString());
            if (parts.length === n) {
              req.destroy();
              resolve({ type, parts });
            }
          },
        },
        { maxPartBytes: 1 << 20 },
      );
      res.on("data", (c: Buffer) => framer.push(c));
    });
    req.on("error", (e) => (e.message === "aborted" ? undefined : reject(e)));
    req.end();
  });
}

describe("MTConnect agent simulator", () => {
  for (const schema of ["2.0", "1.3"] as const) {
    it(`serves a probe every data item of which maps to the catalogue (schema ${schema})`, async () => {
      const s = await sim({ schema });
      const probe = await get(`${s.url}/probe`);
      expect(probe.type).toMatch(/^text\/xml/);
      expect(probe.body).toContain(`urn:mtconnect.org:MTConnectDevices:${schema}`);
      const devices = parseDevicesXml(probe.body);
      expect(devices.map((d) => [d.name, d.uuid])).toEqual([
        ["lathe-1", "maskinport-sim-lathe-1"],
        ["mill-2", "maskinport-sim-mill-2"],
      ]);
      const bound = bindAgent(
        devices,
        [
          { id: "a", device: "lathe-1" },
          { id: "b", device: "mill-2" },
        ],
        s.url,
      );
      expect(bound.unmappedItems).toBe(0);
      const signals = [...bound.byDevice.get("mill-2")!.items.values()].map((b) => b.signal).sort();
      expect(signals).toEqual(
        [
          "alarm",
          "availability",
          "axis.x.position",
          "axis.y.position",
          "axis.z.position",
          "emergency_stop",
          "execution",
          "feed.override",
          "feed.rate",
          "message",
          "mode",
          "part.count",
          "program.line",
          "program.name",
          "rapid.override",
          "spindle.load",
          "spindle.override",
          "spindle.speed",
          "spindle.speed.cmd",
          "tool.number",
        ].sort(),
      );
    });
  }

  it("answers /current with every item once and /sample with consecutive sequences", async () => {
    const s = await sim();
    const current = await streams(`${s.url}/current`);
    const ids = current.observations.map((o) => o.dataItemId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(s.devices[0]!.items.length + s.devices[1]!.items.length);
    expect(current.observations.find((o) => o.dataItemId === "d1_system")).toMatchObject({ level: "normal" });
    const header = current.result.header!;
    expect(header).toMatchObject({
      firstSequence: 1,
      nextSequence: ids.length + 1,
      lastSequence: ids.length,
    });

    const page = await streams(`${s.url}/sample?from=3&count=4`);
    expect(page.observations.map((o) => o.sequence)).toEqual([3, 4, 5, 6]);
    expect(page.result.header!.nextSequence).toBe(7);
  });

  it("answers OUT_OF_RANGE once the bounded buffer has moved past `from`", async () => {
    const s = await sim({ machines: 1, bufferSize: 16, timeScale: 20 });
    s.models[0]!.runProgram("O1001");
    await waitFor(
      "buffer wrapped",
      async () => ((await streams(`${s.url}/current`)).result.header!.firstSequence ?? 0) > 5,
    );
    const r = await get(`${s.url}/sample?from=2`);
    expect(r.status).toBe(404);
    expect(parseStreamsXml(r.body).result).toMatchObject({
      kind: "error",
      errors: [{ code: "OUT_OF_RANGE" }],
    });
    const old = await sim({ machines: 1, schema: "1.3" });
    const r13 = await get(`${old.url}/sample?from=99999`);
    expect(r13.status).toBe(200); // 1.x agents send errors with 200
    expect(r13.body).toContain('errorCode="OUT_OF_RANGE"');
  });

  it("filters by ?path= and by device in the URL", async () => {
    const s = await sim();
    const exec = await streams(
      `${s.url}/current?path=${encodeURIComponent('//DataItem[@type="EXECUTION"]')}`,
    );
    expect(exec.observations.map((o) => [o.device, o.dataItemId])).toEqual([
      ["lathe-1", "d1_exec"],
      ["mill-2", "d2_exec"],
    ]);
    const axes = await streams(
      `${s.url}/current?path=${encodeURIComponent('//Device[@name="mill-2"]//Linear')}`,
    );
    expect(axes.observations.map((o) => o.dataItemId)).toEqual(["d2_xpos", "d2_ypos", "d2_zpos"]);
    const scoped = await streams(`${s.url}/mill-2/current`);
    expect(new Set(scoped.observations.map((o) => o.device))).toEqual(new Set(["mill-2"]));
    const bad = await get(`${s.url}/current?path=${encodeURIComponent("count(//x)")}`);
    expect(bad.status).toBe(400);
    expect(bad.body).toContain("INVALID_XPATH");
    const missing = await get(`${s.url}/nope/current`);
    expect(missing.status).toBe(404);
    expect(missing.body).toContain("NO_DEVICE");
    expect((await get(`${s.url}/asset`)).body).toContain("MTConnectAssets");
  });

  it("streams multipart parts with Content-length, and empty heartbeats when idle", async () => {
    for (const [schema, type] of [
      ["2.0", "multipart/mixed"],
      ["1.3", "multipart/x-mixed-replace"],
    ] as const) {
      const s = await sim({ machines: 1, schema });
      const next = (await streams(`${s.url}/current`)).result.header!.nextSequence!;
      const t0 = Date.now();
      const { type: got, parts } = await readParts(
        `${s.url}/sample?from=${next}&interval=10&heartbeat=100`,
        3,
      );
      expect(got.startsWith(type)).toBe(true);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(150); // idle machine: part, then heartbeats 100 ms apart
      for (const p of parts) expect(parseStreamsXml(p).observations).toHaveLength(0);
    }
  });

  it("streams changes as they happen, alarms as condition codes", async () => {
    const s = await sim({ machines: 1 });
    const next = (await streams(`${s.url}/current`)).result.header!.nextSequence!;
    const reading = readParts(`${s.url}/sample?from=${next}&interval=10&heartbeat=1000`, 2);
    await new Promise((r) => setTimeout(r, 50));
    s.models[0]!.raiseAlarm("EX1010", "warning", "COOLANT LEVEL LOW");
    s.models[0]!.raiseAlarm("EX1020", "fault", "AIR PRESSURE LOW");
    s.poll();
    const observed = (await reading).parts.flatMap((p) => parseStreamsXml(p).observations);
    expect(observed.filter((o) => o.level).map((o) => [o.level, o.nativeCode, o.value])).toEqual([
      ["warning", "EX1010", "COOLANT LEVEL LOW"],
      ["fault", "EX1020", "AIR PRESSURE LOW"],
    ]);
    const active = (await streams(`${s.url}/current`)).observations.filter(
      (o) => o.dataItemId === "d1_system",
    );
    expect(active.map((o) => o.nativeCode)).toEqual(["EX1010", "EX1020"]);
    s.models[0]!.clearAlarm("EX1010");
    s.poll();
    const after = (await streams(`${s.url}/current`)).observations.filter(
      (o) => o.dataItemId === "d1_system",
    );
    expect(after.map((o) => [o.level, o.nativeCode])).toEqual([["fault", "EX1020"]]);
  });

  it("reports UNAVAILABLE for everything while the machine is powered off", async () => {
    const s = await sim({ machines: 1 });
    s.models[0]!.powerOff();
    s.poll();
    const obs = (await streams(`${s.url}/current`)).observations;
    expect(obs.find((o) => o.dataItemId === "d1_avail")!.value).toBeNull();
    expect(obs.filter((o) => o.value !== null && o.level !== "unavailable")).toEqual([]);
  });

  it("restarts with a new instanceId and sequence numbers from 1", async () => {
    const s = await sim();
    const before = (await streams(`${s.url}/current`)).result.header!;
    s.faults.restart();
    const after = (await streams(`${s.url}/current`)).result.header!;
    expect(after.instanceId).not.toBe(before.instanceId);
    expect(String(s.instanceId())).toBe(after.instanceId);
    expect(after.firstSequence).toBe(1);
  });
});
