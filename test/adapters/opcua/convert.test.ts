import { describe, expect, it } from "vitest";
import {
  type Binding,
  type BrowsedNode,
  combineDecoded,
  decodeBinding,
  decodeValue,
  mapCompanionNodes,
} from "../../../src/adapters/opcua/convert.ts";
import { readGolden } from "../../support/golden.ts";
import { type OpcuaGoldenName, opcuaGoldenFile, renderOpcuaBindings } from "./goldens.ts";

/** A golden case: the checked-in bindings against what the mapping makes now (see goldens.ts). */
function golden(name: OpcuaGoldenName): void {
  const expected = readGolden(opcuaGoldenFile(name)).trimEnd().split("\n");
  expect(renderOpcuaBindings(name)).toEqual(expected);
}

describe("opcua convert: companion nodes → bindings (golden)", () => {
  it("MachineTool + CNC interface: CNC values win, 40501 fills the rest", () => golden("bindings"));

  it("MachineTool only (no CNC interface): 40501 monitoring and production feed the signals", () =>
    golden("bindings-40501-only"));

  it("numbers spindles and channels in browse order and resolves subtypes through their known type", () => {
    const nodes: BrowsedNode[] = [
      { nodeId: "ns=4;i=1", name: "Spindles", nodeClass: "Object", parent: -1, type: "CncSpindleListType" },
      { nodeId: "ns=4;i=2", name: "Main", nodeClass: "Object", parent: 0, type: "CncSpindleType" },
      { nodeId: "ns=4;i=3", name: "ActSpeed", nodeClass: "Variable", parent: 1 },
      { nodeId: "ns=4;i=4", name: "Sub", nodeClass: "Object", parent: 0, type: "CncSpindleType" },
      { nodeId: "ns=4;i=5", name: "ActSpeed", nodeClass: "Variable", parent: 3 },
      { nodeId: "ns=4;i=6", name: "ActLoad", nodeClass: "Variable", parent: 3 },
      // An ActSpeed outside any spindle is not a spindle speed.
      { nodeId: "ns=4;i=7", name: "ActSpeed", nodeClass: "Variable", parent: -1 },
      // An axis named U is not in the catalogue: no binding.
      { nodeId: "ns=4;i=8", name: "U", nodeClass: "Object", parent: -1, type: "CncAxisType" },
      {
        nodeId: "ns=4;i=9",
        name: "PosIndirect",
        nodeClass: "Variable",
        parent: 7,
        type: "CncPositionVariableType",
      },
      { nodeId: "ns=4;i=10", name: "ActPos", nodeClass: "Variable", parent: 8 },
    ];
    const bindings = mapCompanionNodes(nodes);
    expect(bindings.map((b: Binding) => [b.signal, b.nodeId])).toEqual([
      ["spindle.2.load", "ns=4;i=6"],
      ["spindle.2.speed", "ns=4;i=5"],
      ["spindle.speed", "ns=4;i=3"],
    ]);
  });

  it("maps nothing from a tree without companion types", () => {
    expect(
      mapCompanionNodes([{ nodeId: "ns=2;s=X", name: "ActSpeed", nodeClass: "Variable", parent: -1 }]),
    ).toEqual([]);
  });
});

describe("opcua convert: decoding values", () => {
  it.each([
    ["cncProgramStatus", 0, "READY"],
    ["cncProgramStatus", 1, "ACTIVE"],
    ["cncProgramStatus", 2, "WAIT"],
    ["cncProgramStatus", 3, "INTERRUPTED"],
    ["cncProgramStatus", 4, "STOPPED"],
    ["cncProgramStatus", 9, null],
    ["cncOperationMode", 1, "MANUAL_DATA_INPUT"],
    ["channelState", 2, "READY"],
    ["channelMode", 3, "MANUAL"],
    ["channelMode", 7, null],
    ["machineOperationMode", 3, "SEMI_AUTOMATIC"],
    ["productionProgramState", { text: "Running", locale: "en" }, "ACTIVE"],
    ["productionProgramState", { text: "Ended" }, "PROGRAM_COMPLETED"],
    ["productionProgramState", { text: "Warming up" }, null],
    ["number", 1200.5, 1200.5],
    ["number", [0, 42], 42],
    ["number", "abc", null],
    ["number", Number.NaN, null],
    ["integer", " 17 ", 17],
    ["integer", "N17", null],
    ["text", { text: "O1001" }, "O1001"],
    ["text", null, null],
    ["cncFeedHold", true, true],
    ["auto", new Date(5), 5],
    ["auto", { text: "hello" }, "hello"],
  ] as const)("%s(%j) → %j", (decoder, raw, expected) => {
    expect(decodeValue(decoder, raw)).toEqual(expected);
  });

  it("explicit-map bindings apply map first, then scale", () => {
    expect(decodeBinding({ decode: "auto", map: { "1": "ACTIVE", "0": "READY" } }, 1)).toBe("ACTIVE");
    expect(decodeBinding({ decode: "auto", map: { "1": "ACTIVE" } }, 7)).toBe(7);
    expect(decodeBinding({ decode: "auto", scale: 60 }, 20)).toBe(1200);
    expect(decodeBinding({ decode: "auto", scale: 60 }, "x")).toBe("x");
  });

  it("CNC execution: program status and feed hold together", () => {
    const d = ["cncProgramStatus", "cncFeedHold"] as const;
    expect(combineDecoded(d, ["INTERRUPTED", true])).toBe("FEED_HOLD");
    expect(combineDecoded(d, ["ACTIVE", true])).toBe("FEED_HOLD");
    expect(combineDecoded(d, ["INTERRUPTED", false])).toBe("INTERRUPTED");
    expect(combineDecoded(d, ["READY", true])).toBe("READY");
    expect(combineDecoded(d, [null, false])).toBe(null);
  });
});
