// Batched browsing helpers: one Browse request per tree level (not per node),
// continuation points followed, and type definitions resolved to the
// companion types they derive from (a vendor's subtype of CncSpindleType is
// still a spindle).
import {
  BrowseDirection,
  type BrowseResult,
  type ClientSession,
  NodeClassMask,
  type ReferenceDescription,
  ResultMask,
} from "node-opcua-client";
import { KNOWN_TYPES, type KnownType, nodeIdText, UA } from "./companion-types.ts";

/** Servers limit nodes per Browse request (MaxNodesPerBrowse); 100 is below every limit seen in practice. */
const BROWSE_BATCH = 100;
const HIERARCHICAL_REFERENCES = "i=33";
const HAS_SUBTYPE = "i=45";

export type Child = { parent: number; ref: ReferenceDescription };

/** Forward hierarchical children of many nodes, in input order; `parent` is the index in `nodeIds`. */
export async function browseChildren(
  session: ClientSession,
  nodeIds: readonly string[],
  nodeClassMask: number = NodeClassMask.Object | NodeClassMask.Variable,
): Promise<Child[]> {
  const out: Child[] = [];
  for (let base = 0; base < nodeIds.length; base += BROWSE_BATCH) {
    const batch = nodeIds.slice(base, base + BROWSE_BATCH);
    const results = await session.browse(
      batch.map((nodeId) => ({
        nodeId,
        browseDirection: BrowseDirection.Forward,
        referenceTypeId: HIERARCHICAL_REFERENCES,
        includeSubtypes: true,
        nodeClassMask,
        resultMask: ResultMask.BrowseName | ResultMask.NodeClass | ResultMask.TypeDefinition,
      })),
    );
    const all = await followContinuations(session, results);
    all.forEach((refs, i) => {
      for (const ref of refs) out.push({ parent: base + i, ref });
    });
  }
  return out;
}

async function followContinuations(
  session: ClientSession,
  results: BrowseResult[],
): Promise<ReferenceDescription[][]> {
  return Promise.all(
    results.map(async (result) => {
      const refs = [...(result.references ?? [])];
      let cp = result.continuationPoint;
      while (cp && cp.length > 0) {
        const [next] = await session.browseNext([cp], false);
        if (!next) break;
        refs.push(...(next.references ?? []));
        cp = next.continuationPoint;
      }
      return refs;
    }),
  );
}

/**
 * Resolves type definitions to the known companion type they are or derive
 * from, walking HasSubtype upwards (memoised per session).
 */
export class TypeResolver {
  readonly #session: ClientSession;
  readonly #known = new Map<string, KnownType | undefined>();

  constructor(session: ClientSession, namespaces: readonly string[]) {
    this.#session = session;
    for (const [name, t] of Object.entries(KNOWN_TYPES) as [KnownType, { ns: string; id: number }][]) {
      const index = namespaces.indexOf(t.ns);
      if (index >= 0) this.#known.set(`ns=${index};i=${t.id}`, name);
    }
    for (const base of [
      UA.BaseObjectType,
      UA.BaseDataVariableType,
      UA.BaseVariableType,
      UA.FolderType,
      "i=0",
    ]) {
      this.#known.set(base, undefined);
    }
  }

  /** Node id (as text) of a known type on this server, if its namespace is there. */
  nodeIdOf(type: KnownType): string | undefined {
    for (const [id, name] of this.#known) if (name === type) return id;
    return undefined;
  }

  get hasCompanionTypes(): boolean {
    return this.nodeIdOf("MachineToolType") !== undefined || this.nodeIdOf("CncInterfaceType") !== undefined;
  }

  /** The known type (or undefined) for each type definition, resolving unknown ones level by level. */
  async resolve(typeIds: readonly string[]): Promise<(KnownType | undefined)[]> {
    // Walk each unknown type up its supertype chain until a known or base type is met.
    const ids = typeIds.map((id) => nodeIdText(id));
    let frontier = [...new Set(ids.filter((id) => !this.#known.has(id)))].map((id) => ({
      start: id,
      at: id,
    }));
    for (let depth = 0; frontier.length > 0 && depth < 12; depth++) {
      const results = await this.#session.browse(
        frontier.map((f) => ({
          nodeId: f.at,
          browseDirection: BrowseDirection.Inverse,
          referenceTypeId: HAS_SUBTYPE,
          includeSubtypes: false,
          resultMask: ResultMask.BrowseName,
        })),
      );
      const next: { start: string; at: string }[] = [];
      frontier.forEach((f, i) => {
        const ref = results[i]?.references?.[0];
        const parent = ref ? nodeIdText(ref.nodeId) : undefined;
        if (!parent) this.#known.set(f.start, undefined);
        else if (this.#known.has(parent)) this.#known.set(f.start, this.#known.get(parent));
        else next.push({ start: f.start, at: parent });
      });
      frontier = next;
    }
    for (const f of frontier) this.#known.set(f.start, undefined);
    return ids.map((id) => this.#known.get(id));
  }
}
