// What to monitor on a server, for one machine: the companion-spec
// discovery or the explicit node map, and which event sources are this
// machine's. Run at connect, and again after a server restart to check that
// node-opcua's recreated items still point at the same nodes.
import type { ClientSession } from "node-opcua-client";
import { TypeResolver } from "./browse.ts";
import type { OpcuaMonitorConfig } from "./config.ts";
import { ConnectError } from "./connection-error.ts";
import { type Binding, mapCompanionNodes } from "./convert.ts";
import { browseMachine, DiscoveryError, discoverMachine } from "./discovery.ts";
import { resolveExplicitMap, resolveNodeRef } from "./explicit-map.ts";

export type MonitoringPlan = {
  bindings: Binding[];
  /** Config problems (bad nodes …): reported, not fatal. */
  problems: string[];
  types: TypeResolver;
  /** SourceNodes whose events are this machine's; null = every event of the server. */
  eventSources: Set<string> | null;
  /** The discovered machine's browse name (companion mode). */
  machineName?: string;
};

export async function planMonitoring(
  session: ClientSession,
  config: OpcuaMonitorConfig,
): Promise<MonitoringPlan> {
  const types = new TypeResolver(session, await session.readNamespaceArray());
  if (!config.nodes) {
    try {
      const machine = await discoverMachine(session, config.machine, types);
      return {
        bindings: mapCompanionNodes(machine.nodes),
        problems: [],
        types,
        eventSources: new Set([machine.nodeId, ...machine.nodes.map((n) => n.nodeId)]),
        machineName: machine.name,
      };
    } catch (err) {
      if (err instanceof DiscoveryError) throw new ConnectError("discovery", err.message);
      throw err;
    }
  }
  const { bindings, errors: problems } = await resolveExplicitMap(session, config.nodes);
  if (bindings.length === 0 && !config.events) {
    throw new ConnectError("nodes", `none of the configured nodes can be read:\n  ${problems.join("\n  ")}`);
  }
  let eventSources: Set<string> | null = null;
  if (config.eventSource && config.events) {
    try {
      const source = await resolveNodeRef(session, config.eventSource, "monitor.eventSource");
      const below = await browseMachine(session, types, source);
      eventSources = new Set([source, ...below.map((n) => n.nodeId)]);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  return { bindings, problems, types, eventSources };
}

/** Equal when two plans watch the same nodes for the same signals. */
export function fingerprint(plan: MonitoringPlan): string {
  return plan.bindings.map((b) => `${b.signal}=${b.nodeId}`).join("\n");
}
