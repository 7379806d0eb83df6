// Every monitoring protocol the gateway speaks, in one list. The config
// schema (monitor.type), the gateway's adapter factory and the path
// resolution loop over it; nothing else names a protocol. Adding one: a new
// folder with its protocol.ts (README.md "Adding a protocol"), and its line
// here. Keep this file and each protocol.ts free of static imports of a
// protocol library: `check-config` loads them.
import type { z } from "zod";
import { mtconnectProtocol } from "./mtconnect/protocol.ts";
import { opcuaProtocol } from "./opcua/protocol.ts";
import type { AdapterProtocol } from "./protocol.ts";
import { shdrProtocol } from "./shdr/protocol.ts";

export const PROTOCOLS = [shdrProtocol, mtconnectProtocol, opcuaProtocol] as const;

type Registered = (typeof PROTOCOLS)[number];
export type ProtocolName = Registered["name"];
/** The `monitor:` section of a machine, one variant per protocol. */
export type MonitorConfig = z.output<Registered["configSchema"]>;

/** Each protocol's monitor schema, in registry order (for the config's discriminated union). */
export function monitorSchemas(): [Registered["configSchema"], ...Registered["configSchema"][]] {
  const [first, ...rest] = PROTOCOLS.map((p) => p.configSchema);
  return [first!, ...rest];
}

// A registered protocol seen without its own types. Safe only because callers
// pass it monitors whose `type` equals its name, which is what the config's
// discriminated union guarantees.
export type AnyProtocol = AdapterProtocol<string, z.ZodType<{ type: string }>>;

/** The registry without each protocol's own types, for code that loops over it. */
export const registeredProtocols = (): readonly AnyProtocol[] => PROTOCOLS;

export function protocolFor(type: string): AnyProtocol {
  const protocol = (PROTOCOLS as readonly AnyProtocol[]).find((p) => p.name === type);
  if (!protocol) throw new Error(`no adapter registered for monitor.type "${type}"`);
  return protocol;
}

/** A monitor section with its relative file paths made absolute. */
export function resolveMonitorPaths<M extends MonitorConfig>(
  monitor: M,
  resolve: (path: string) => string,
): M {
  const protocol = protocolFor(monitor.type);
  return protocol.resolvePaths ? (protocol.resolvePaths(monitor, resolve) as M) : monitor;
}
