import type { FlowControl, LineSettings } from "../profiles/schema.ts";
import type { ByteLink } from "./link.ts";
import { DncPort, type FramingEmulation } from "./port.ts";
import { openSerialLink } from "./serial.ts";
import { openTcpLink } from "./tcp.ts";

/** Where a machine's DNC line is: a local serial port (or pty), or a device server over TCP. */
export type DncEndpoint =
  | { transport: "serial"; path: string }
  | { transport: "tcp"; host: string; port: number; connectTimeoutMs?: number };

export type OpenPortOptions = {
  endpoint: DncEndpoint;
  line: LineSettings;
  flowControl: FlowControl;
  framingEmulation?: FramingEmulation;
};

/** Open the machine's line. Rejects with a DncError (port-missing, port-busy, permission-denied, …). */
export async function openDncPort(opts: OpenPortOptions): Promise<DncPort> {
  const link: ByteLink =
    opts.endpoint.transport === "serial"
      ? await openSerialLink({ path: opts.endpoint.path, line: opts.line, flowControl: opts.flowControl })
      : await openTcpLink(opts.endpoint);
  return new DncPort(link, opts.line, opts.flowControl, opts.framingEmulation ?? "auto");
}

export function describeEndpoint(endpoint: DncEndpoint): string {
  return endpoint.transport === "serial" ? endpoint.path : `${endpoint.host}:${endpoint.port}`;
}
