// Explicit-map mode: `monitor.nodes` names, per signal, a node id or a
// browse path. Every entry is checked against the server before subscribing
// (does it exist, is it a variable), and each bad entry becomes an error
// naming the signal, the node and the fix. Good entries still work: one typo
// must not blind the whole machine.
import {
  AttributeIds,
  type ClientSession,
  makeBrowsePath,
  NodeClass,
  resolveNodeId,
} from "node-opcua-client";
import type { SignalId } from "../../core/signals.ts";
import { nodeIdText, UA } from "./companion-types.ts";
import type { OpcuaNodeConfig } from "./config.ts";
import type { Binding } from "./convert.ts";

const READ_BATCH = 500;

export type ExplicitMapResult = { bindings: Binding[]; errors: string[] };

type Entry = { signal: SignalId; spec: OpcuaNodeConfig; nodeId?: string; error?: string; numeric?: boolean };

/** Built-in numeric data types: SByte … Double, Number, Integer, UInteger, IntegerId, Counter, Duration. */
const NUMERIC_TYPES = new Set([
  "i=2",
  "i=3",
  "i=4",
  "i=5",
  "i=6",
  "i=7",
  "i=8",
  "i=9",
  "i=10",
  "i=11",
  "i=26",
  "i=27",
  "i=28",
  "i=288",
  "i=289",
  "i=290",
]);

function where(signal: string): string {
  return `monitor.nodes["${signal}"]`;
}

/** One node reference (node id or browse path) → node id, or an error sentence naming `where`. */
export async function resolveNodeRef(session: ClientSession, ref: string, where: string): Promise<string> {
  let nodeId: string;
  if (ref.startsWith("/")) {
    let path: ReturnType<typeof makeBrowsePath>;
    try {
      path = makeBrowsePath(UA.ObjectsFolder, ref);
    } catch (err) {
      throw new Error(
        `${where}: browse path "${ref}" cannot be parsed (${(err as Error).message}); write it as /2:Folder/2:Name`,
      );
    }
    const [result] = await session.translateBrowsePath([path]);
    const target = result?.targets?.[0]?.targetId;
    if (!result?.statusCode.isGood() || !target) {
      throw new Error(
        `${where}: browse path "${ref}" leads to no node on the server (${result?.statusCode.name ?? "no answer"})`,
      );
    }
    nodeId = nodeIdText(target);
  } else {
    try {
      nodeId = nodeIdText(resolveNodeId(ref));
    } catch (err) {
      throw new Error(`${where}: "${ref}" is not a valid node id (${(err as Error).message})`);
    }
  }
  const [dv] = await session.read([{ nodeId, attributeId: AttributeIds.NodeClass }]);
  if (!dv?.statusCode.isGood()) {
    throw new Error(
      `${where}: node ${ref} does not exist on the server (${dv?.statusCode.name ?? "no answer"}); check the node id`,
    );
  }
  return nodeId;
}

export async function resolveExplicitMap(
  session: ClientSession,
  nodes: Readonly<Record<string, string | OpcuaNodeConfig>>,
): Promise<ExplicitMapResult> {
  const entries: Entry[] = Object.entries(nodes).map(([signal, v]) => ({
    signal: signal as SignalId,
    spec: typeof v === "string" ? { node: v } : v,
  }));

  // Node ids: syntax check here, existence below.
  for (const e of entries) {
    if (e.spec.node.startsWith("/")) continue;
    try {
      e.nodeId = nodeIdText(resolveNodeId(e.spec.node));
    } catch (err) {
      e.error = `${where(e.signal)}: "${e.spec.node}" is not a valid node id (${(err as Error).message})`;
    }
  }

  // Browse paths from the Objects folder, translated in one request.
  const paths = entries.filter((e) => e.spec.node.startsWith("/"));
  if (paths.length > 0) {
    const requests = paths.map((e) => {
      try {
        return makeBrowsePath(UA.ObjectsFolder, e.spec.node);
      } catch (err) {
        e.error = `${where(e.signal)}: browse path "${e.spec.node}" cannot be parsed (${(err as Error).message}); write it as /2:Folder/2:Name`;
        return null;
      }
    });
    const valid = requests.flatMap((r, i) => (r ? [{ r, e: paths[i]! }] : []));
    const results = valid.length > 0 ? await session.translateBrowsePath(valid.map((v) => v.r)) : [];
    valid.forEach(({ e }, i) => {
      const result = results[i];
      const target = result?.targets?.[0]?.targetId;
      if (!result?.statusCode.isGood() || !target) {
        e.error = `${where(e.signal)}: browse path "${e.spec.node}" leads to no node on the server (${result?.statusCode.name ?? "no answer"}); check the names and namespace indexes`;
      } else e.nodeId = nodeIdText(target);
    });
  }

  // Existence, node class and data type, read in batches (two attributes per node).
  const toCheck = entries.filter((e) => e.nodeId !== undefined && e.error === undefined);
  for (let base = 0; base < toCheck.length; base += READ_BATCH) {
    const batch = toCheck.slice(base, base + READ_BATCH);
    const values = await session.read(
      batch.flatMap((e) => [
        { nodeId: e.nodeId!, attributeId: AttributeIds.NodeClass },
        { nodeId: e.nodeId!, attributeId: AttributeIds.DataType },
      ]),
    );
    batch.forEach((e, i) => {
      const dv = values[2 * i];
      if (!dv?.statusCode.isGood()) {
        e.error = `${where(e.signal)}: node ${e.spec.node} does not exist on the server (${dv?.statusCode.name ?? "no answer"}); check the node id`;
      } else if (dv.value.value !== NodeClass.Variable) {
        const cls = NodeClass[dv.value.value as number] ?? String(dv.value.value);
        e.error = `${where(e.signal)}: node ${e.spec.node} is ${cls === "Object" ? "an" : "a"} ${cls}, not a Variable; point at the variable that holds the value`;
      } else {
        e.numeric = NUMERIC_TYPES.has(nodeIdText(values[2 * i + 1]?.value.value));
      }
    });
  }

  const bindings: Binding[] = [];
  const errors: string[] = [];
  for (const e of entries) {
    if (e.error !== undefined || e.nodeId === undefined) {
      errors.push(e.error ?? `${where(e.signal)}: unresolved node ${e.spec.node}`);
      continue;
    }
    bindings.push({
      nodeId: e.nodeId,
      signal: e.signal,
      // Numbers decode as numbers (and get the deadband); a value map works on whatever arrives.
      decode: e.numeric && !e.spec.map ? "number" : "auto",
      ref: e.spec.node,
      priority: 1,
      ...(e.spec.map ? { map: e.spec.map } : {}),
      ...(e.spec.scale !== undefined ? { scale: e.spec.scale } : {}),
      ...(e.spec.unit !== undefined ? { unit: e.spec.unit } : {}),
    });
  }
  return { bindings, errors };
}
