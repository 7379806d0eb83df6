// Discovery by type (the umati way): find the MachineTool / CNC interface
// instances on a server, pick the configured one, and browse it into the flat
// node list that convert.ts maps to signals. A companion-spec machine thus
// needs only its endpoint in the config.
import { AttributeIds, type ClientSession, NodeClass, NodeClassMask } from "node-opcua-client";
import { browseChildren, type TypeResolver } from "./browse.ts";
import { MACHINE_ROOT_TYPES, nodeIdText, UA } from "./companion-types.ts";
import { asText, type BrowsedNode } from "./convert.ts";

export type MachineCandidate = {
  nodeId: string;
  name: string;
  type: "MachineToolType" | "CncInterfaceType";
  serialNumber?: string;
  productInstanceUri?: string;
};

export type DiscoveredMachine = MachineCandidate & { nodes: BrowsedNode[] };

export class DiscoveryError extends Error {
  override name = "DiscoveryError";
}

/** How deep below Objects machines are looked for (umati: Objects/Machines/<machine> is depth 2). */
const SEARCH_DEPTH = 4;
/** How deep below a machine its variables are looked for (…/CncInterface/CncAxisList/X/PosIndirect/ActPos is 5). */
const MACHINE_DEPTH = 6;
const MAX_NODES = 20_000;
/** Sub-trees of a MachineTool that hold nothing we map and can be large. */
const SKIP = new Set(["FileSystem", "Equipment", "MachineryBuildingBlocks", "Prognoses", "Components"]);

function namespaceOf(nodeId: string): number {
  return Number(/^ns=(\d+);/.exec(nodeId)?.[1] ?? 0);
}

/** Find MachineTool (or stand-alone CNC interface) instances below the Objects folder. */
export async function findMachines(session: ClientSession, types: TypeResolver): Promise<MachineCandidate[]> {
  const found: MachineCandidate[] = [];
  let level = [UA.ObjectsFolder as string];
  let seen = 0;
  for (let depth = 0; depth < SEARCH_DEPTH && level.length > 0 && seen < MAX_NODES; depth++) {
    const children = (await browseChildren(session, level, NodeClassMask.Object)).filter(
      (c) => nodeIdText(c.ref.nodeId) !== UA.Server,
    );
    seen += children.length;
    const resolved = await types.resolve(children.map((c) => nodeIdText(c.ref.typeDefinition)));
    const next: string[] = [];
    children.forEach((c, i) => {
      const type = resolved[i];
      const nodeId = nodeIdText(c.ref.nodeId);
      if (type && (MACHINE_ROOT_TYPES as readonly string[]).includes(type)) {
        // The published CNC nodeset ships an example CncInterface ("test") under Objects; instances that
        // live in a companion spec's own namespace are such artefacts, never a real machine.
        if (namespaceOf(nodeId) === namespaceOf(types.nodeIdOf(type) ?? "")) return;
        if (!found.some((f) => f.nodeId === nodeId)) {
          found.push({
            nodeId,
            name: c.ref.browseName.name ?? nodeId,
            type: type as MachineCandidate["type"],
          });
        }
      } else if (!next.includes(nodeId)) next.push(nodeId);
    });
    level = next;
  }
  return found;
}

