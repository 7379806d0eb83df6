import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type BrowsedNode, mapCompanionNodes } from "../../../src/adapters/opcua/convert.ts";
import type { Golden } from "../../support/golden.ts";

// Golden cases of the companion-spec mapping: `browsed.json` is what discovery
// read from a server (the simulator's mill-2, recorded); `<name>.expected.txt`
// is the bindings the mapping makes of it, one line each.

const CASE_DIR = join(import.meta.dirname, "cases", "machinetool-cnc");

/** The node list without the CNC interface: a machine that implements only OPC 40501. */
function withoutCnc(nodes: BrowsedNode[]): BrowsedNode[] {
  const dropped = new Set<number>();
  nodes.forEach((n, i) => {
    if (n.type === "CncInterfaceType" || dropped.has(n.parent)) dropped.add(i);
  });
  const newIndex = new Map<number, number>();
  const kept: BrowsedNode[] = [];
  nodes.forEach((n, i) => {
    if (dropped.has(i)) return;
    newIndex.set(i, kept.length);
    kept.push({ ...n, parent: n.parent < 0 ? -1 : (newIndex.get(n.parent) as number) });
  });
  return kept;
}

/** Each case: which nodes the mapping sees. */
const CASES = {
  /** MachineTool + CNC interface. */
  bindings: (nodes: BrowsedNode[]) => nodes,
  /** MachineTool only. */
  "bindings-40501-only": withoutCnc,
} as const;

export type OpcuaGoldenName = keyof typeof CASES;

export function opcuaGoldenFile(name: OpcuaGoldenName): string {
  return join(CASE_DIR, `${name}.expected.txt`);
}

/** One line per binding the current mapping makes: `signal ← ref (decode, nodeId)`. */
export function renderOpcuaBindings(name: OpcuaGoldenName): string[] {
  const nodes = JSON.parse(readFileSync(join(CASE_DIR, "browsed.json"), "utf8")) as BrowsedNode[];
  return mapCompanionNodes(CASES[name](nodes)).map(
    (b) => `${b.signal} ← ${b.ref} (${b.decode}, ${b.nodeId})`,
  );
}

export const opcuaGoldens = (): Golden[] =>
  (Object.keys(CASES) as OpcuaGoldenName[]).map((name) => ({
    file: opcuaGoldenFile(name),
    render: () => `${renderOpcuaBindings(name).join("\n")}\n`,
  }));
