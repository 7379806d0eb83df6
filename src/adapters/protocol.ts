import type { Logger } from "pino";
import type { z } from "zod";
import type { Adapter } from "../core/contracts.ts";

/** One machine whose `monitor:` section names this protocol, with the section as its schema parsed it. */
export type MonitoredMachine<Config> = { id: string; monitor: Config };

/**
 * What an adapter folder tells the rest of the gateway about its protocol
 * (src/adapters/README.md "Adding a protocol"). The config side (name,
 * schema, paths) must stay light: this object is imported by `check-config`,
 * so `createAdapters` reaches the connection code, and the protocol library
 * behind it (node-opcua …), through a dynamic import.
 */
export type AdapterProtocol<Name extends string, Schema extends z.ZodType<{ type: Name }>> = {
  /** `monitor.type` in the config file; also `Adapter.protocol` and the metrics label. */
  readonly name: Name;
  /** Strict zod schema of the `monitor:` section, `type: z.literal(name)` included. */
  readonly configSchema: Schema;
  /** Relative file paths in the section, made absolute against the config file's folder. */
  resolvePaths?(monitor: z.output<Schema>, resolve: (path: string) => string): z.output<Schema>;
  /**
   * The adapters for every machine of this protocol in the config, at once:
   * a protocol whose machines share a connection (one MTConnect agent, one
   * OPC UA server) groups them here.
   */
  createAdapters(
    machines: readonly MonitoredMachine<z.output<Schema>>[],
    context: { log: Logger },
  ): Promise<Adapter[]>;
};

/** Declares a protocol with its types inferred from the schema (`name` must equal the schema's type literal). */
export function defineProtocol<Name extends string, Schema extends z.ZodType<{ type: Name }>>(
  protocol: AdapterProtocol<Name, Schema>,
): AdapterProtocol<Name, Schema> {
  return protocol;
}