/** Browse one machine's sub-tree into BrowsedNodes (root excluded: parent -1 means the root). */
export async function browseMachine(
  session: ClientSession,
  types: TypeResolver,
  rootId: string,
): Promise<BrowsedNode[]> {
  const nodes: BrowsedNode[] = [];
  let level: { nodeId: string; index: number }[] = [{ nodeId: rootId, index: -1 }];
  const visited = new Set([rootId]);
  for (let depth = 0; depth < MACHINE_DEPTH && level.length > 0 && nodes.length < MAX_NODES; depth++) {
    const children = await browseChildren(
      session,
      level.map((l) => l.nodeId),
    );
    const resolved = await types.resolve(children.map((c) => nodeIdText(c.ref.typeDefinition)));
    const next: { nodeId: string; index: number }[] = [];
    children.forEach((c, i) => {
      const nodeId = nodeIdText(c.ref.nodeId);
      const name = c.ref.browseName.name ?? "";
      if (visited.has(nodeId) || SKIP.has(name)) return;
      visited.add(nodeId);
      const isObject = c.ref.nodeClass === NodeClass.Object;
      const type = resolved[i];
      const node: BrowsedNode = {
        nodeId,
        name,
        nodeClass: isObject ? "Object" : "Variable",
        parent: level[c.parent]?.index ?? -1,
        ...(type ? { type } : {}),
      };
      nodes.push(node);
      // Variables are leaves, except position groups whose components carry the values.
      if (isObject || type === "CncPositionVariableType") next.push({ nodeId, index: nodes.length - 1 });
    });
    level = next;
  }
  return nodes;
}

/** Read the identification values used to pick a machine (serial number, product instance URI). */
export async function identify(
  session: ClientSession,
  candidate: MachineCandidate,
): Promise<MachineCandidate> {
  if (candidate.type !== "MachineToolType") return candidate;
  const ident = (await browseChildren(session, [candidate.nodeId], NodeClassMask.Object)).find(
    (c) => c.ref.browseName.name === "Identification",
  );
  if (!ident) return candidate;
  const props = await browseChildren(session, [nodeIdText(ident.ref.nodeId)], NodeClassMask.Variable);
  const wanted = props.filter(
    (p) => p.ref.browseName.name === "SerialNumber" || p.ref.browseName.name === "ProductInstanceUri",
  );
  if (wanted.length === 0) return candidate;
  const values = await session.read(
    wanted.map((p) => ({ nodeId: p.ref.nodeId, attributeId: AttributeIds.Value })),
  );
  const out = { ...candidate };
  wanted.forEach((p, i) => {
    const text = asText(values[i]?.value.value);
    if (!text) return;
    if (p.ref.browseName.name === "SerialNumber") out.serialNumber = text;
    else out.productInstanceUri = text;
  });
  return out;
}

/** The configured machine among the candidates, or an error that lists them. */
export function selectMachine(
  candidates: readonly MachineCandidate[],
  wanted: string | undefined,
): MachineCandidate {
  const describe = () =>
    candidates.map((c) => `${c.name}${c.serialNumber ? ` (serial ${c.serialNumber})` : ""}`).join(", ");
  if (wanted === undefined) {
    const [only, ...rest] = candidates;
    if (only && rest.length === 0) return only;
    if (!only) {
      throw new DiscoveryError(
        "the server has no MachineToolType or CncInterfaceType instance; map its variables with monitor.nodes",
      );
    }
    throw new DiscoveryError(
      `the server has ${candidates.length} machines (${describe()}); set monitor.machine to one of them`,
    );
  }
  const match = candidates.find(
    (c) => c.name === wanted || c.serialNumber === wanted || c.productInstanceUri === wanted,
  );
  if (!match)
    throw new DiscoveryError(
      `monitor.machine "${wanted}" is not on the server; it has: ${describe() || "none"}`,
    );
  return match;
}

/** The whole discovery: namespaces → candidates → the configured machine → its nodes. */
export async function discoverMachine(
  session: ClientSession,
  wanted: string | undefined,
  types: TypeResolver,
): Promise<DiscoveredMachine> {
  if (!types.hasCompanionTypes) {
    throw new DiscoveryError(
      "the server does not load the MachineTool (OPC 40501) or CNC (OPC 40502) companion types; map its variables with monitor.nodes",
    );
  }
  const candidates = await Promise.all((await findMachines(session, types)).map((c) => identify(session, c)));
  const machine = selectMachine(candidates, wanted);
  const nodes = await browseMachine(session, types, machine.nodeId);
  return { ...machine, nodes };
}
